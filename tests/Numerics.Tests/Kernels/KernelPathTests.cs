using System.Numerics;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Tests.Kernels;

/// <summary>
/// Every vector width of the fused kernel (forced, whatever the hardware prefers) against a brute-force
/// float64 reference written here: log-sum-exp, maximum, softmax means of per-key values and the
/// distance moment, on both distance paths, including key orders that move the per-query reference.
/// </summary>
public sealed class KernelPathTests
{
    private const int ValueDimension = 3;

    // float64: degree-11 exp (7e-15 relative per term) and float64 rounding of O(10) scores: 1e-12
    // relative leaves two orders of margin and still catches a dropped key vector or tile.
    private const double DoubleTolerance = 1e-12;

    // float32: scores of magnitude <= ~30 carry ~2e-6 absolute rounding (6e-8 relative), the exp
    // polynomial 1.3e-7 relative per term, and the dot-product cancellation |x|^2 + |y|^2 - 2<x,y>
    // a few ulp of |x|^2 ~ d/3: 3e-5 (relative, floor 1) bounds all of these with margin.
    private const double SingleTolerance = 3e-5;

    // Paths are passed by name: the enum is internal and theory parameters must be public.
    public static TheoryData<string, int> PathsAndDimensions()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in new[] { nameof(KernelPath.Vector512), nameof(KernelPath.Vector256), nameof(KernelPath.Vector128) })
        {
            foreach (var dim in new[] { 1, 3, 8, 9, 16, 64 })
            {
                data.Add(path, dim);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndDimensions))]
    public void Double_path_matches_brute_force_float64_within_1e12(string path, int dim)
    {
        Check<double>(path, dim, queryCount: 23, keyCount: 1188, logWeightSlope: 0, DoubleTolerance);
    }

    [Theory]
    [MemberData(nameof(PathsAndDimensions))]
    public void Single_path_matches_brute_force_float64_within_3e5(string path, int dim)
    {
        Check<float>(path, dim, queryCount: 23, keyCount: 1188, logWeightSlope: 0, SingleTolerance);
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    public void Rising_tile_maxima_move_the_reference_without_losing_accuracy(string path)
    {
        // h_j grows along the keys by 0.3 per key: each 512-key tile's maximum is ~150 above the
        // last, beyond the float32 margin (64); in float64 a slope of 1.5 passes its margin (512).
        foreach (var dim in new[] { 3, 16 })
        {
            Check<float>(path, dim, queryCount: 9, keyCount: 1600, logWeightSlope: 0.3, SingleTolerance);
            Check<double>(path, dim, queryCount: 9, keyCount: 1600, logWeightSlope: 1.5, DoubleTolerance);
        }
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    public void Ragged_key_counts_finish_with_a_partial_vector(string path)
    {
        // 8 + 1 keys leaves a Vector256 tail after the Vector512 body; 1 key is all padding but one.
        foreach (var keyCount in new[] { 1, 9, 24, 520 })
        {
            Check<float>(path, 3, queryCount: 5, keyCount, logWeightSlope: 0, SingleTolerance);
            Check<double>(path, 12, queryCount: 5, keyCount, logWeightSlope: 0, DoubleTolerance);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndDimensionsWithoutExtras))]
    public void Log_sum_exp_alone_takes_the_base_2_passes_and_matches_brute_force(string path, int dim)
    {
        // No weighted sums and no moment: float32 takes the base-2 passes (LowDimensionPass: coordinates for
        // d <= 3, the dot-product path's distance cache for d > 8; d = 5 stays on the general pass), one query at
        // a time, four key vectors per step and a one-vector tail. Plain keys, rising tile maxima (the reference
        // raised), and ragged key counts, against the same float64 truth and tolerances.
        Check<float>(path, dim, queryCount: 23, keyCount: 1188, logWeightSlope: 0, SingleTolerance, extras: false);
        Check<double>(path, dim, queryCount: 23, keyCount: 1188, logWeightSlope: 0, DoubleTolerance, extras: false);
        Check<float>(path, dim, queryCount: 9, keyCount: 1600, logWeightSlope: 0.3, SingleTolerance, extras: false);
        Check<double>(path, dim, queryCount: 9, keyCount: 1600, logWeightSlope: 1.5, DoubleTolerance, extras: false);

        // Past one 2048-key tile of the coordinate pass: the reference from the first 512 keys is raised inside the
        // first tile (0.05 x 1536 > 64) and again in the next one.
        Check<float>(path, dim, queryCount: 6, keyCount: 4500, logWeightSlope: 0.05, SingleTolerance, extras: false);
        foreach (var keyCount in new[] { 1, 9, 24, 40, 520 })
        {
            Check<float>(path, dim, queryCount: 5, keyCount, logWeightSlope: 0, SingleTolerance, extras: false);
            Check<double>(path, dim, queryCount: 5, keyCount, logWeightSlope: 0, DoubleTolerance, extras: false);
        }
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    public void Leading_zero_weight_keys_do_not_leave_the_reference_unset(string pathName)
    {
        // The first 600 keys have zero weight (h = -inf): the reference probe of the first tile (512 keys) finds
        // nothing, and the keys after it score about -1000, where exponentials against an unset reference (0)
        // would all underflow. Every key after the probe must still count.
        var path = Enum.Parse<KernelPath>(pathName);
        const int n = 7, m = 2600, dim = 3;
        const double scale = 1.0;
        var x = TestData.Points(n, dim, seed: 81);
        var y = TestData.Points(m, dim, seed: 82);
        var random = new Random(83);
        var h = new double[m];
        for (var j = 0; j < m; j++)
        {
            h[j] = j < 600 ? double.NegativeInfinity : -1000.0 - random.NextDouble();
        }

        foreach (var single in new[] { true, false })
        {
            var output = new SoftmaxPartials(n);
            if (single)
            {
                var keys = new KeyPoints<float>(y, m, dim);
                var high = keys.CreateLogWeightBuffer();
                var low = new float[high.Length];
                SoftmaxReduction.SplitLogWeights<float>(h, high, low);
                SoftmaxReduction.Reduce(new QueryPoints<float>(x, n, dim), keys, high, low, scale, output, values: null, maxDegreeOfParallelism: 1, path);
            }
            else
            {
                var keys = new KeyPoints<double>(y, m, dim);
                var weights = keys.CreateLogWeightBuffer();
                h.CopyTo(weights, 0);
                SoftmaxReduction.Reduce(new QueryPoints<double>(x, n, dim), keys, weights, null, scale, output, values: null, maxDegreeOfParallelism: 1, path);
            }

            for (var i = 0; i < n; i++)
            {
                var expected = SoftmaxReference.Of(x.AsSpan(i * dim, dim), y, h, [], dim, 0, scale);
                var what = $"{path} {(single ? "float32" : "float64")} query {i}";
                TestData.AssertRelative(expected.LogSumExp, output.LogSumExp(i), single ? SingleTolerance : DoubleTolerance, what: $"{what}: lse");
                TestData.AssertRelative(expected.Max, output.Max[i], single ? SingleTolerance : DoubleTolerance, what: $"{what}: max");
            }
        }
    }

    public static TheoryData<string, int> PathsAndDimensionsWithoutExtras()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in new[] { nameof(KernelPath.Vector512), nameof(KernelPath.Vector256), nameof(KernelPath.Vector128) })
        {
            foreach (var dim in new[] { 1, 2, 3, 5, 9, 16, 64 })
            {
                data.Add(path, dim);
            }
        }

        return data;
    }

    private static void Check<T>(string pathName, int dim, int queryCount, int keyCount, double logWeightSlope, double tolerance, bool extras = true)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var path = Enum.Parse<KernelPath>(pathName);
        var x = TestData.Points(queryCount, dim, seed: 7 + dim);
        var y = TestData.Points(keyCount, dim, seed: 8 + dim);
        var v = TestData.Points(keyCount, ValueDimension, seed: 9 + dim);
        var random = new Random(10 + dim);
        var h = new double[keyCount];
        for (var j = 0; j < keyCount; j++)
        {
            h[j] = j % 11 == 5 ? double.NegativeInfinity : (logWeightSlope * j) - (2 * random.NextDouble());
        }

        // Scores O(1..10) whatever the dimension (|x - y|^2 averages 2d/3 here).
        var scale = 3.0 / dim;
        var keys = new KeyPoints<T>(y, keyCount, dim);
        var queries = new QueryPoints<T>(x, queryCount, dim);
        var logWeights = keys.CreateLogWeightBuffer();
        var residuals = new T[logWeights.Length];
        SoftmaxReduction.SplitLogWeights<T>(h, logWeights, residuals);

        var output = extras ? new SoftmaxPartials(queryCount, ValueDimension, withMoment: true) : new SoftmaxPartials(queryCount);
        SoftmaxReduction.Reduce(queries, keys, logWeights, residuals, scale, output, extras ? keys.LayoutValues(v, ValueDimension) : null, maxDegreeOfParallelism: 1, path);

        for (var i = 0; i < queryCount; i++)
        {
            var expected = BruteForce(x.AsSpan(i * dim, dim), y, h, v, dim, scale);
            var what = $"{path} {typeof(T).Name} d={dim} m={keyCount} query {i}";
            TestData.AssertRelative(expected.Max, output.Max[i], tolerance, what: $"{what}: max");
            TestData.AssertRelative(expected.LogSumExp, output.LogSumExp(i), tolerance, what: $"{what}: lse");
            if (!extras)
            {
                continue;
            }

            var z = output.Sum[i];
            TestData.AssertRelative(expected.Moment, output.Moment[i] / z, tolerance, what: $"{what}: moment");
            for (var k = 0; k < ValueDimension; k++)
            {
                TestData.AssertRelative(expected.Mean[k], output.Weighted[(i * ValueDimension) + k] / z, tolerance, what: $"{what}: mean[{k}]");
            }
        }
    }

    private static (double Max, double LogSumExp, double[] Mean, double Moment) BruteForce(
        ReadOnlySpan<double> x, double[] y, double[] h, double[] v, int dim, double scale) =>
        SoftmaxReference.Of(x, y, h, v, dim, ValueDimension, scale);
}
