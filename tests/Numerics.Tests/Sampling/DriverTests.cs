using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

public sealed class DriverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("linear")]
    [InlineData("trig")]
    [InlineData("vp")]
    public void Karras_grid_follows_the_edm_formula_in_the_noise_to_signal_ratio(string name)
    {
        // sigma(t) = a/b must take the values (s_hi^(1/7) + k/K' (s_lo^(1/7) - s_hi^(1/7)))^7 at the grid points, to the
        // bisection's precision (1e-12 relative on sigma is far below anything a sampler sees).
        var schedule = SamplingTestSupport.Schedule(name);
        const int steps = 12;
        const double end = 1.0 - 1e-3;
        var times = TimeGrid.Build(new SamplingOptions { Steps = steps, End = end, Grid = TimeGridKind.Karras }, schedule);
        Assert.Equal(steps + 1, times.Length);
        Assert.Equal(0.0, times[0]);
        Assert.Equal(end, times[steps]);
        var high = Math.Pow(80.0, 1.0 / 7.0);
        var low = Math.Pow(schedule.A(end) / schedule.B(end), 1.0 / 7.0);
        for (var k = 1; k < steps; k++)
        {
            Assert.True(times[k] > times[k - 1]);
            var expected = Math.Pow(high + ((k - 1.0) / (steps - 1) * (low - high)), 7.0);
            var sigma = schedule.A(times[k]) / schedule.B(times[k]);
            Assert.Equal(1.0, sigma / expected, 1e-9);
        }
    }

    [Fact]
    public void Karras_grid_gives_a_smaller_error_than_a_uniform_grid_near_the_data()
    {
        // 41 atoms 0.05 apart: a particle picks its atom only once b x spacing exceeds a, i.e. near t = 1 - 0.05, so
        // the field varies fastest near the data end, where the Karras grid puts its steps. Reference: the adaptive
        // solver at 1e-10.
        var target = new EmpiricalTarget(Enumerable.Range(0, 41).Select(i => -1.0 + (0.05 * i)).ToArray(), 1);
        var field = new InterpolantField(new LinearSchedule(), target);
        double[] source = [-1.2, -0.4, 0.1, 0.7, 1.6];
        const double end = 1.0 - 1e-4;
        var reference = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Adaptive, End = end, RelativeTolerance = 1e-10, AbsoluteTolerance = 1e-12 }, source);
        double Error(TimeGridKind grid)
        {
            var run = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Heun, Steps = 16, End = end, Grid = grid }, source);
            return source.Select((_, i) => Math.Abs(run.Particles[i] - reference.Particles[i])).Max();
        }

        var uniform = Error(TimeGridKind.Uniform);
        var karras = Error(TimeGridKind.Karras);
        output.WriteLine($"Heun 16 steps: uniform error {uniform:E3}, Karras error {karras:E3}");
        Assert.True(karras < uniform, $"Karras {karras} vs uniform {uniform}");
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("trig")]
    public void Ddim_with_eta_one_is_exact_in_law_for_a_point_mass(string name)
    {
        // For a single atom x1 = 2 the eta = 1 DDIM step draws X_t' from its exact conditional given (X_t, x1), so the
        // law after any number of steps is N(b(T) x1, a(T)^2). With n = 40000 the standard error of the mean is
        // a/200 and of the variance a^2 sqrt(2/n) = 0.0071 a^2: tolerance 4 standard errors.
        var schedule = SamplingTestSupport.Schedule(name);
        const int n = 40000;
        const double end = 0.6;
        var source = new double[n];
        SourceNoise.Fill(seed: 3, firstId: 0, dimension: 1, source);
        var field = new InterpolantField(schedule, new PointMassTarget([2.0]));
        var result = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Ddim, DdimEta = 1.0, Steps = 3, End = end, Seed = 9 }, source);
        var mean = result.Particles.Average();
        var variance = result.Particles.Select(v => (v - mean) * (v - mean)).Sum() / (n - 1);
        var a = schedule.A(end);
        output.WriteLine($"{name}: mean {mean:F5} vs {2.0 * schedule.B(end):F5}, variance {variance:F5} vs {a * a:F5}");
        Assert.Equal(2.0 * schedule.B(end), mean, 4.0 * a / Math.Sqrt(n));
        Assert.Equal(a * a, variance, 4.0 * a * a * Math.Sqrt(2.0 / n));
        // Deterministic DDIM (eta = 0) keeps the particles' noise: the map is x -> b x1 + a x exactly.
        var deterministic = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Ddim, Steps = 3, End = end }, source);
        Assert.Equal((2.0 * schedule.B(end)) + (a * source[7]), deterministic.Particles[7], 1e-12);
    }

    [Fact]
    public void Ddim_with_eta_keeps_the_gaussian_marginal()
    {
        // FM-3 target in 1-D form N(1, 0.25): DDIM with eta = 0.5 on 200 steps keeps N(b m, a^2 + b^2 s^2) up to
        // O(h) and Monte Carlo error (4 standard errors at n = 40000).
        const int n = 40000;
        const double end = 0.9;
        var schedule = new LinearSchedule();
        var source = new double[n];
        SourceNoise.Fill(seed: 4, firstId: 0, dimension: 1, source);
        var field = new InterpolantField(schedule, new GaussianTarget([1.0], new[,] { { 0.25 } }));
        var result = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Ddim, DdimEta = 0.5, Steps = 200, End = end, Seed = 2 }, source);
        var mean = result.Particles.Average();
        var variance = result.Particles.Select(v => (v - mean) * (v - mean)).Sum() / (n - 1);
        var exactVariance = (0.1 * 0.1) + (0.9 * 0.9 * 0.25);
        Assert.Equal(0.9, mean, 4.0 * Math.Sqrt(exactVariance / n));
        Assert.Equal(exactVariance, variance, 4.0 * exactVariance * Math.Sqrt(2.0 / n));
    }

    [Fact]
    public async Task Langevin_corrector_has_the_ula_stationary_variance_of_fm7()
    {
        // At fixed t the corrector is ULA on p_t = N(b m, C) with C = a^2 + b^2 s^2 and step h = 2 (r a)^2; its
        // stationary law is N(b m, C / (1 - h / (2 C))) (math.md FM-7). Linear schedule, t = 0.5, target N(1, 1),
        // r = 0.5: C = 0.5, h = 0.125, stationary variance 0.5714286 against the exact 0.5, so the test sees the ULA
        // bias itself. 200 steps contract by 0.75^200; n = 40000 gives a variance standard error of 0.0040.
        const int n = 40000;
        var source = new double[n];
        SourceNoise.Fill(seed: 8, firstId: 0, dimension: 1, source);
        var field = new InterpolantField(new LinearSchedule(), new GaussianTarget([1.0], new[,] { { 1.0 } }));
        var options = new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 1, CorrectorSteps = 200, CorrectorSnr = 0.5, Seed = 6 };
        var block = new ParticleBlockSampler(field, options, source, firstId: 0);
        await block.CorrectAsync(0, 0.5, CancellationToken.None);
        var x = block.Positions.ToArray();
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Sum() / (n - 1);
        const double stationary = 0.5 / (1.0 - (0.125 / (2.0 * 0.5)));
        output.WriteLine($"ULA corrector: mean {mean:F5} (0.5), variance {variance:F5} ({stationary:F7}; exact p_t 0.5)");
        Assert.Equal(0.5, mean, 4.0 * Math.Sqrt(stationary / n));
        Assert.Equal(stationary, variance, 4.0 * stationary * Math.Sqrt(2.0 / n));
    }

    [Fact]
    public void Predictor_corrector_keeps_the_gaussian_marginal()
    {
        // Euler predictor + 2 Langevin corrector steps (r = 0.1, ULA bias factor 1 + r^2 ... at most 1%) on FM-3:
        // mean and covariance at T = 0.99 within 4 Monte Carlo standard errors plus the 1% corrector bias.
        const int n = 20000;
        var source = new double[2 * n];
        SourceNoise.Fill(seed: 12, firstId: 0, dimension: 2, source);
        var field = new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target());
        var result = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 100, End = 0.99, CorrectorSteps = 2, Seed = 1 }, source);
        Assert.Equal(100 * 3, result.Evaluations);
        var meanX = Enumerable.Range(0, n).Average(i => result.Particles[2 * i]);
        var varX = Enumerable.Range(0, n).Average(i => (result.Particles[2 * i] - meanX) * (result.Particles[2 * i] - meanX));
        var exactVariance = (0.01 * 0.01) + (0.99 * 0.99);
        Assert.Equal(0.99, meanX, 4.0 * Math.Sqrt(1.0 / n));
        Assert.Equal(exactVariance, varX, (4.0 * Math.Sqrt(2.0 / n)) + 0.02);
    }

    [Fact]
    public void Snapping_puts_every_sample_on_a_data_point()
    {
        double[] points = [1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0];
        const int n = 500;
        var source = new double[2 * n];
        SourceNoise.Fill(seed: 2, firstId: 0, dimension: 2, source);
        var field = new InterpolantField(new LinearSchedule(), new EmpiricalTarget(points, 2));
        var plain = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Heun, Steps = 30, End = 1.0 - 1e-2 }, source);
        var snapped = LocalSampling.Run(field, new SamplingOptions { Sampler = SamplerKind.Heun, Steps = 30, End = 1.0 - 1e-2, Snap = true }, source);
        Assert.Equal(61, snapped.Evaluations);

        // At delta = 1e-2 the unsnapped samples still sit about a = 0.01 x noise away from the atoms; snapping replaces
        // them by D, a softmax average dominated by the nearest atom (weight of the others ~ exp(-b^2 |dy|^2 / a^2)).
        Assert.True(NearestDistance(plain.Particles, points).Max() > 1e-3);
        Assert.True(NearestDistance(snapped.Particles, points).Max() < 1e-9);
    }

    [Fact]
    public async Task Kinetic_energy_matches_the_closed_form_of_a_gaussian_flow()
    {
        // 1-D target N(m, s^2), linear schedule: x_t = b m + sigma_t x0 with sigma_t = sqrt((1-t)^2 + t^2 s^2), so
        // per particle int |v|^2 = m^2 + 2 m x0 int sigma' + x0^2 int sigma'^2 (sigma' = d sigma / dt), computed here
        // by Simpson's rule on 20000 intervals. RK4 on 200 steps integrates the same quantity to ~1e-8.
        const double m = 0.7;
        const double s = 0.5;
        const double end = 0.999;
        double[] source = [-1.3, -0.2, 0.4, 1.1, 2.0];
        var field = new InterpolantField(new LinearSchedule(), new GaussianTarget([m], new[,] { { s * s } }));
        var options = new SamplingOptions { Sampler = SamplerKind.Rk4, Steps = 200, End = end };
        var backend = new LocalSamplingBackend(field, options, source);
        var report = await SamplingDriver.RunAsync(backend, options, field.Schedule);

        static double Sigma(double t) => Math.Sqrt(((1 - t) * (1 - t)) + (t * t * s * s));
        static double Derivative(double t) => ((-(1 - t)) + (t * s * s)) / Sigma(t);
        var intervals = 20000;
        var h = end / intervals;
        double first = 0, second = 0;
        for (var i = 0; i <= intervals; i++)
        {
            var weight = i == 0 || i == intervals ? 1.0 : i % 2 == 1 ? 4.0 : 2.0;
            var d = Derivative(i * h);
            first += weight * d;
            second += weight * d * d;
        }

        first *= h / 3;
        second *= h / 3;
        var expected = source.Average(x0 => (m * m * end) + (2 * m * x0 * first) + (x0 * x0 * second));
        output.WriteLine($"kinetic {report.KineticEnergy:F10} vs {expected:F10}");
        Assert.Equal(expected, report.KineticEnergy, 1e-7);
        Assert.Equal(800, report.Evaluations);
    }

    [Fact]
    public async Task Splitting_particles_into_blocks_gives_identical_samples_for_every_sampler()
    {
        // Every particle's arithmetic and noise depend only on its global id, so 1 block and 3 blocks agree to
        // rounding (the only cross-particle quantity, the adaptive error norm, is a sum whose order changes).
        double[] points = [0.5, 1.0, -1.0, 0.3, 0.2, -0.8, 1.5, 1.5, -0.4, -1.2];
        var field = new InterpolantField(new TrigonometricSchedule(), new EmpiricalTarget(points, 2, [1, 2, 3, 4, 5]));
        var source = new double[2 * 31];
        SourceNoise.Fill(seed: 1, firstId: 0, dimension: 2, source);
        SamplingOptions[] cases =
        [
            new() { Sampler = SamplerKind.Rk4, Steps = 10, Grid = TimeGridKind.Karras },
            new() { Sampler = SamplerKind.Adaptive, RelativeTolerance = 1e-5 },
            new() { Sampler = SamplerKind.Ddim, DdimEta = 0.7, Steps = 10, Seed = 4 },
            new() { Sampler = SamplerKind.Sde, Steps = 20, CorrectorSteps = 2, Seed = 5, Snap = true },
        ];
        foreach (var options in cases)
        {
            var single = new LocalSamplingBackend(field, options, source, 1);
            var split = new LocalSamplingBackend(field, options, source, 3);
            var r1 = await SamplingDriver.RunAsync(single, options, field.Schedule);
            var r3 = await SamplingDriver.RunAsync(split, options, field.Schedule);
            Assert.Equal(r1.Evaluations, r3.Evaluations);
            var a = single.Positions();
            var b = split.Positions();
            for (var i = 0; i < a.Length; i++)
            {
                Assert.Equal(a[i], b[i], 1e-12);
            }
        }
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        (string Field, SamplingOptions Options)[] cases =
        [
            ("steps", new() { Steps = 0 }),
            ("end", new() { End = 1.0 }),
            ("start", new() { Start = -0.1 }),
            ("eta", new() { DdimEta = -1 }),
            ("eta", new() { DdimEta = double.NaN }),
            ("corrector-steps", new() { CorrectorSteps = -1 }),
            ("corrector-snr", new() { CorrectorSnr = 0 }),
            ("diffusion", new() { DiffusionLevel = double.PositiveInfinity }),
            ("grid", new() { Grid = (TimeGridKind)7 }),
            ("sampler", new() { Sampler = (SamplerKind)9 }),
            ("rtol", new() { RelativeTolerance = 0 }),
        ];
        foreach (var (field, options) in cases)
        {
            var error = Assert.Throws<InvalidInputException>(options.Validate);
            Assert.Equal(field, error.Field);
        }
    }

    private static double[] NearestDistance(double[] samples, double[] points)
    {
        var n = samples.Length / 2;
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var best = double.PositiveInfinity;
            for (var j = 0; j < points.Length / 2; j++)
            {
                var dx = samples[2 * i] - points[2 * j];
                var dy = samples[(2 * i) + 1] - points[(2 * j) + 1];
                best = Math.Min(best, Math.Sqrt((dx * dx) + (dy * dy)));
            }

            result[i] = best;
        }

        return result;
    }
}
