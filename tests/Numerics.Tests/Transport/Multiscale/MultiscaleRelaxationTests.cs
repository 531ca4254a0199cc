using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// Over-relaxation of the cross problem and the symmetric update of self problems: same fixed point as plain
/// Sinkhorn (the dense solver is the reference), fewer iterations.
/// </summary>
public sealed class MultiscaleRelaxationTests(ITestOutputHelper output)
{
    private static readonly MultiscaleOptions Adaptive = new() { Levels = 3, LeafClusterSize = 16 };

    [Fact]
    public void Over_relaxed_cross_solve_reaches_the_plain_fixed_point_in_fewer_iterations()
    {
        // Small blur (0.02 x diameter): plain Sinkhorn contracts slowly, the regime relaxation is for.
        var problem = MultiscaleTestProblems.Random(1500, 1400, 2, seed: 61);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.02, CostFunction.SquaredEuclidean), Tolerance = 1e-6 };
        var plain = MultiscaleSinkhornSolver.Solve(problem, options, Adaptive with { Overrelaxation = 1 });
        var relaxed = MultiscaleSinkhornSolver.Solve(problem, options, Adaptive);
        var dense = SinkhornSolver.Solve(problem, options);
        output.WriteLine($"plain: {MultiscaleTestProblems.Describe(plain)}");
        output.WriteLine($"relaxed: {MultiscaleTestProblems.Describe(relaxed)}");
        output.WriteLine($"dense: {dense.Iterations} iterations");

        Assert.True(plain.Converged);
        Assert.True(relaxed.Converged);
        Assert.True(relaxed.Iterations * 2 < plain.Iterations, $"relaxed {relaxed.Iterations} iterations, plain {plain.Iterations}");
        // The relaxed solve ends on a plain step below the tolerance, so it meets the same checks as the plain one.
        Assert.True(relaxed.MarginalError < options.Tolerance);
        MultiscaleTestProblems.AssertMatchesDense(dense, relaxed, MultiscaleTestProblems.SquaredDiameter(problem));
    }

    [Fact]
    public void Self_problem_with_symmetric_steps_matches_the_dense_self_value_in_few_iterations()
    {
        // Self problems take the symmetric averaged step (SinkhornSchedule), which contracts by at most 1/2 per
        // half-step: this problem took 221 alternating over-relaxed iterations and 2,763 plain ones before.
        var problem = MultiscaleTestProblems.Random(1500, 1400, 2, seed: 71);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.02, CostFunction.SquaredEuclidean), Tolerance = 1e-6 };
        var self = MultiscaleSinkhornSolver.Solve(new SinkhornProblem(problem.Source, problem.Source), options, Adaptive);
        var dense = SinkhornDivergence.Compute(problem, options);
        output.WriteLine($"self: {MultiscaleTestProblems.Describe(self)}");

        Assert.True(self.Converged);
        Assert.True(self.Iterations < 100, $"{self.Iterations} iterations");
        // The dense self solve gives OT_eps(a, a); both stop at 1e-6 with neglected mass <= 1e-5.
        TestData.AssertRelative(dense.SelfSource.Dual, self.Dual, 1e-4, floor: 1e-12, what: "self value");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    public void Overrelaxation_outside_one_to_two_names_the_field(double value)
    {
        var problem = MultiscaleTestProblems.Random(50, 40, 2, seed: 3);
        var error = Assert.Throws<InvalidInputException>(() => MultiscaleSinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.01 }, Adaptive with { Overrelaxation = value }));
        Assert.Contains("overrelaxation", error.Message, StringComparison.Ordinal);
    }
}
