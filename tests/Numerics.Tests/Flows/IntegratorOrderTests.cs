using Transport.Numerics.Flows;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Flows;

public sealed class IntegratorOrderTests(ITestOutputHelper output)
{
    private static readonly double[] Start = [1.0, 0.0, -0.3, 0.8, 0.5, 0.5];

    [Theory]
    [InlineData(FlowIntegrator.Euler, 1, 0.02)]
    [InlineData(FlowIntegrator.Heun, 2, 0.02)]
    [InlineData(FlowIntegrator.Rk4, 4, 0.1)]
    public async Task Observed_order_matches_the_method_on_a_linear_ode(FlowIntegrator integrator, int order, double coarse)
    {
        var model = new LinearModel(0.5, 1.0);
        var errors = new List<double>();
        foreach (var step in new[] { coarse, coarse / 2, coarse / 4 })
        {
            var options = new FlowOptions { Integrator = integrator, Step = step, EndTime = 2.0, SnapshotEvery = 1000 };
            var trajectory = await FlowRuns.RunAsync(model, Start, options);
            errors.Add(MaxError(model, trajectory.FinalPositions, 2.0));
        }

        for (var k = 0; k + 1 < errors.Count; k++)
        {
            var slope = Math.Log2(errors[k] / errors[k + 1]);
            output.WriteLine($"{integrator}: error {errors[k]:E3} -> {errors[k + 1]:E3}, slope {slope:F3}");
            Assert.InRange(slope, order - 0.2, order + 0.2);
        }
    }

    [Theory]
    [InlineData(1e-6, FlowErrorNorm.Rms)]
    [InlineData(1e-9, FlowErrorNorm.Rms)]
    [InlineData(1e-7, FlowErrorNorm.Max)]
    public async Task Adaptive_integrator_meets_its_tolerance(double tolerance, FlowErrorNorm norm)
    {
        var model = new LinearModel(0.5, 3.0);
        var options = new FlowOptions
        {
            Integrator = FlowIntegrator.Adaptive,
            Step = 1.0,
            EndTime = 3.0,
            RelativeTolerance = tolerance,
            AbsoluteTolerance = tolerance,
            ErrorNorm = norm,
            SnapshotEvery = 1000,
        };
        var trajectory = await FlowRuns.RunAsync(model, Start, options);
        output.WriteLine($"tol {tolerance:E0} {norm}: error {MaxError(model, trajectory.FinalPositions, 3.0):E3}, {trajectory.Steps} steps, {trajectory.RejectedSteps} rejected");

        // The local error per unit step is controlled to the tolerance; the global error over t = 3 with a
        // contracting field stays within a small multiple of it.
        Assert.True(MaxError(model, trajectory.FinalPositions, 3.0) < 10 * tolerance, $"error {MaxError(model, trajectory.FinalPositions, 3.0)}");
        Assert.Equal(3.0, trajectory.FinalTime);
        Assert.True(trajectory.RejectedSteps > 0, "a first step of 1.0 must be rejected");
        Assert.Equal(trajectory.RejectedSteps, trajectory.Diagnostics.Sum(row => row.RejectedAttempts));
        Assert.All(trajectory.Diagnostics.SkipLast(1), row => Assert.InRange(row.ErrorNorm, 0, 1));
        Assert.Equal(3.0, trajectory.Diagnostics.SkipLast(1).Sum(row => row.StepSize), 1e-12);
    }

    [Fact]
    public async Task Tighter_tolerance_takes_more_steps_and_is_more_accurate()
    {
        var model = new LinearModel(0.5, 3.0);
        FlowOptions Options(double tol) => new() { Integrator = FlowIntegrator.Adaptive, Step = 0.1, EndTime = 2.0, RelativeTolerance = tol, AbsoluteTolerance = tol };
        var loose = await FlowRuns.RunAsync(model, Start, Options(1e-4));
        var tight = await FlowRuns.RunAsync(model, Start, Options(1e-8));
        Assert.True(tight.Steps > loose.Steps);
        Assert.True(MaxError(model, tight.FinalPositions, 2.0) < MaxError(model, loose.FinalPositions, 2.0));
    }

    [Fact]
    public void Tableaux_satisfy_their_order_conditions()
    {
        foreach (var tableau in new[] { ButcherTableau.Euler, ButcherTableau.Heun, ButcherTableau.Rk4, ButcherTableau.DormandPrince })
        {
            var s = tableau.Stages;
            for (var i = 0; i < s; i++)
            {
                Assert.Equal(tableau.C[i], tableau.A[i].Sum(), 1e-14);
            }

            Assert.Equal(1.0, tableau.B.Sum(), 1e-14);
            if (tableau.Order >= 2)
            {
                Assert.Equal(0.5, Enumerable.Range(0, s).Sum(i => tableau.B[i] * tableau.C[i]), 1e-14);
            }

            if (tableau.Order >= 4)
            {
                Assert.Equal(1.0 / 3, Enumerable.Range(0, s).Sum(i => tableau.B[i] * tableau.C[i] * tableau.C[i]), 1e-14);
                Assert.Equal(1.0 / 4, Enumerable.Range(0, s).Sum(i => tableau.B[i] * Math.Pow(tableau.C[i], 3)), 1e-14);
            }

            if (tableau.Order >= 5)
            {
                Assert.Equal(1.0 / 5, Enumerable.Range(0, s).Sum(i => tableau.B[i] * Math.Pow(tableau.C[i], 4)), 1e-14);
            }

            if (tableau.EmbeddedB is { } embedded)
            {
                Assert.Equal(1.0, embedded.Sum(), 1e-14);
                Assert.Equal(1.0 / 4, Enumerable.Range(0, s).Sum(i => embedded[i] * Math.Pow(tableau.C[i], 3)), 1e-14);
            }
        }
    }

    private static double MaxError(LinearModel model, double[] positions, double time)
    {
        var max = 0.0;
        for (var i = 0; i < Start.Length / 2; i++)
        {
            var (x, y) = model.Exact(Start[2 * i], Start[(2 * i) + 1], time);
            max = Math.Max(max, Math.Max(Math.Abs(positions[2 * i] - x), Math.Abs(positions[(2 * i) + 1] - y)));
        }

        return max;
    }
}
