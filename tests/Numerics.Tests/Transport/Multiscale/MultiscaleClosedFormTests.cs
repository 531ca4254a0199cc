using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>Closed-form answers and degenerate inputs.</summary>
public sealed class MultiscaleClosedFormTests
{
    private static readonly MultiscaleOptions ThreeLevels = new() { Levels = 3, LeafClusterSize = 16 };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Translated_copy_costs_the_squared_shift_more_than_the_self_problem(int dim)
    {
        // For b = a shifted by h and c = |x - y|^2, OT_eps(a, a + h) = OT_eps(a, a) + |h|^2 exactly: the
        // cross term -2<h, x - y> integrates to zero under any plan with equal marginals and is absorbed
        // by the potentials. Both values come from the multiscale solver, so the identity tests it alone.
        var n = dim == 2 ? 1200 : 1000;
        var x = TestData.Points(n, dim, seed: 5);
        var h = Enumerable.Range(0, dim).Select(k => 0.3 - (0.2 * k)).ToArray();
        var y = (double[])x.Clone();
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += h[i % dim];
        }

        var weights = TestData.Weights(n, seed: 6);
        var source = PointCloud.Create(x, n, dim, weights);
        var shifted = new SinkhornProblem(source, PointCloud.Create(y, n, dim, weights));
        var self = new SinkhornProblem(source, source);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(shifted, 0.05, CostFunction.SquaredEuclidean), Tolerance = 1e-7 };

        var cross = MultiscaleSinkhornSolver.Solve(shifted, options, ThreeLevels);
        var reference = MultiscaleSinkhornSolver.Solve(self, options, ThreeLevels);

        Assert.True(cross.Converged && reference.Converged);
        var squaredShift = h.Sum(v => v * v);
        // 1e-5 relative: marginals within 1e-7 and the neglected mass within 1e-5 bound both objectives.
        TestData.AssertRelative(reference.Objective + squaredShift, cross.Objective, 1e-5, what: "objective");
        TestData.AssertRelative(reference.TransportCost + squaredShift, cross.TransportCost, 1e-5, what: "cost");
    }

    [Fact]
    public void All_source_points_equal_gives_the_mean_cost_to_the_target()
    {
        // With every source point at p the only plan is a x b: <P, C> = sum_j b_j |p - y_j|^2.
        const int n = 600, m = 700, dim = 2;
        var p = new[] { 0.3, -0.2 };
        var x = Enumerable.Range(0, n * dim).Select(k => p[k % dim]).ToArray();
        var y = TestData.Points(m, dim, seed: 8);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim), PointCloud.Create(y, m, dim, TestData.Weights(m, 9)));
        var options = new SinkhornOptions { Epsilon = 0.01 };

        var result = MultiscaleSinkhornSolver.Solve(problem, options, ThreeLevels);

        var expected = 0.0;
        for (var j = 0; j < m; j++)
        {
            expected += problem.Target.Weights[j] * CostFunction.SquaredEuclidean.Evaluate(p, problem.Target.Point(j));
        }

        AssertFinite(result);
        Assert.True(result.Converged);
        TestData.AssertRelative(expected, result.TransportCost, 1e-9, what: "cost");
    }

    [Fact]
    public void Single_points_on_both_sides_cost_their_squared_distance()
    {
        var problem = new SinkhornProblem(PointCloud.Create([1.0, 2.0, 3.0], 1, 3), PointCloud.Create([1.5, 2.0, 1.0], 1, 3));
        var result = MultiscaleSinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.1 }, new MultiscaleOptions { Levels = 2 });

        AssertFinite(result);
        Assert.True(result.Converged);
        TestData.AssertRelative(4.25, result.TransportCost, 1e-12, what: "cost");
        TestData.AssertRelative(4.25, result.Objective, 1e-12, what: "objective");
    }

    [Fact]
    public void Far_apart_clouds_match_dense()
    {
        // 1000 diameters apart: the joint box is huge, every cluster level collapses towards single
        // cells, and the costs are ~1e6 times the clouds' spread.
        const int n = 800, m = 900, dim = 2;
        var x = TestData.Points(n, dim, seed: 12);
        var y = TestData.Points(m, dim, seed: 13, shift: 1000.0);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim), PointCloud.Create(y, m, dim));
        var options = new SinkhornOptions { Epsilon = 0.05 };

        var dense = SinkhornSolver.Solve(problem, options);
        var result = MultiscaleSinkhornSolver.Solve(problem, options, ThreeLevels);

        AssertFinite(result);
        Assert.True(result.Converged);
        // Relative 1e-9 on a cost of ~2e6: both solvers see the same huge costs; only rounding differs.
        TestData.AssertRelative(dense.TransportCost, result.TransportCost, 1e-9, what: "cost");
        TestData.AssertRelative(dense.Objective, result.Objective, 1e-9, what: "objective");
    }

    [Theory]
    [InlineData(0, 5.0, "levels")]
    [InlineData(99, 5.0, "levels")]
    [InlineData(2, 0.0, "truncate")]
    [InlineData(2, double.NaN, "truncate")]
    public void Invalid_options_name_the_field(int levels, double truncation, string field)
    {
        var problem = MultiscaleTestProblems.Random(10, 10, 2, seed: 1);
        var error = Assert.Throws<InvalidInputException>(() =>
            MultiscaleSinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.1 }, new MultiscaleOptions { Levels = levels, Truncation = truncation }));
        Assert.Equal(field, error.Field);
    }

    private static void AssertFinite(MultiscaleOutput result)
    {
        Assert.All(result.F, v => Assert.True(double.IsFinite(v)));
        Assert.All(result.G, v => Assert.True(double.IsFinite(v)));
        Assert.True(double.IsFinite(result.TransportCost) && double.IsFinite(result.Objective) && double.IsFinite(result.Dual) && double.IsFinite(result.NeglectedMass));
    }
}
