using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// Symmetries of entropic OT that must hold exactly for the converged problem: permuting points,
/// translating both clouds, exchanging source and target. Both runs converge to an L1 marginal error
/// of 1e-13, so the potentials agree to ~1e-12 of the cost scale; 1e-8 relative leaves room for the
/// different iteration counts and summation orders and still catches any index or sign mix-up.
/// </summary>
public sealed class SinkhornInvarianceTests
{
    private const double Tolerance = 1e-8;

    public static TheoryData<int, double, CostFunction> Cases => new()
    {
        { 2, 0.1, CostFunction.SquaredEuclidean },
        { 3, 0.05, CostFunction.HalfSquaredEuclidean },
        { 12, 0.5, CostFunction.SquaredEuclidean },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Permuting_source_points_permutes_f_and_map_rows_and_leaves_cost_unchanged(int dim, double epsilon, CostFunction cost)
    {
        var (x, a, y, b) = Clouds(23, 29, dim);
        var permutation = Permutation(23, seed: 5);
        var px = PermuteRows(x, permutation, dim);
        var pa = PermuteRows(a, permutation, 1);

        var original = Solve(x, a, y, b, dim, epsilon, cost);
        var permuted = Solve(px, pa, y, b, dim, epsilon, cost);

        var scale = Math.Max(1.0, original.TransportCost);
        TestData.AssertRelative(original.TransportCost, permuted.TransportCost, Tolerance, what: "cost");
        TestData.AssertRelative(original.Dual, permuted.Dual, Tolerance, what: "dual");
        var map = original.BarycentricMap();
        var permutedMap = permuted.BarycentricMap();
        for (var k = 0; k < permutation.Length; k++)
        {
            var i = permutation[k];
            TestData.AssertRelative(original.F[i], permuted.F[k], Tolerance, scale, $"f[{k}] = f[{i}]");
            for (var c = 0; c < dim; c++)
            {
                TestData.AssertRelative(map[(i * dim) + c], permutedMap[(k * dim) + c], Tolerance, what: $"map[{k},{c}]");
            }
        }

        for (var j = 0; j < y.Length / dim; j++)
        {
            TestData.AssertRelative(original.G[j], permuted.G[j], Tolerance, scale, $"g[{j}]");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Permuting_target_points_permutes_g_and_leaves_cost_and_map_unchanged(int dim, double epsilon, CostFunction cost)
    {
        var (x, a, y, b) = Clouds(23, 29, dim);
        var permutation = Permutation(29, seed: 6);
        var original = Solve(x, a, y, b, dim, epsilon, cost);
        var permuted = Solve(x, a, PermuteRows(y, permutation, dim), PermuteRows(b, permutation, 1), dim, epsilon, cost);

        var scale = Math.Max(1.0, original.TransportCost);
        TestData.AssertRelative(original.TransportCost, permuted.TransportCost, Tolerance, what: "cost");
        for (var k = 0; k < permutation.Length; k++)
        {
            TestData.AssertRelative(original.G[permutation[k]], permuted.G[k], Tolerance, scale, $"g[{k}]");
        }

        var map = original.BarycentricMap();
        var permutedMap = permuted.BarycentricMap();
        for (var i = 0; i < map.Length; i++)
        {
            TestData.AssertRelative(map[i], permutedMap[i], Tolerance, what: $"map[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Translating_both_clouds_leaves_cost_objective_dual_and_potentials_unchanged_and_translates_the_map(int dim, double epsilon, CostFunction cost)
    {
        var (x, a, y, b) = Clouds(23, 29, dim);
        var shift = TestData.Points(1, dim, seed: 77, scale: 3.0);
        var original = Solve(x, a, y, b, dim, epsilon, cost);
        var moved = Solve(Translate(x, shift), a, Translate(y, shift), b, dim, epsilon, cost);

        var scale = Math.Max(1.0, original.TransportCost);
        TestData.AssertRelative(original.TransportCost, moved.TransportCost, Tolerance, what: "cost");
        TestData.AssertRelative(original.Objective, moved.Objective, Tolerance, what: "objective");
        TestData.AssertRelative(original.Dual, moved.Dual, Tolerance, what: "dual");
        for (var i = 0; i < original.F.Length; i++)
        {
            TestData.AssertRelative(original.F[i], moved.F[i], Tolerance, scale, $"f[{i}]");
        }

        for (var j = 0; j < original.G.Length; j++)
        {
            TestData.AssertRelative(original.G[j], moved.G[j], Tolerance, scale, $"g[{j}]");
        }

        var map = original.BarycentricMap();
        var movedMap = moved.BarycentricMap();
        for (var i = 0; i < map.Length; i++)
        {
            // Coordinates of size |shift| ~ 3: absolute 1e-8 x 3 covers the rounding of the shift itself.
            TestData.AssertRelative(map[i] + shift[i % dim], movedMap[i], Tolerance, floor: 3, what: $"map[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Swapping_source_and_target_swaps_f_and_g_and_leaves_cost_unchanged(int dim, double epsilon, CostFunction cost)
    {
        var (x, a, y, b) = Clouds(23, 29, dim);
        var forward = Solve(x, a, y, b, dim, epsilon, cost);
        var backward = Solve(y, b, x, a, dim, epsilon, cost);

        // The balancing <f, a> = <g, b> is symmetric in the two sides, so no constant separates them.
        var scale = Math.Max(1.0, forward.TransportCost);
        TestData.AssertRelative(forward.TransportCost, backward.TransportCost, Tolerance, what: "cost");
        TestData.AssertRelative(forward.Objective, backward.Objective, Tolerance, what: "objective");
        TestData.AssertRelative(forward.Dual, backward.Dual, Tolerance, what: "dual");
        for (var i = 0; i < forward.F.Length; i++)
        {
            TestData.AssertRelative(forward.F[i], backward.G[i], Tolerance, scale, $"f[{i}] vs swapped g");
        }

        for (var j = 0; j < forward.G.Length; j++)
        {
            TestData.AssertRelative(forward.G[j], backward.F[j], Tolerance, scale, $"g[{j}] vs swapped f");
        }
    }

    internal static SinkhornOutput Solve(double[] x, double[] a, double[] y, double[] b, int dim, double epsilon, CostFunction cost)
    {
        var problem = new SinkhornProblem(PointCloud.Create(x, a.Length, dim, a), PointCloud.Create(y, b.Length, dim, b));
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Cost = cost, Tolerance = 1e-13, MaxIterations = 100_000 });
        Assert.True(output.Converged, $"not converged after {output.Iterations} iterations (error {output.MarginalError:E3})");
        return output;
    }

    private static (double[] X, double[] A, double[] Y, double[] B) Clouds(int n, int m, int dim) =>
        (TestData.Points(n, dim, seed: 100 + dim), TestData.Weights(n, seed: 200 + dim),
         TestData.Points(m, dim, seed: 300 + dim, shift: 0.25), TestData.Weights(m, seed: 400 + dim));

    private static int[] Permutation(int n, int seed)
    {
        var permutation = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(permutation);
        return permutation;
    }

    /// <summary>Row k of the result is row permutation[k] of <paramref name="rows"/>.</summary>
    private static double[] PermuteRows(double[] rows, int[] permutation, int width)
    {
        var result = new double[rows.Length];
        for (var k = 0; k < permutation.Length; k++)
        {
            Array.Copy(rows, permutation[k] * width, result, k * width, width);
        }

        return result;
    }

    private static double[] Translate(double[] points, double[] shift)
    {
        var result = new double[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            result[i] = points[i] + shift[i % shift.Length];
        }

        return result;
    }
}
