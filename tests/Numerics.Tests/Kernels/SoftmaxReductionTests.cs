using System.Numerics;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Tests.Kernels;

/// <summary>
/// The softmax reduction against a scalar float64 log-sum-exp written here (two passes: maximum,
/// then sum of exponentials), sharing no code with the kernel. Queries are x_i, keys y_j with
/// log-weights h_j; scores s_ij = h_j - scale |x_i - y_j|^2.
/// </summary>
public sealed class SoftmaxReductionTests
{
    private const int ValueDimension = 2;

    // Dimensions on both paths: differences (d <= 8) and dot products (d > 8), with d = 8 and 9 at the seam.
    public static TheoryData<int> Dimensions => [1, 2, 3, 5, 8, 9, 16, 64];

    [Theory]
    [MemberData(nameof(Dimensions))]
    public void Double_partials_match_scalar_float64_log_sum_exp_within_1e12(int dim)
    {
        // float64 scores of magnitude <= ~10 and sums of ~1500 terms: rounding is ~1e-14; 1e-12
        // relative leaves two orders of margin and still catches any dropped key or tile.
        CheckAgainstScalar<double>(dim, queryCount: 37, keyCount: 1531, tolerance: 1e-12);
    }

    [Theory]
    [MemberData(nameof(Dimensions))]
    public void Single_partials_match_scalar_float64_log_sum_exp_within_float32_tolerance(int dim)
    {
        // float32 scores carry a relative rounding of 6e-8 on terms of size <= ~10 (coordinates, norms
        // and the dot-product cancellation |x|^2 + |y|^2 - 2<x, y> with |x|^2 ~ d/3): about 1e-6
        // absolute in the exponent, so 2e-5 (relative, floor 1) is a safe float32 bound.
        CheckAgainstScalar<float>(dim, queryCount: 37, keyCount: 1531, tolerance: 2e-5);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 513)]
    [InlineData(6, 9)]
    [InlineData(5, 1025)]
    public void Small_and_ragged_counts_match_scalar_reference(int queryCount, int keyCount)
    {
        foreach (var dim in new[] { 2, 12 })
        {
            CheckAgainstScalar<double>(dim, queryCount, keyCount, tolerance: 1e-12);
            CheckAgainstScalar<float>(dim, queryCount, keyCount, tolerance: 2e-5);
        }
    }

    [Fact]
    public void All_keys_at_minus_infinity_leave_the_neutral_element()
    {
        const int n = 5, m = 700, dim = 3;
        var x = TestData.Points(n, dim, seed: 1);
        var y = TestData.Points(m, dim, seed: 2);
        var keys = new KeyPoints<double>(y, m, dim);
        var queries = new QueryPoints<double>(x, n, dim);
        var h = keys.CreateLogWeightBuffer();
        Array.Fill(h, double.NegativeInfinity);
        var output = new SoftmaxPartials(n, 0, withMoment: true);

        SoftmaxReduction.Reduce(queries, keys, h, 1.0, output);

        for (var i = 0; i < n; i++)
        {
            Assert.Equal(double.NegativeInfinity, output.Max[i]);
            Assert.Equal(0.0, output.Sum[i]);
            Assert.Equal(0.0, output.Moment[i]);
            Assert.Equal(double.NegativeInfinity, output.LogSumExp(i));
        }
    }

    public static TheoryData<int, int> SplitCases => new()
    {
        { 3, 2 },
        { 3, 3 },
        { 16, 2 },
        { 16, 3 },
    };

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void Combine_is_associative_splitting_keys_equals_whole_reduction_within_1e12(int dim, int parts)
    {
        // Partials of disjoint key sets combine exactly up to rounding: each merge rescales by
        // exp(m - M) once, so a few float64 roundings separate any grouping from the whole; 1e-12.
        const int n = 23, m = 1300;
        var x = TestData.Points(n, dim, seed: 31);
        var y = TestData.Points(m, dim, seed: 32);
        var h = LogWeights(m, seed: 33);
        var v = TestData.Points(m, ValueDimension, seed: 34);
        var scale = 2.0 / dim;
        var whole = ReduceRange(x, n, y, h, v, dim, scale, 0, m);

        var cuts = parts == 2 ? new[] { 0, 517, m } : new[] { 0, 300, 1100, m };
        var pieces = new SoftmaxPartials[parts];
        for (var p = 0; p < parts; p++)
        {
            pieces[p] = ReduceRange(x, n, y, h, v, dim, scale, cuts[p], cuts[p + 1]);
        }

        var groupings = new List<SoftmaxPartials>();
        if (parts == 2)
        {
            groupings.Add(CombineAll(n, pieces[0], pieces[1]));
            groupings.Add(CombineAll(n, pieces[1], pieces[0]));
        }
        else
        {
            // ((A B) C), (A (B C)), ((A C) B), (C (B A)).
            groupings.Add(CombineAll(n, CombineAll(n, pieces[0], pieces[1]), pieces[2]));
            groupings.Add(CombineAll(n, pieces[0], CombineAll(n, pieces[1], pieces[2])));
            groupings.Add(CombineAll(n, CombineAll(n, pieces[0], pieces[2]), pieces[1]));
            groupings.Add(CombineAll(n, pieces[2], CombineAll(n, pieces[1], pieces[0])));
        }

        foreach (var combined in groupings)
        {
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(whole.Max[i], combined.Max[i]);
                TestData.AssertRelative(whole.LogSumExp(i), combined.LogSumExp(i), 1e-12, what: $"lse[{i}]");
                TestData.AssertRelative(whole.Sum[i], combined.Sum[i], 1e-12, floor: 0, what: $"z[{i}]");
                TestData.AssertRelative(whole.Moment[i], combined.Moment[i], 1e-12, floor: whole.Sum[i], what: $"w[{i}]");
                for (var k = 0; k < ValueDimension; k++)
                {
                    var index = (i * ValueDimension) + k;
                    TestData.AssertRelative(whole.Weighted[index], combined.Weighted[index], 1e-12, floor: whole.Sum[i], what: $"u[{i},{k}]");
                }
            }
        }
    }

    [Fact]
    public void Combining_with_the_neutral_element_changes_nothing_bitwise()
    {
        const int n = 9, m = 100, dim = 2;
        var x = TestData.Points(n, dim, seed: 41);
        var y = TestData.Points(m, dim, seed: 42);
        var h = LogWeights(m, seed: 43);
        var v = TestData.Points(m, ValueDimension, seed: 44);
        var reduced = ReduceRange(x, n, y, h, v, dim, 1.0, 0, m);

        // p (+) neutral and neutral (+) p are both p, bit for bit.
        var right = CombineAll(n, reduced, new SoftmaxPartials(n, ValueDimension, withMoment: true));
        var left = CombineAll(n, new SoftmaxPartials(n, ValueDimension, withMoment: true), reduced);
        var neutral = new SoftmaxPartials(n, ValueDimension, withMoment: true);
        neutral.Combine(new SoftmaxPartials(n, ValueDimension, withMoment: true));
        foreach (var combined in new[] { right, left })
        {
            Assert.Equal(reduced.Max, combined.Max);
            Assert.Equal(reduced.Sum, combined.Sum);
            Assert.Equal(reduced.Weighted, combined.Weighted);
            Assert.Equal(reduced.Moment, combined.Moment);
        }

        Assert.All(neutral.Max, value => Assert.Equal(double.NegativeInfinity, value));
        Assert.All(neutral.Sum, value => Assert.Equal(0.0, value));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    public void Results_are_bitwise_independent_of_the_degree_of_parallelism(int dim)
    {
        // Each query's result depends only on the key order (the class contract), never on how
        // query chunks are spread over threads: equality is exact.
        const int n = 203, m = 1100;
        var x = TestData.Points(n, dim, seed: 51);
        var y = TestData.Points(m, dim, seed: 52);
        var h = LogWeights(m, seed: 53);
        var v = TestData.Points(m, ValueDimension, seed: 54);
        var serial = ReduceRange(x, n, y, h, v, dim, 1.0, 0, m, maxDegreeOfParallelism: 1);
        var parallel = ReduceRange(x, n, y, h, v, dim, 1.0, 0, m, maxDegreeOfParallelism: -1);
        var two = ReduceRange(x, n, y, h, v, dim, 1.0, 0, m, maxDegreeOfParallelism: 2);

        foreach (var other in new[] { parallel, two })
        {
            Assert.Equal(serial.Max, other.Max);
            Assert.Equal(serial.Sum, other.Sum);
            Assert.Equal(serial.Weighted, other.Weighted);
            Assert.Equal(serial.Moment, other.Moment);
        }
    }

    private static void CheckAgainstScalar<T>(int dim, int queryCount, int keyCount, double tolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var x = TestData.Points(queryCount, dim, seed: (dim * 100) + queryCount);
        var y = TestData.Points(keyCount, dim, seed: (dim * 100) + keyCount + 7);
        var v = TestData.Points(keyCount, ValueDimension, seed: dim + 3);
        var h = LogWeights(keyCount, seed: dim + 5);

        // Scale keeps scores O(1..10) whatever the dimension (|x - y|^2 averages 2d/3 here).
        var scale = 2.0 / dim;
        var keys = new KeyPoints<T>(y, keyCount, dim);
        var queries = new QueryPoints<T>(x, queryCount, dim);
        var logWeights = keys.CreateLogWeightBuffer();
        for (var j = 0; j < keyCount; j++)
        {
            logWeights[j] = T.CreateTruncating(h[j]);
        }

        var output = new SoftmaxPartials(queryCount, ValueDimension, withMoment: true);
        SoftmaxReduction.Reduce(queries, keys, logWeights, scale, output, keys.LayoutValues(v, ValueDimension));

        for (var i = 0; i < queryCount; i++)
        {
            var expected = ScalarReference(x.AsSpan(i * dim, dim), y, h, v, dim, scale);
            var what = $"{typeof(T).Name} d={dim} n={queryCount} m={keyCount} query {i}";
            TestData.AssertRelative(expected.LogSumExp, output.LogSumExp(i), tolerance, what: $"{what}: lse");
            var z = output.Sum[i];
            TestData.AssertRelative(expected.Moment, output.Moment[i] / z, tolerance, what: $"{what}: moment");
            for (var k = 0; k < ValueDimension; k++)
            {
                TestData.AssertRelative(expected.Mean[k], output.Weighted[(i * ValueDimension) + k] / z, tolerance, what: $"{what}: mean[{k}]");
            }
        }
    }

    private static (double LogSumExp, double[] Mean, double Moment) ScalarReference(
        ReadOnlySpan<double> x, double[] y, double[] h, double[] v, int dim, double scale)
    {
        var (_, logSumExp, mean, moment) = SoftmaxReference.Of(x, y, h, v, dim, ValueDimension, scale);
        return (logSumExp, mean, moment);
    }

    /// <summary>
    /// Log-weights in [-3, 0] with zero-weight keys (minus infinity) scattered every 7th key and
    /// the whole second 512-key tile at minus infinity when there are enough keys.
    /// </summary>
    private static double[] LogWeights(int m, int seed)
    {
        var random = new Random(seed);
        var h = new double[m];
        for (var j = 0; j < m; j++)
        {
            h[j] = j % 7 == 3 ? double.NegativeInfinity : -3 * random.NextDouble();
        }

        if (m > 2 * SoftmaxReduction.TileSize)
        {
            h.AsSpan(SoftmaxReduction.TileSize, SoftmaxReduction.TileSize).Fill(double.NegativeInfinity);
        }

        return h;
    }

    private static SoftmaxPartials ReduceRange(
        double[] x, int n, double[] y, double[] h, double[] v, int dim, double scale, int start, int end, int maxDegreeOfParallelism = -1)
    {
        var count = end - start;
        var keys = new KeyPoints<double>(y.AsSpan(start * dim, count * dim), count, dim);
        var queries = new QueryPoints<double>(x, n, dim);
        var logWeights = keys.CreateLogWeightBuffer();
        h.AsSpan(start, count).CopyTo(logWeights);
        var output = new SoftmaxPartials(n, ValueDimension, withMoment: true);
        SoftmaxReduction.Reduce(queries, keys, logWeights, scale, output, keys.LayoutValues(v.AsSpan(start * ValueDimension, count * ValueDimension), ValueDimension), maxDegreeOfParallelism);
        return output;
    }

    private static SoftmaxPartials CombineAll(int n, SoftmaxPartials first, SoftmaxPartials second)
    {
        var result = new SoftmaxPartials(n, ValueDimension, withMoment: true);
        result.Combine(first);
        result.Combine(second);
        return result;
    }
}
