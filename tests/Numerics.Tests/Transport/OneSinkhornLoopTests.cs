using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// Dense and multiscale are one loop (<c>SinkhornRun</c>): the dense solve is the single-level, untruncated case of the
/// multiscale schedule. A multiscale solve asked for one level must therefore reproduce the dense solve: the same
/// iterations (the same schedule, relaxation and stopping test), and the same numbers up to the order of the float64
/// sums (the multiscale hierarchy lists the points in Morton order, the dense solve in input order): 1e-12 relative on
/// the values, 1e-10 of the largest cost on the potentials, far below the tolerance (1e-9) that stops both.
/// </summary>
public sealed class OneSinkhornLoopTests
{
    [Theory]
    [InlineData(2, 0.05)]
    [InlineData(3, 0.01)]
    public void Dense_solve_equals_the_one_level_multiscale_solve(int dim, double epsilon)
    {
        const int n = 150, m = 170;
        var source = PointCloud.Create(TestData.Points(n, dim, seed: 71), n, dim, TestData.Weights(n, seed: 72));
        var target = PointCloud.Create(TestData.Points(m, dim, seed: 73, scale: 0.8, shift: 0.1), m, dim, TestData.Weights(m, seed: 74));
        var problem = new SinkhornProblem(source, target);
        var options = new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-9, MaxIterations = 20_000 };

        var dense = SinkhornSolver.Solve(problem, options);
        var oneLevel = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions { Levels = 1 });

        Assert.True(dense.Converged);
        Assert.True(oneLevel.Converged);
        Assert.Equal(1, oneLevel.LevelCount);
        Assert.Equal(0, oneLevel.NeglectedMass);
        Assert.Equal(dense.Iterations, oneLevel.Iterations);
        Assert.Equal(dense.Summary.KernelEvaluations, oneLevel.Levels[0].KernelEvaluations - ((long)n * m));
        TestData.AssertRelative(dense.Dual, oneLevel.Dual, 1e-12, what: "dual");
        TestData.AssertRelative(dense.TransportCost, oneLevel.TransportCost, 1e-12, what: "transport cost");
        var maxCost = SinkhornProblem.MaxCost(BoundingBox.Of(source).Union(BoundingBox.Of(target)), options.Cost);
        for (var i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(dense.F[i] - oneLevel.F[i]) <= 1e-10 * maxCost, $"f[{i}]: {dense.F[i]:R} against {oneLevel.F[i]:R}");
        }

        for (var j = 0; j < m; j++)
        {
            Assert.True(Math.Abs(dense.G[j] - oneLevel.G[j]) <= 1e-10 * maxCost, $"g[{j}]: {dense.G[j]:R} against {oneLevel.G[j]:R}");
        }

        var denseMap = dense.BarycentricMap();
        for (var k = 0; k < denseMap.Length; k++)
        {
            Assert.True(Math.Abs(denseMap[k] - oneLevel.Map[k]) <= 1e-10, $"map[{k}]: {denseMap[k]:R} against {oneLevel.Map[k]:R}");
        }
    }

    /// <summary>
    /// One cloud object on both sides is a self problem for the dense solver as for the multiscale one (symmetric averaged
    /// steps): its value is the self term of the divergence, and equals the alternating solve of the same points given as
    /// two objects (the same fixed point) within the tolerance's effect on the dual (1e-9 relative).
    /// </summary>
    [Fact]
    public void The_same_cloud_on_both_sides_is_solved_as_the_self_problem()
    {
        const int n = 120, dim = 2;
        var x = TestData.Points(n, dim, seed: 75);
        var a = TestData.Weights(n, seed: 76);
        var cloud = PointCloud.Create(x, n, dim, a);
        var options = new SinkhornOptions { Epsilon = 0.02, Tolerance = 1e-11, MaxIterations = 20_000 };

        var self = SinkhornSolver.Solve(new SinkhornProblem(cloud, cloud), options);
        var alternating = SinkhornSolver.Solve(new SinkhornProblem(cloud, PointCloud.Create(x, n, dim, a)), options);
        var divergence = SinkhornDivergence.Compute(new SinkhornProblem(cloud, cloud), options);

        Assert.True(self.Converged && alternating.Converged);
        Assert.Equal(divergence.SelfSource.Dual, self.Dual);
        Assert.Equal(divergence.SelfSource.Iterations, self.Iterations);
        TestData.AssertRelative(alternating.Dual, self.Dual, 1e-9, what: "OT_eps(a, a)");
        Assert.True(self.Iterations < alternating.Iterations, $"symmetric {self.Iterations} iterations, alternating {alternating.Iterations}");
    }
}
