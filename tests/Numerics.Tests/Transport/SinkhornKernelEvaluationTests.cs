using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// The work count of a dense solve, in point-pair cost evaluations (the measure dense and multiscale runs are
/// compared by). A soft c-transform of n queries against m keys costs n m, so with K cross iterations, K_a and
/// K_b self iterations (a self problem is the cross problem of a cloud with itself, run by the same loop):
/// <list type="bullet">
/// <item>the cross schedule costs 2 K n m (an update f = T_b(g) and a check g* = T_a(f) per iteration, annealing
/// stages and the convergence test included: the test reuses the check);</item>
/// <item>the plan evaluation (cost and map together) costs one more n m;</item>
/// <item>the self problems cost 2 K_a n^2 + 2 K_b m^2 (an update and a check per iteration, like the cross problem).</item>
/// </list>
/// Counts are integers, so every comparison is exact.
/// </summary>
public sealed class SinkhornKernelEvaluationTests
{
    private const int N = 7;
    private const int M = 5;
    private const int Dim = 2;

    private static SinkhornProblem Problem() => new(
        PointCloud.Create(TestData.Points(N, Dim, seed: 71), N, Dim, TestData.Weights(N, seed: 72)),
        PointCloud.Create(TestData.Points(M, Dim, seed: 73, scale: 0.8, shift: 0.3), M, Dim, TestData.Weights(M, seed: 74)));

    [Fact]
    public void Three_capped_iterations_cost_6nm_and_the_plan_evaluation_one_more_nm()
    {
        // The cap fixes K = 3 whatever the data: 2 x 3 x 7 x 5 = 210 during the schedule, 245 with the cost.
        var output = SinkhornSolver.Solve(Problem(), new SinkhornOptions { Epsilon = 0.01, MaxIterations = 3 });

        Assert.Equal(3, output.Iterations);
        Assert.False(output.Converged);
        Assert.Equal(210, output.Summary.KernelEvaluations);
        Assert.Equal(210, output.KernelEvaluations);
        _ = output.TransportCost;
        Assert.Equal(245, output.KernelEvaluations);

        // The map shares the cost's pass, which is made once.
        _ = output.BarycentricMap();
        _ = output.TransportCost;
        Assert.Equal(245, output.KernelEvaluations);

        // Each plan product and top-k query is another pass over all pairs.
        _ = output.ApplyPlan(new double[M], 1);
        _ = output.ApplyPlanTranspose(new double[N], 1);
        _ = output.TopK(2);
        Assert.Equal(245 + (3 * N * M), output.KernelEvaluations);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void A_converged_cross_solve_costs_2K_plus_1_times_nm(double scaling)
    {
        var output = SinkhornSolver.Solve(Problem(), new SinkhornOptions { Epsilon = 0.05, Tolerance = 1e-9, Scaling = scaling });
        _ = output.TransportCost;

        Assert.True(output.Converged);
        Assert.Equal(((2L * output.Iterations) + 1) * N * M, output.KernelEvaluations);
    }

    [Fact]
    public void The_divergence_adds_the_self_problems_2K_times_n_squared_and_m_squared()
    {
        var divergence = SinkhornDivergence.Compute(Problem(), new SinkhornOptions { Epsilon = 0.05, Tolerance = 1e-9 });
        _ = divergence.Cross.TransportCost;

        Assert.True(divergence.Converged);
        Assert.Equal(2L * divergence.SelfSource.Iterations * N * N, divergence.SelfSource.KernelEvaluations);
        Assert.Equal(2L * divergence.SelfTarget.Iterations * M * M, divergence.SelfTarget.KernelEvaluations);
        var expected = (((2L * divergence.Cross.Iterations) + 1) * N * M)
            + (2L * divergence.SelfSource.Iterations * N * N)
            + (2L * divergence.SelfTarget.Iterations * M * M);
        Assert.Equal(expected, divergence.KernelEvaluations);

        // The gradient needs the self map: one more n^2.
        _ = divergence.SourceGradient();
        Assert.Equal(expected + (N * N), divergence.KernelEvaluations);
    }
}
