using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// The JKO integrator (math.md 4.3) against its closed forms: for V = (lambda/2)|x - m|^2 every step is implicit Euler,
/// x -&gt; (x + tau lambda m) / (1 + tau lambda), per particle; the trajectory approaches the exact flow at order tau; the
/// Gaussian closure of the Ornstein-Uhlenbeck Fokker-Planck flow reproduces math.md WGF-1 (s^2(1) = 1.4641646 with
/// tau = 0.1 and 1.4119848 with tau = 0.01 from s0^2 = 4; the exact flow, by RK4, 1 + 3 e^-2); and a step too large for
/// the fixed point to contract is refused with the reason.
/// </summary>
public sealed class JkoIntegratorTests
{
    [Fact]
    public async Task A_quadratic_potential_steps_by_implicit_euler_per_particle()
    {
        const int n = 50, d = 2;
        const double lambda = 1.5, tau = 0.2;
        double[] m = [1, -1];
        var random = new Random(4);
        var start = Enumerable.Range(0, n * d).Select(_ => (random.NextDouble() * 4) - 2).ToArray();
        var model = PotentialFlowModel.Quadratic(lambda, m);
        var options = new FlowOptions { Integrator = FlowIntegrator.Jko, Step = tau, EndTime = 2, RelativeTolerance = 1e-12, AbsoluteTolerance = 1e-14 };

        var trajectory = await FlowDriver.RunAsync(new LocalFlowBackend(model, start, [], options, 3), model, options, null, CancellationToken.None);

        Assert.Equal(10, trajectory.Steps);
        foreach (var snapshot in trajectory.Snapshots)
        {
            var factor = Math.Pow(1 + (tau * lambda), -snapshot.Step);
            for (var c = 0; c < n * d; c++)
            {
                var expected = m[c % d] + ((start[c] - m[c % d]) * factor);
                Assert.True(Math.Abs(expected - snapshot.Positions[c]) <= 1e-10, $"step {snapshot.Step}, value {c}: {snapshot.Positions[c]:R} vs {expected:R}");
            }
        }

        // Every step's fixed point met the tolerance (error_norm <= 1 in the rtol / atol norm).
        Assert.All(trajectory.Diagnostics.SkipLast(1), row => Assert.InRange(row.ErrorNorm, 0, 1));
    }

    [Fact]
    public async Task The_jko_trajectory_approaches_the_exact_flow_at_order_tau()
    {
        double[] errors = [await ErrorAtOne(0.1), await ErrorAtOne(0.05), await ErrorAtOne(0.025)];

        // Implicit Euler is first order: halving tau halves the error (ratios 1.9 to 2.1 here).
        Assert.InRange(errors[0] / errors[1], 1.8, 2.2);
        Assert.InRange(errors[1] / errors[2], 1.8, 2.2);
    }

    [Theory]
    [InlineData(0.1, 10, 1.4641646)]
    [InlineData(0.01, 100, 1.4119848)]
    public async Task The_gaussian_closure_jko_reproduces_math_md_wgf_1(double tau, int steps, double expected)
    {
        var start = CenteredWithStandardDeviation(2.0);
        var model = new GaussianFokkerPlanckModel(1.0, [0.0], 1.0);
        var options = new FlowOptions { Integrator = FlowIntegrator.Jko, Step = tau, EndTime = 1, SnapshotEvery = steps, RelativeTolerance = 1e-12, AbsoluteTolerance = 1e-14 };

        var trajectory = await FlowDriver.RunAsync(new LocalFlowBackend(model, start, [], options, 2), model, options, null, CancellationToken.None);

        Assert.Equal(steps, trajectory.Steps);
        // math.md prints 8 significant digits.
        Assert.Equal(expected, Variance(trajectory.FinalPositions), 6);
    }

    [Fact]
    public async Task The_gaussian_closure_by_rk4_follows_the_exact_ornstein_uhlenbeck_variance()
    {
        var start = CenteredWithStandardDeviation(2.0);
        var model = new GaussianFokkerPlanckModel(1.0, [0.0], 1.0);
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.01, EndTime = 1 };

        var trajectory = await FlowDriver.RunAsync(new LocalFlowBackend(model, start, [], options, 2), model, options, null, CancellationToken.None);

        Assert.Equal(1 + (3 * Math.Exp(-2)), Variance(trajectory.FinalPositions), 9);

        // The energy column is the closure's free energy (lambda/2) E|x|^2 - (T/2) log(2 pi e s^2) at every row.
        foreach (var row in new[] { trajectory.Diagnostics[0], trajectory.Diagnostics[^1] })
        {
            var s2 = 1 + (3 * Math.Exp(-2 * row.Time));
            Assert.Equal((0.5 * s2) - (0.5 * Math.Log(2 * Math.PI * Math.E * s2)), row.Energy, 7);
        }
    }

    [Fact]
    public async Task A_step_too_large_for_the_fixed_point_is_refused_with_the_reason()
    {
        var model = PotentialFlowModel.Quadratic(30, [0.0]);
        var options = new FlowOptions { Integrator = FlowIntegrator.Jko, Step = 0.1, EndTime = 1 };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await FlowDriver.RunAsync(new LocalFlowBackend(model, [1.0, -0.5, 2.0], [], options), model, options, null, CancellationToken.None));

        Assert.Contains("jko: the implicit step at t = 0 did not converge", error.Message, StringComparison.Ordinal);
        Assert.Contains("lower step", error.Message, StringComparison.Ordinal);
    }

    /// <summary>max |x_JKO(1) - x(1)| for the quadratic potential with lambda = 1 and tau steps.</summary>
    private static async Task<double> ErrorAtOne(double tau)
    {
        double[] start = [2.0, -1.0, 0.5];
        var model = PotentialFlowModel.Quadratic(1.0, [0.0]);
        var options = new FlowOptions { Integrator = FlowIntegrator.Jko, Step = tau, EndTime = 1, RelativeTolerance = 1e-12, AbsoluteTolerance = 1e-14 };
        var trajectory = await FlowDriver.RunAsync(new LocalFlowBackend(model, start, [], options), model, options, null, CancellationToken.None);
        return start.Select((x, i) => Math.Abs((x * Math.Exp(-1)) - trajectory.FinalPositions[i])).Max();
    }

    /// <summary>1,000 points in 1-D with mean exactly 0 and standard deviation exactly <paramref name="s"/>.</summary>
    private static double[] CenteredWithStandardDeviation(double s)
    {
        var random = new Random(8);
        var x = Enumerable.Range(0, 1000).Select(_ => random.NextDouble() - 0.5).ToArray();
        var mean = x.Average();
        var centred = x.Select(v => v - mean).ToArray();
        var scale = s / Math.Sqrt(centred.Average(v => v * v));
        return [.. centred.Select(v => v * scale)];
    }

    private static double Variance(double[] x)
    {
        var mean = x.Average();
        return x.Average(v => (v - mean) * (v - mean));
    }
}
