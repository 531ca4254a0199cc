using Transport.Numerics.Flows;
using Transport.Numerics.Randomness;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Flows;

public sealed class LangevinTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Euler_Maruyama_stationary_variance_is_the_ula_biased_value()
    {
        // math.md FM-7 / WGF-4: V = x^2/(2 s^2), dX = -x/s^2 dt + sqrt(2) dW; with step h the chain
        // x' = (1 - h/s^2) x + sqrt(2h) xi has stationary variance s^2/(1 - h/(2 s^2)) = 1.0526316 for s^2 = 1, h = 0.1.
        const int particles = 40_000;
        const double h = 0.1;
        var model = new QuadraticLangevinModel(1.0, 1);
        var options = new FlowOptions { Integrator = FlowIntegrator.EulerMaruyama, Step = h, EndTime = 30, SnapshotEvery = 10, Seed = 2024 };
        var trajectory = await FlowRuns.RunAsync(model, new double[particles], options);

        // Burn-in to step 100 (memory 0.81^100 ~ 1e-9), then average the sample variance over 21 snapshots 10 steps
        // apart (correlation of squares 0.81^10 = 0.12). One snapshot's sample variance has standard error
        // v sqrt(2/n) = 0.0074; the average about 0.0074/sqrt(21) * 1.13 = 0.0018. Tolerance: 0.009 (5 standard errors).
        var expected = 1.0 / (1 - (h / 2));
        var kept = trajectory.Snapshots.Where(s => s.Step >= 100).ToList();
        Assert.Equal(21, kept.Count);
        var variance = kept.Average(s => s.Positions.Select(x => x * x).Average() - Math.Pow(s.Positions.Average(), 2));
        output.WriteLine($"stationary variance {variance:R}, expected {expected:R}");
        Assert.Equal(expected, variance, 0.009);
        Assert.True(Math.Abs(variance - 1.0) > 0.04, "the measurement resolves the O(h) bias from the exact variance 1");

        // The energy E[V] = var/2 is reported per step.
        Assert.Equal(expected / 2, trajectory.Diagnostics[^1].Energy, 0.02);
    }

    [Fact]
    public async Task Noise_is_keyed_by_seed_global_id_step_stage_and_component()
    {
        // From x = 0 the drift vanishes, so one step is exactly g sqrt(h) xi with xi = Normal(seed, id, 0, 0, c).
        var model = new QuadraticLangevinModel(1.0, 3);
        var options = new FlowOptions { Integrator = FlowIntegrator.EulerMaruyama, Step = 0.01, EndTime = 0.01, Seed = 5 };
        var trajectory = await FlowRuns.RunAsync(model, new double[3 * 7], options, blocks: 3);
        for (var i = 0; i < 7; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(Math.Sqrt(2) * Math.Sqrt(0.01) * CounterRandom.Normal(5, i, 0, 0, c), trajectory.FinalPositions[(3 * i) + c]);
            }
        }
    }

    [Fact]
    public async Task Euler_Maruyama_without_noise_is_euler()
    {
        var model = new LinearModel(0.5, 1.0);
        double[] start = [1, 2, 3, 4];
        var options = new FlowOptions { Integrator = FlowIntegrator.Euler, Step = 0.1, EndTime = 1 };
        var euler = await FlowRuns.RunAsync(model, start, options);
        var maruyama = await FlowRuns.RunAsync(model, start, options with { Integrator = FlowIntegrator.EulerMaruyama });
        Assert.Equal(euler.FinalPositions, maruyama.FinalPositions);
    }

    [Fact]
    public async Task Same_seed_same_path_other_seed_other_path()
    {
        var model = new QuadraticLangevinModel(1.0, 2);
        var start = FlowRuns.Gaussian(50, 2, 1);
        var options = new FlowOptions { Integrator = FlowIntegrator.EulerMaruyama, Step = 0.05, EndTime = 1, Seed = 9 };
        var a = await FlowRuns.RunAsync(model, start, options);
        var b = await FlowRuns.RunAsync(model, start, options);
        var c = await FlowRuns.RunAsync(model, start, options with { Seed = 10 });
        Assert.Equal(a.FinalPositions, b.FinalPositions);
        Assert.NotEqual(a.FinalPositions, c.FinalPositions);
    }

    [Fact]
    public async Task Deterministic_integrator_refuses_a_noisy_model()
    {
        var model = new QuadraticLangevinModel(1.0, 1);
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.1, EndTime = 1 };
        var error = await Assert.ThrowsAsync<InvalidInputException>(() => FlowRuns.RunAsync(model, [0.0], options));
        Assert.Equal("integrator", error.Field);
    }
}
