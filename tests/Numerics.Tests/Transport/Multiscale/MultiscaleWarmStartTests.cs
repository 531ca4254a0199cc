using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>Warm starts: same fixed point as a cold solve, fewer iterations, bad potentials rejected.</summary>
public sealed class MultiscaleWarmStartTests(ITestOutputHelper output)
{
    private static readonly MultiscaleOptions ThreeLevels = new() { Levels = 3, LeafClusterSize = 16 };

    [Fact]
    public void Warm_start_from_the_solution_of_a_nearby_problem_converges_to_the_cold_answer_in_fewer_iterations()
    {
        var problem = MultiscaleTestProblems.Random(1500, 1400, 2, seed: 11);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.05, CostFunction.SquaredEuclidean), Tolerance = 1e-6 };
        var previous = MultiscaleSinkhornSolver.Solve(problem, options, ThreeLevels);

        // The next flow step: every source point moved by a small displacement.
        var moved = MultiscaleTestProblems.Perturbed(problem, 0.002, seed: 12);
        var cold = MultiscaleSinkhornSolver.Solve(moved, options, ThreeLevels);
        var warm = MultiscaleSinkhornSolver.Solve(moved, options, ThreeLevels, new MultiscaleWarmStart(previous.F, previous.G));
        output.WriteLine($"cold: {MultiscaleTestProblems.Describe(cold)}");
        output.WriteLine($"warm: {MultiscaleTestProblems.Describe(warm)}");

        Assert.True(cold.Converged);
        Assert.True(warm.Converged);
        Assert.True(warm.Iterations < cold.Iterations, $"warm {warm.Iterations} iterations, cold {cold.Iterations}");
        // Both stop at marginal error 1e-6 with neglected mass <= 1e-5: values agree to about 1e-5 of their scale.
        var scale = MultiscaleTestProblems.SquaredDiameter(problem);
        Assert.True(Math.Abs(warm.TransportCost - cold.TransportCost) <= 1e-4 * Math.Abs(cold.TransportCost), $"cost warm {warm.TransportCost}, cold {cold.TransportCost}");
        Assert.True(Math.Abs(warm.Dual - cold.Dual) <= 1e-4 * Math.Abs(cold.Dual), $"dual warm {warm.Dual}, cold {cold.Dual}");
        for (var i = 0; i < cold.F.Length; i++)
        {
            Assert.True(Math.Abs(warm.F[i] - cold.F[i]) <= 1e-4 * scale, $"f[{i}]: warm {warm.F[i]}, cold {cold.F[i]}");
        }
    }

    [Fact]
    public void Warm_start_with_wrong_length_or_non_finite_values_names_the_field()
    {
        var problem = MultiscaleTestProblems.Random(50, 40, 2, seed: 3);
        var options = new SinkhornOptions { Epsilon = 0.01 };
        var shortF = Assert.Throws<InvalidInputException>(() => MultiscaleSinkhornSolver.Solve(problem, options, ThreeLevels, new MultiscaleWarmStart(new double[49], new double[40])));
        Assert.Contains("warm-start.f", shortF.Message, StringComparison.Ordinal);
        var g = new double[40];
        g[7] = double.NaN;
        var nan = Assert.Throws<InvalidInputException>(() => MultiscaleSinkhornSolver.Solve(problem, options, ThreeLevels, new MultiscaleWarmStart(new double[50], g)));
        Assert.Contains("warm-start.g", nan.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);
    }
}
