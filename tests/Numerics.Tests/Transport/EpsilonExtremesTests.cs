using System.Globalization;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// Epsilon at the extremes (issue 12): outside <see cref="EpsilonRange"/> every solver refuses eps naming it, the value
/// and the range; at the edges of the range the answers match independent float64 truths: the second-order expansion
/// of OT_eps around the product coupling at the top, the exact assignment at the bottom.
/// </summary>
public sealed class EpsilonExtremesTests
{
    private const int N = 40;
    private const int M = 30;
    private const int Dim = 2;

    private static SinkhornProblem Problem() => new(
        PointCloud.Create(TestData.Points(N, Dim, seed: 121), N, Dim, TestData.Weights(N, seed: 122)),
        PointCloud.Create(TestData.Points(M, Dim, seed: 123, scale: 0.7, shift: 0.4), M, Dim, TestData.Weights(M, seed: 124)));

    private static double MaxCost(SinkhornProblem problem) =>
        SinkhornProblem.MaxCost(BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target)), CostFunction.SquaredEuclidean);

    public static TheoryData<double, string> Extremes => new()
    {
        { 1e300, "1E+300" },
        { 1e-300, "1E-300" },
    };

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Every_solver_refuses_an_extreme_epsilon_naming_it_the_value_and_the_range(double epsilon, string text)
    {
        var problem = Problem();
        var options = new SinkhornOptions { Epsilon = epsilon };
        var range = EpsilonRange.For(problem, options);
        var bounds = $"[{range.Min.ToString("G3", CultureInfo.InvariantCulture)}, {range.Max.ToString("G3", CultureInfo.InvariantCulture)}]";
        var refusals = new[]
        {
            Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(problem, options)),
            Assert.Throws<InvalidInputException>(() => SinkhornDivergence.Compute(problem, options)),
            Assert.Throws<InvalidInputException>(() => MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions())),
            Assert.Throws<InvalidInputException>(() => MultiscaleSinkhornDivergence.Compute(problem, options, new MultiscaleOptions())),
            Assert.Throws<InvalidInputException>(() => new SinkhornDivergenceFlowModel(problem.Target, options).CheckEpsilon(problem.Source)),
        };

        Assert.All(refusals, refusal =>
        {
            Assert.Equal("epsilon", refusal.Field);
            Assert.StartsWith($"epsilon: {text} is outside the admissible range {bounds}", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("NaN", refusal.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_sinkhorn_flow_refuses_an_extreme_epsilon_at_its_first_stage()
    {
        var problem = Problem();
        var model = new SinkhornDivergenceFlowModel(problem.Target, new SinkhornOptions { Epsilon = 1e300 });
        var positions = problem.Source.Positions.ToArray();
        var weights = problem.Source.Weights.ToArray();
        var flow = new FlowOptions { Integrator = FlowIntegrator.Euler, Step = 0.1, EndTime = 0.2 };
        var refusal = Assert.ThrowsAny<InvalidInputException>(() => FlowDriver.RunAsync(new LocalFlowBackend(model, positions, weights, flow), model, flow, null, default).GetAwaiter().GetResult());
        Assert.Equal("epsilon", refusal.Field);
    }

    [Theory]
    [InlineData(1e300)]
    [InlineData(1e-300)]
    public void A_sinkformer_heat_stage_refuses_an_extreme_epsilon(double epsilon)
    {
        var problem = Problem();
        var model = new SinkformerHeatModel(Dim, epsilon);
        var positions = problem.Source.Positions.ToArray();
        var globals = new FlowGlobals(0, positions, problem.Source.Weights.ToArray(), ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);

        var refusal = Assert.Throws<InvalidInputException>(() => model.PrepareStage(globals));

        Assert.Equal("epsilon", refusal.Field);
        Assert.Contains("is outside the admissible range", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_range_scales_with_the_cost_and_narrows_for_float32_kernels()
    {
        var problem = Problem();
        var range = EpsilonRange.For(problem, new SinkhornOptions { Epsilon = 1 });
        var single = EpsilonRange.For(problem, new SinkhornOptions { Epsilon = 1, Precision = Precision.Single });
        var scaled = new SinkhornProblem(Scaled(problem.Source, 10), Scaled(problem.Target, 10));
        var scaledRange = EpsilonRange.For(scaled, new SinkhornOptions { Epsilon = 1 });

        // eps / c_max is what matters: scaling the coordinates by 10 scales the range by 100.
        TestData.AssertRelative(100 * range.Min, scaledRange.Min, 1e-12, 0, "min");
        TestData.AssertRelative(100 * range.Max, scaledRange.Max, 1e-12, 0, "max");

        // The large-eps bound divides by the kernel's unit roundoff: float32 (2^-24) reaches 2^29 times less far.
        TestData.AssertRelative(range.Max / Math.Pow(2, 29), single.Max, 1e-12, 0, "single max");
        Assert.Equal(range.Min, single.Min);

        // The half cost halves the scale.
        var half = EpsilonRange.For(problem, new SinkhornOptions { Epsilon = 1, Cost = CostFunction.HalfSquaredEuclidean });
        TestData.AssertRelative(range.Max / 2, half.Max, 1e-12, 0, "half-cost max");

        // The demo's usual blur (eps = 1e-2 c_max) and the MMD-like regime (eps = 1e3 c_max) are well inside.
        Assert.True(range.Contains(1e-2 * MaxCost(problem)));
        Assert.True(range.Contains(1e3 * MaxCost(problem)));
    }

    [Fact]
    public void Just_above_the_range_is_refused_and_just_inside_is_solved()
    {
        var problem = Problem();
        var range = EpsilonRange.For(problem, new SinkhornOptions { Epsilon = 1 });
        Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = range.Max * 1.01 }));
        Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = range.Min * 0.99 }));
        Assert.True(SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = range.Max * 0.99 }).Converged);
    }

    [Fact]
    public void At_the_top_of_the_range_float64_solves_match_the_expansion_around_the_product_coupling()
    {
        // For eps >> c the dual is max <f,a> + <g,b> - eps sum a b (e^((f+g-C)/eps) - 1); expanding the exponential to
        // second order gives OT_eps = <a (x) b, C> - sum a_i b_j R_ij^2 / (2 eps) + O(c^3 / eps^2), R the doubly centred
        // cost (C minus its row and column means plus the grand mean). At eps / c_max ~ 1e9 the neglected terms are
        // ~1e-18 c_max: this closed form, computed here entry by entry, is the float64 truth (a log-domain reference
        // would round like the solver). The potentials are not compared: the dual is flat to O(1 / eps) there, so a
        // marginal error below the tolerance pins them only to about eps x tolerance, while the values it pins are exact
        // to second order.
        var problem = Problem();
        var range = EpsilonRange.For(problem, new SinkhornOptions { Epsilon = 1 });
        var epsilon = 0.5 * range.Max;
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon });
        var truth = ProductCouplingReference.Of(problem);
        var maxCost = MaxCost(problem);
        var accuracy = EpsilonRange.Accuracy * maxCost;

        Assert.True(output.Converged);
        Assert.True(output.MarginalError < 1e-6);
        Assert.True(Math.Abs(output.Dual - truth.Dual(epsilon)) <= accuracy, $"dual {output.Dual:R} against {truth.Dual(epsilon):R}");
        Assert.True(Math.Abs(output.Objective - truth.Dual(epsilon)) <= accuracy, $"objective {output.Objective:R} against {truth.Dual(epsilon):R}");
        Assert.True(Math.Abs(output.TransportCost - truth.Cost) <= accuracy, $"cost {output.TransportCost:R} against {truth.Cost:R}");
        // The map is the target's mean for every source point (the product coupling's barycentric map).
        var map = output.BarycentricMap();
        var diameter = Math.Sqrt(maxCost);
        for (var i = 0; i < N; i++)
        {
            for (var k = 0; k < Dim; k++)
            {
                Assert.True(Math.Abs(map[(i * Dim) + k] - truth.TargetMean[k]) <= EpsilonRange.Accuracy * diameter, $"map[{i}, {k}]");
            }
        }
    }

    [Fact]
    public void At_the_top_of_the_float32_range_solves_match_a_float64_reference_within_the_range_accuracy()
    {
        // Float32 kernels stop at eps ~ c_max: there the expansion is not accurate, and a float64 log-domain Sinkhorn
        // (shares no code with the kernels, rounds 2^29 times finer) is the truth.
        var problem = Problem();
        var options = new SinkhornOptions { Epsilon = 1, Precision = Precision.Single, Tolerance = 1e-12 };
        var epsilon = 0.5 * EpsilonRange.For(problem, options).Max;
        var output = SinkhornSolver.Solve(problem, options with { Epsilon = epsilon });
        var reference = new DenseReference(problem.Source.Positions.ToArray(), problem.Source.Weights.ToArray(), problem.Target.Positions.ToArray(), problem.Target.Weights.ToArray(), Dim, epsilon, 1.0);
        var accuracy = EpsilonRange.Accuracy * MaxCost(problem);

        Assert.True(Math.Abs(output.Dual - reference.Dual()) <= accuracy, $"dual {output.Dual:R} against {reference.Dual():R}");
        Assert.True(Math.Abs(output.Objective - reference.Objective()) <= accuracy, $"objective {output.Objective:R} against {reference.Objective():R}");
        Assert.True(Math.Abs(output.TransportCost - reference.Cost()) <= accuracy, $"cost {output.TransportCost:R} against {reference.Cost():R}");
    }

    [Fact]
    public void At_the_bottom_of_the_range_the_solve_is_the_exact_assignment()
    {
        // Six points against six, uniform, with gaps far above eps: the entropic plan is the sorted matching to within
        // e^(-gap / eps) = 0, so OT_eps = W + eps ln n (KL of a permutation plan against a (x) b is ln n), W the assignment's
        // cost, brute-forced here over all 720 permutations.
        double[] x = [0.0, 0.9, 2.1, 3.0, 4.2, 5.1];
        double[] y = [0.3, 1.3, 2.2, 3.6, 4.4, 5.9];
        var problem = new SinkhornProblem(PointCloud.Create(x, 6, 1), PointCloud.Create(y, 6, 1));
        var range = EpsilonRange.For(problem, new SinkhornOptions { Epsilon = 1 });
        var epsilon = 4 * range.Min;
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, MaxIterations = 20_000 });
        var assignment = BestAssignment(x, y);

        Assert.True(output.Converged, $"marginal error {output.MarginalError:R}");
        Assert.True(output.MarginalError <= 1e-6);
        var expected = assignment + (epsilon * Math.Log(6));
        Assert.True(Math.Abs(output.Dual - expected) <= EpsilonRange.Accuracy * MaxCost(problem), $"dual {output.Dual:R} against {expected:R}");
        Assert.True(Math.Abs(output.TransportCost - assignment) <= EpsilonRange.Accuracy * MaxCost(problem), $"cost {output.TransportCost:R} against {assignment:R}");
    }

    [Fact]
    public void A_solve_capped_while_annealing_reports_the_marginal_error_of_the_target_epsilon()
    {
        // Before issue 12 the cap could stop the annealing at an intermediate eps, and the output then reported that easier
        // problem's (small) error as the error of the one asked. The last allowed iteration now runs at the target eps, so
        // the reported error is the column error of the output's own plan at the target eps, computed here entry by entry.
        var problem = Problem();
        var epsilon = 1e-4 * MaxCost(problem);
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, MaxIterations = 5 });
        var reference = new DenseReference(problem.Source.Positions.ToArray(), problem.Source.Weights.ToArray(), problem.Target.Positions.ToArray(), problem.Target.Weights.ToArray(), Dim, epsilon, 1.0, iterations: 0);

        Assert.False(output.Converged);
        Assert.Equal(5, output.Iterations);
        Assert.Equal(epsilon, output.Summary.History[^1].Epsilon);
        var error = 0.0;
        for (var j = 0; j < M; j++)
        {
            var column = 0.0;
            for (var i = 0; i < N; i++)
            {
                column += reference.A[i] * reference.B[j] * Math.Exp((output.F[i] + output.G[j] - reference.C[i, j]) / epsilon);
            }

            error += Math.Abs(column - reference.B[j]);
        }

        Assert.True(error > 1e-6, $"the capped plan's column error {error:R} should be far from converged");
        TestData.AssertRelative(error, output.MarginalError, 1e-6, 0, "marginal error");
    }

    private static PointCloud Scaled(PointCloud cloud, double factor) =>
        PointCloud.Create(cloud.Positions.ToArray().Select(v => v * factor).ToArray(), cloud.Count, cloud.Dimension, cloud.Weights.ToArray());

    private static double BestAssignment(double[] x, double[] y)
    {
        var best = double.PositiveInfinity;
        foreach (var permutation in Permutations(Enumerable.Range(0, y.Length).ToArray(), 0))
        {
            var cost = 0.0;
            for (var i = 0; i < x.Length; i++)
            {
                cost += (x[i] - y[permutation[i]]) * (x[i] - y[permutation[i]]) / x.Length;
            }

            best = Math.Min(best, cost);
        }

        return best;
    }

    private static IEnumerable<int[]> Permutations(int[] items, int start)
    {
        if (start == items.Length)
        {
            yield return (int[])items.Clone();
            yield break;
        }

        for (var k = start; k < items.Length; k++)
        {
            (items[start], items[k]) = (items[k], items[start]);
            foreach (var permutation in Permutations(items, start + 1))
            {
                yield return permutation;
            }

            (items[start], items[k]) = (items[k], items[start]);
        }
    }
}
