using Transport.Numerics.Kernels;

namespace Transport.Numerics.Tests.Kernels;

/// <summary>
/// The float32 kernel scores around float64 offsets: log-weights of size ~1e4 (a potential over a small
/// eps) given as float32 value plus residual come out as accurate as O(1) log-weights, where rounding
/// them to float32 alone is visibly off. Truth: the brute-force float64 reduction of this folder.
/// </summary>
public sealed class FloatOffsetScoringTests
{
    // 2^13: log-weights in [2^13, 2^13 + 2) have a float32 spacing of 2^-10 = 9.8e-4.
    private const double Base = 8192.0;
    private const double Spacing = 1.0 / 1024.0;

    // Every h_j sits 0.4 spacings above a float32 value: rounding alone moves every score down by 3.9e-4,
    // so the log-sum-exp and the maximum move by that much too (it does not average out).
    private const double Offset = 0.4 * Spacing;

    // With the residuals the exponentials see differences of size <= ~15 formed before rounding: 6e-8
    // relative rounding of those (1e-6), the degree-6 exp (1.3e-7 relative) and float32 coordinates in
    // [-1, 1] (|x - y|^2 to a few 1e-7): 1e-5 absolute leaves a factor ~10 over that and is still
    // 39 times below the 3.9e-4 that rounding the log-weights costs.
    private const double SplitTolerance = 1e-5;

    // Rounding h_j to float32 must be off by at least a quarter of its systematic 3.9e-4 (shows the test
    // can tell the two apart).
    private const double NaiveAtLeast = 1e-4;

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    public void Huge_log_weights_keep_float32_accuracy_only_with_float64_offsets(string pathName)
    {
        const int n = 13, m = 1500, dim = 3;
        const double scale = 1.0;
        var path = Enum.Parse<KernelPath>(pathName);
        var x = TestData.Points(n, dim, seed: 71);
        var y = TestData.Points(m, dim, seed: 72);
        var random = new Random(73);
        var h = new double[m];
        for (var j = 0; j < m; j++)
        {
            // Keys of a tile after the first one sit 100 higher (over the float32 margin of 64): the per-query reference is raised on the way.
            var steps = random.Next(2048) + (j >= 1024 ? 100 * 1024 : 0);
            h[j] = Base + (steps * Spacing) + Offset;
        }

        var keys = new KeyPoints<float>(y, m, dim);
        var queries = new QueryPoints<float>(x, n, dim);
        var high = keys.CreateLogWeightBuffer();
        var residuals = new float[high.Length];
        SoftmaxReduction.SplitLogWeights<float>(h, high, residuals);
        Assert.All(residuals.AsSpan(0, m).ToArray(), r => Assert.Equal(Offset, r, 1e-9));

        // Without values the float32 base-2 pass runs; with a value per key (here 1) the general pass does.
        foreach (var withValues in new[] { false, true })
        {
            var values = withValues ? keys.LayoutValues(Enumerable.Repeat(1.0, m).ToArray(), 1) : null;
            var split = new SoftmaxPartials(n, withValues ? 1 : 0);
            SoftmaxReduction.Reduce(queries, keys, high, residuals, scale, split, values, maxDegreeOfParallelism: 1, path);
            var naive = new SoftmaxPartials(n, withValues ? 1 : 0);
            SoftmaxReduction.Reduce(queries, keys, high, null, scale, naive, values, maxDegreeOfParallelism: 1, path);

            for (var i = 0; i < n; i++)
            {
                var what = $"{path}{(withValues ? " with values" : string.Empty)} query {i}";
                var expected = SoftmaxReference.Of(x.AsSpan(i * dim, dim), y, h, [], dim, 0, scale);
                var lse = Math.Abs(split.LogSumExp(i) - expected.LogSumExp);
                var max = Math.Abs(split.Max[i] - expected.Max);
                Assert.True(lse <= SplitTolerance, $"{what}: log-sum-exp off by {lse:E3} > {SplitTolerance:E0}");
                Assert.True(max <= SplitTolerance, $"{what}: maximum off by {max:E3} > {SplitTolerance:E0}");

                var rounded = Math.Abs(naive.LogSumExp(i) - expected.LogSumExp);
                Assert.True(rounded >= NaiveAtLeast, $"{what}: float32-rounded log-weights only off by {rounded:E3}");
            }
        }
    }
}
