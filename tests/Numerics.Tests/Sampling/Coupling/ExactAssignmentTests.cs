using Transport.Numerics.Sampling.Coupling;

namespace Transport.Numerics.Tests.Sampling.Coupling;

/// <summary>The exact assignment against enumeration of all permutations, against sorting in 1-D, and on identical clouds.</summary>
public sealed class ExactAssignmentTests
{
    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(3, 2, 2)]
    [InlineData(5, 3, 3)]
    [InlineData(6, 2, 4)]
    [InlineData(7, 2, 5)]
    [InlineData(7, 4, 6)]
    public void Matches_the_best_of_all_permutations(int n, int d, int seed)
    {
        // Brute force: enumerate all n! permutations (5040 for n = 7) and keep the smallest cost. Ties between
        // permutations are measure-zero for random points, but the costs are compared, not the permutations; both
        // sides sum the same n float64 terms, so 1e-12 relative.
        var source = TestData.Points(n, d, seed);
        var target = TestData.Points(n, d, seed + 100, scale: 1.5, shift: 0.2);

        var permutation = ExactAssignment.Solve(source, target, d);

        Assert.Equal(Enumerable.Range(0, n), permutation.Order());
        var best = double.PositiveInfinity;
        foreach (var candidate in Permutations(n))
        {
            best = Math.Min(best, ExactAssignment.TotalCost(source, target, d, candidate));
        }

        TestData.AssertRelative(best, ExactAssignment.TotalCost(source, target, d, permutation), 1e-12, what: "optimal cost");
    }

    [Fact]
    public void In_one_dimension_matches_sorted_order()
    {
        // Theorem: for a strictly convex cost in 1-D the monotone (sorted) matching is the unique optimum for distinct
        // points, so the permutation must map the k-th smallest source to the k-th smallest target exactly.
        const int n = 200;
        var source = TestData.Points(n, 1, seed: 40);
        var target = TestData.Points(n, 1, seed: 41, scale: 2.0, shift: 0.5);

        var permutation = ExactAssignment.Solve(source, target, 1);

        var sourceOrder = Enumerable.Range(0, n).OrderBy(i => source[i]).ToArray();
        var targetOrder = Enumerable.Range(0, n).OrderBy(j => target[j]).ToArray();
        for (var k = 0; k < n; k++)
        {
            Assert.Equal(targetOrder[k], permutation[sourceOrder[k]]);
        }
    }

    [Fact]
    public void Identical_clouds_are_matched_to_themselves()
    {
        // Zero cost is attained only by the identity for distinct points, so the result must be the identity.
        const int n = 150, d = 3;
        var points = TestData.Points(n, d, seed: 42);

        Assert.Equal(Enumerable.Range(0, n), ExactAssignment.Solve(points, points, d));
    }

    [Fact]
    public void Rejects_unequal_sizes_and_batches_above_the_limit()
    {
        Assert.Equal("target", Assert.Throws<InvalidInputException>(() => ExactAssignment.Solve([0.0, 1.0], [0.0], 1)).Field);
        var big = new double[ExactAssignment.MaxSize + 1];
        var error = Assert.Throws<InvalidInputException>(() => ExactAssignment.Solve(big, big, 1));
        Assert.Equal("source", error.Field);
        Assert.Contains("3000", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        var current = Enumerable.Range(0, n).ToArray();
        return Permute(current, 0);
    }

    private static IEnumerable<int[]> Permute(int[] current, int position)
    {
        if (position == current.Length)
        {
            yield return (int[])current.Clone();
            yield break;
        }

        for (var i = position; i < current.Length; i++)
        {
            (current[position], current[i]) = (current[i], current[position]);
            foreach (var permutation in Permute(current, position + 1))
            {
                yield return permutation;
            }

            (current[position], current[i]) = (current[i], current[position]);
        }
    }
}
