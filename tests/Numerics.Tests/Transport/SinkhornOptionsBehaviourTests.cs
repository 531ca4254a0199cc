using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// Annealing, stopping, history, check interval, zero weights and precision: the options change how
/// the solver gets there, never where it ends up (beyond the stated tolerances).
/// </summary>
public sealed class SinkhornOptionsBehaviourTests
{
    private const int N = 31, M = 26, Dim = 2;

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.3)]
    public void Annealing_off_and_on_converge_to_the_same_potentials_and_cost_within_1e8(double epsilon)
    {
        // The problem has a unique solution (up to the balanced constant); both runs stop at an L1
        // marginal error of 1e-13, so they agree to ~1e-12 of the cost scale; 1e-8 relative.
        var problem = Problem();
        var direct = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Scaling = 1, Tolerance = 1e-13, MaxIterations = 100_000 });
        var annealed = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Scaling = 0.5, Tolerance = 1e-13, MaxIterations = 100_000 });

        Assert.True(direct.Converged);
        Assert.True(annealed.Converged);
        AssertSameSolution(direct, annealed, 1e-8);
    }

    [Fact]
    public void Iteration_cap_reached_gives_converged_false_and_iterations_equal_to_the_cap()
    {
        var problem = Problem();
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.01, Tolerance = 1e-12, MaxIterations = 3 });

        Assert.False(output.Converged);
        Assert.Equal(3, output.Iterations);
        Assert.True(output.MarginalError >= 1e-12);
        Assert.True(double.IsFinite(output.Dual));
        Assert.All(output.F, value => Assert.True(double.IsFinite(value)));
    }

    [Fact]
    public void Iteration_cap_at_target_epsilon_records_the_last_iteration_in_the_history()
    {
        var problem = Problem();
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.01, Scaling = 1, Tolerance = 1e-12, MaxIterations = 4 });

        Assert.False(output.Converged);
        Assert.Equal(4, output.Iterations);
        Assert.Equal([1, 2, 3, 4], output.Summary.History.Select(entry => entry.Iteration));
        Assert.Equal(output.MarginalError, output.Summary.History[^1].MarginalError);
    }

    [Fact]
    public void Converged_run_has_a_history_ending_below_the_tolerance()
    {
        var problem = Problem();
        var options = new SinkhornOptions { Epsilon = 0.05, Tolerance = 1e-9 };
        var progress = new List<SinkhornProgress>();
        var output = SinkhornSolver.Solve(problem, options, progress.Add);

        Assert.True(output.Converged);
        var history = output.Summary.History;
        Assert.NotEmpty(history);
        Assert.True(output.MarginalError < options.Tolerance);
        Assert.Equal(output.MarginalError, history[^1].MarginalError);
        Assert.Equal(output.Iterations, history[^1].Iteration);
        Assert.All(history, entry => Assert.Equal(options.Epsilon, entry.Epsilon));
        Assert.All(history, entry => Assert.True(entry.MarginalError2 <= entry.MarginalError + 1e-300, "2-norm exceeds the L1 norm"));
        // Only the last check passed the test; every earlier one was at or above the tolerance, except possibly the
        // one before it: an over-relaxed step that met the tolerance and asked for the plain step that decides.
        Assert.All(history.Take(history.Count - 2), entry => Assert.True(entry.MarginalError >= options.Tolerance));
        Assert.True(history.Zip(history.Skip(1)).All(pair => pair.First.Iteration < pair.Second.Iteration));
        // The progress callback saw the annealing stages too, with decreasing epsilon.
        Assert.True(progress.Count >= history.Count);
        Assert.True(progress.Zip(progress.Skip(1)).All(pair => pair.First.Epsilon >= pair.Second.Epsilon));
    }

    [Fact]
    public void Checking_every_seventh_iteration_stops_on_a_multiple_of_seven_with_the_same_result()
    {
        var problem = Problem();
        var every = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.05, Tolerance = 1e-12, CheckEvery = 1 });
        var seventh = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.05, Tolerance = 1e-12, CheckEvery = 7 });

        Assert.True(seventh.Converged);
        Assert.Equal(0, seventh.Iterations % 7);
        Assert.True(seventh.Iterations >= every.Iterations);
        Assert.True(seventh.Iterations < every.Iterations + 7);
        Assert.All(seventh.Summary.History, entry => Assert.Equal(0, entry.Iteration % 7));
        Assert.True(seventh.MarginalError < 1e-12);
        AssertSameSolution(every, seventh, 1e-8);
    }

    [Theory]
    [InlineData(0.05, CostFunction.SquaredEuclidean)]
    [InlineData(0.5, CostFunction.HalfSquaredEuclidean)]
    public void Zero_weight_points_change_nothing_compared_with_removing_them(double epsilon, CostFunction cost)
    {
        // A point of weight zero carries no mass: the plan restricted to the other points, the cost,
        // the objective and the dual are those of the problem without it. 1e-9 relative (both solves
        // converge to 1e-13).
        var x = TestData.Points(N, Dim, seed: 21);
        var y = TestData.Points(M, Dim, seed: 22, shift: 0.2);
        var a = TestData.Weights(N, seed: 23);
        var b = TestData.Weights(M, seed: 24);
        var options = new SinkhornOptions { Epsilon = epsilon, Cost = cost, Tolerance = 1e-13, MaxIterations = 100_000 };
        var reference = SinkhornSolver.Solve(new SinkhornProblem(PointCloud.Create(x, N, Dim, a), PointCloud.Create(y, M, Dim, b)), options);

        // Insert zero-weight points at the front, in the middle and at the end, some far away
        // (they must not move the annealing result either).
        int[] sourceZeros = [0, 10, N + 2];
        int[] targetZeros = [5, M + 1];
        var (x0, a0, sourceMap) = WithZeros(x, a, Dim, sourceZeros, seed: 25);
        var (y0, b0, targetMap) = WithZeros(y, b, Dim, targetZeros, seed: 26);
        var padded = SinkhornSolver.Solve(new SinkhornProblem(PointCloud.Create(x0, a0.Length, Dim, a0), PointCloud.Create(y0, b0.Length, Dim, b0)), options);

        Assert.True(reference.Converged);
        Assert.True(padded.Converged);
        var scale = Math.Max(1.0, reference.TransportCost);
        TestData.AssertRelative(reference.TransportCost, padded.TransportCost, 1e-9, what: "cost");
        TestData.AssertRelative(reference.Objective, padded.Objective, 1e-9, what: "objective");
        TestData.AssertRelative(reference.Dual, padded.Dual, 1e-9, what: "dual");
        var referenceMap = reference.BarycentricMap();
        var paddedMap = padded.BarycentricMap();
        for (var i = 0; i < N; i++)
        {
            TestData.AssertRelative(reference.F[i], padded.F[sourceMap[i]], 1e-9, scale, $"f[{i}]");
            for (var k = 0; k < Dim; k++)
            {
                TestData.AssertRelative(referenceMap[(i * Dim) + k], paddedMap[(sourceMap[i] * Dim) + k], 1e-9, what: $"map[{i},{k}]");
            }
        }

        for (var j = 0; j < M; j++)
        {
            TestData.AssertRelative(reference.G[j], padded.G[targetMap[j]], 1e-9, scale, $"g[{j}]");
        }

        Assert.All(padded.F, value => Assert.True(double.IsFinite(value)));
        Assert.All(paddedMap, value => Assert.True(double.IsFinite(value)));
    }

    [Theory]
    [InlineData(3, 0.05)]
    [InlineData(16, 0.5)]
    public void Single_precision_matches_double_within_float32_tolerance(int dim, double epsilon)
    {
        // float32 scores round C/eps with relative error 6e-8; with |C|/eps up to ~40 (d = 3, eps = 0.05)
        // or ~100 (d = 16, the dot-product path, whose cancellation loses a further factor of a few),
        // plan entries carry relative errors ~1e-5, so values of the order of the cost agree to about
        // 1e-5; 1e-4 relative is the float32 bound used here and in the dense reference tests.
        const int n = 200, m = 170;
        var problem = new SinkhornProblem(
            PointCloud.Create(TestData.Points(n, dim, seed: 41), n, dim, TestData.Weights(n, seed: 42)),
            PointCloud.Create(TestData.Points(m, dim, seed: 43, shift: 0.2), m, dim, TestData.Weights(m, seed: 44)));
        var exact = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-10 });
        var fast = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-6, Precision = Precision.Single });

        Assert.True(exact.Converged);
        Assert.True(fast.Converged);
        TestData.AssertRelative(exact.TransportCost, fast.TransportCost, 1e-4, what: "cost");
        TestData.AssertRelative(exact.Dual, fast.Dual, 1e-4, what: "dual");
        TestData.AssertRelative(exact.Objective, fast.Objective, 1e-4, what: "objective");
        for (var i = 0; i < n; i++)
        {
            TestData.AssertRelative(exact.F[i], fast.F[i], 1e-4, floor: exact.TransportCost, what: $"f[{i}]");
        }

        var exactMap = exact.BarycentricMap();
        var fastMap = fast.BarycentricMap();
        for (var i = 0; i < exactMap.Length; i++)
        {
            TestData.AssertRelative(exactMap[i], fastMap[i], 1e-4, what: $"map[{i}]");
        }
    }

    private static SinkhornProblem Problem() => new(
        PointCloud.Create(TestData.Points(N, Dim, seed: 11), N, Dim, TestData.Weights(N, seed: 12)),
        PointCloud.Create(TestData.Points(M, Dim, seed: 13, shift: 0.3), M, Dim, TestData.Weights(M, seed: 14)));

    private static void AssertSameSolution(SinkhornOutput expected, SinkhornOutput actual, double tolerance)
    {
        var scale = Math.Max(1.0, expected.TransportCost);
        TestData.AssertRelative(expected.TransportCost, actual.TransportCost, tolerance, what: "cost");
        TestData.AssertRelative(expected.Dual, actual.Dual, tolerance, what: "dual");
        TestData.AssertRelative(expected.Objective, actual.Objective, tolerance, what: "objective");
        for (var i = 0; i < expected.F.Length; i++)
        {
            TestData.AssertRelative(expected.F[i], actual.F[i], tolerance, scale, $"f[{i}]");
        }

        for (var j = 0; j < expected.G.Length; j++)
        {
            TestData.AssertRelative(expected.G[j], actual.G[j], tolerance, scale, $"g[{j}]");
        }
    }

    /// <summary>Inserts zero-weight points at the given final positions; returns where each original point went.</summary>
    private static (double[] Points, double[] Weights, int[] Map) WithZeros(double[] points, double[] weights, int dim, int[] zeroPositions, int seed)
    {
        var total = weights.Length + zeroPositions.Length;
        var extra = TestData.Points(zeroPositions.Length, dim, seed: seed, scale: 3.0);
        var resultPoints = new double[total * dim];
        var resultWeights = new double[total];
        var map = new int[weights.Length];
        var original = 0;
        var inserted = 0;
        for (var p = 0; p < total; p++)
        {
            if (zeroPositions.Contains(p))
            {
                Array.Copy(extra, inserted * dim, resultPoints, p * dim, dim);
                inserted++;
                continue;
            }

            Array.Copy(points, original * dim, resultPoints, p * dim, dim);
            resultWeights[p] = weights[original];
            map[original] = p;
            original++;
        }

        return (resultPoints, resultWeights, map);
    }

    [Fact]
    public void Coordinates_too_far_apart_for_float64_costs_are_an_input_error_not_a_hang()
    {
        var problem = new SinkhornProblem(PointCloud.Create([0.0, 1e160], 2, 1), PointCloud.Create([0.0, 1.0], 2, 1));
        var error = Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.1 }));

        // The cloud to fix is named (the option it came from), not "points": here the source spans 1e160 itself; a target
        // far from a tight source is the target's fault.
        Assert.Equal("source", error.Field);
        var farTarget = new SinkhornProblem(PointCloud.Create([0.0, 1.0], 2, 1), PointCloud.Create([1e160, 1e160 + 1e150], 2, 1));
        Assert.Equal("target", Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(farTarget, new SinkhornOptions { Epsilon = 0.1 })).Field);
        Assert.Equal(EpsilonSchedule.MaxStages, EpsilonSchedule.Create(1e300, 1e-300, 0.9999999).Length - 1);
    }
}
