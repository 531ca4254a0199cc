using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

public sealed class ExactOneDimensionalTransportTests
{
    // Costs are sums of a handful of O(1) terms; 1e-12 absolute is ~1e4 ulps of slack for summation order.
    private const double Tolerance = 1e-12;

    [Fact]
    public void Uniform_equal_size_cost_is_mean_squared_sorted_difference()
    {
        var random = new Random(7);
        var x = Enumerable.Range(0, 50).Select(_ => random.NextDouble() * 10 - 5).ToArray();
        var y = Enumerable.Range(0, 50).Select(_ => random.NextDouble() * 3).ToArray();
        var sx = x.Order().ToArray();
        var sy = y.Order().ToArray();
        var expected = sx.Zip(sy, (a, b) => (a - b) * (a - b)).Average();

        Assert.Equal(expected, ExactOneDimensionalTransport.Cost(x, [], y, []), Tolerance);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void Sorted_coupling_equals_brute_force_minimum_over_all_permutations_for_n5(double p)
    {
        var random = new Random(11);
        for (var trial = 0; trial < 20; trial++)
        {
            var x = Enumerable.Range(0, 5).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var y = Enumerable.Range(0, 5).Select(_ => random.NextDouble() * 4 - 1).ToArray();
            var best = Permutations(5).Min(perm => Enumerable.Range(0, 5).Average(i => Math.Pow(Math.Abs(x[i] - y[perm[i]]), p)));

            Assert.Equal(best, ExactOneDimensionalTransport.Cost(x, [], y, [], p), Tolerance);
        }
    }

    [Fact]
    public void Weighted_example_computed_by_hand()
    {
        // Sorted: x = (0, 1) with a = (1/4, 3/4); y = (0.5, 2, 3) with b = (1/2, 1/4, 1/4).
        // North-west corner on the cumulative weights: 0→0.5 (1/4), 1→0.5 (1/4), 1→2 (1/4), 1→3 (1/4).
        // Cost = ¼(0.25 + 0.25 + 1 + 4) = 1.375. Inputs are shuffled and unnormalised on purpose.
        double[] x = [1, 0];
        double[] a = [3, 1];
        double[] y = [3, 0.5, 2];
        double[] b = [1, 2, 1];

        var result = ExactOneDimensionalTransport.Solve(x, a, y, b, computePlan: true);

        Assert.Equal(1.375, result.Cost, Tolerance);
        Assert.NotNull(result.Plan);
        Assert.Equal(
            new[] { new TransportPlanEntry(1, 1, 0.25), new TransportPlanEntry(0, 1, 0.25), new TransportPlanEntry(0, 2, 0.25), new TransportPlanEntry(0, 0, 0.25) },
            result.Plan);

        // With p = 1: ¼(0.5 + 0.5 + 1 + 2) = 1.
        Assert.Equal(1.0, ExactOneDimensionalTransport.Cost(x, a, y, b, p: 1), Tolerance);
    }

    [Fact]
    public void Weighted_cost_equals_brute_force_over_equal_mass_atoms()
    {
        // Integer weights summing to 6 on both sides split each point into atoms of mass 1/6; the
        // optimal atom matching (all 720 permutations) is then a feasible and optimal plan.
        var random = new Random(3);
        for (var trial = 0; trial < 10; trial++)
        {
            var x = Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 4).ToArray();
            var y = Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 4 - 1).ToArray();
            double[] a = trial % 2 == 0 ? [1, 2, 3] : [3, 0, 3];
            double[] b = trial % 2 == 0 ? [2, 1, 1, 2] : [1, 1, 3, 1];
            var atomsX = Atoms(x, a);
            var atomsY = Atoms(y, b);
            var best = Permutations(6).Min(perm => Enumerable.Range(0, 6).Average(i => Math.Pow(atomsX[i] - atomsY[perm[i]], 2)));

            var result = ExactOneDimensionalTransport.Solve(x, a, y, b, computePlan: true);

            Assert.Equal(best, result.Cost, Tolerance);
            AssertMarginals(result.Plan!, a, b);
        }
    }

    [Fact]
    public void Plan_has_the_given_marginals_and_at_most_n_plus_m_minus_one_entries()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 40).Select(_ => random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, 25).Select(_ => random.NextDouble() + 0.3).ToArray();
        var a = Enumerable.Range(0, 40).Select(i => i % 7 == 0 ? 0 : random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, 25).Select(_ => random.NextDouble()).ToArray();

        var result = ExactOneDimensionalTransport.Solve(x, a, y, b, computePlan: true);

        Assert.True(result.Plan!.Count <= 40 + 25 - 1);
        Assert.All(result.Plan, e => Assert.True(e.Mass > 0));
        AssertMarginals(result.Plan, a, b);
        Assert.Equal(result.Plan.Sum(e => e.Mass * Math.Pow(x[e.Source] - y[e.Target], 2)), result.Cost, Tolerance);
        Assert.Null(ExactOneDimensionalTransport.Solve(x, a, y, b).Plan);
    }

    [Fact]
    public void Single_points_and_ties_are_handled()
    {
        Assert.Equal(4.0, ExactOneDimensionalTransport.Cost([1], [], [3], []), Tolerance);
        Assert.Equal(0.0, ExactOneDimensionalTransport.Cost([2, 2, 2], [], [2, 2], []), Tolerance);

        // One source point spread over all targets: the cost is the weighted mean of squared distances.
        Assert.Equal((1 + 0 + 1) / 3.0, ExactOneDimensionalTransport.Cost([0], [], [-1, 0, 1], []), Tolerance);
    }

    [Fact]
    public void Invalid_inputs_name_the_field_and_value()
    {
        var empty = Assert.Throws<InvalidInputException>(() => ExactOneDimensionalTransport.Cost([], [], [1], []));
        Assert.Equal("source", empty.Field);
        var nan = Assert.Throws<InvalidInputException>(() => ExactOneDimensionalTransport.Cost([1], [], [1, double.NaN], []));
        Assert.Equal("target", nan.Field);
        Assert.Contains("point [1] is NaN", nan.Message, StringComparison.Ordinal);
        var weights = Assert.Throws<InvalidInputException>(() => ExactOneDimensionalTransport.Cost([1, 2], [1, -1], [1], []));
        Assert.Equal("source-weights", weights.Field);
        Assert.Contains("-1", weights.Message, StringComparison.Ordinal);
        var count = Assert.Throws<InvalidInputException>(() => ExactOneDimensionalTransport.Cost([1, 2], [], [1], [1, 2]));
        Assert.Equal("target-weights", count.Field);
        var p = Assert.Throws<InvalidInputException>(() => ExactOneDimensionalTransport.Cost([1], [], [1], [], 0.5));
        Assert.Equal("p", p.Field);
        Assert.Contains("0.5", p.Message, StringComparison.Ordinal);
    }

    private static void AssertMarginals(IReadOnlyList<TransportPlanEntry> plan, double[] a, double[] b)
    {
        var sumA = a.Sum();
        var sumB = b.Sum();
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i] / sumA, plan.Where(e => e.Source == i).Sum(e => e.Mass), Tolerance);
        }

        for (var j = 0; j < b.Length; j++)
        {
            Assert.Equal(b[j] / sumB, plan.Where(e => e.Target == j).Sum(e => e.Mass), Tolerance);
        }
    }

    private static double[] Atoms(double[] points, double[] counts) =>
        [.. points.SelectMany((v, i) => Enumerable.Repeat(v, (int)counts[i]))];

    private static IEnumerable<int[]> Permutations(int n)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        return Permute(perm, 0);
    }

    private static IEnumerable<int[]> Permute(int[] perm, int k)
    {
        if (k == perm.Length)
        {
            yield return (int[])perm.Clone();
            yield break;
        }

        for (var i = k; i < perm.Length; i++)
        {
            (perm[k], perm[i]) = (perm[i], perm[k]);
            foreach (var p in Permute(perm, k + 1))
            {
                yield return p;
            }

            (perm[k], perm[i]) = (perm[i], perm[k]);
        }
    }
}
