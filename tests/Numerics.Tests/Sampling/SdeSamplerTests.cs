using Transport.Numerics.Randomness;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

public sealed class SdeSamplerTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "linear", "constant" },
        { "trig", "constant" },
        { "linear", "decaying" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gaussian_target_keeps_the_marginal_mean_and_covariance(string scheduleName, string diffusionName)
    {
        // FM-3 target N((1, -1), [[1, .6], [.6, 1]]); X_0 ~ N(0, I) exactly. The marginal at time T is
        // N(b m, a^2 I + b^2 Sigma). With n = 20000 particles the standard error of a mean is <= sqrt(2 / n) = 0.01
        // and of a (co)variance entry <= 2 sqrt(2 / n) = 0.02 (entries are at most 2 here); the tolerance is
        // 4 standard errors, far above the O(h) Euler-Maruyama bias at 400 steps.
        const int n = 20000;
        const double end = 0.999;
        var schedule = SamplingTestSupport.Schedule(scheduleName);
        Func<double, double> g = diffusionName == "constant"
            ? SdeSampler.ConstantDiffusion(1.0, 0.95)
            : t => 1.5 * (1.0 - t);
        var sampler = new SdeSampler(new InterpolantField(schedule, SamplingTestSupport.Fm3Target()), g);
        var source = new double[2 * n];
        CounterRandom.FillNormals(seed: 21, firstId: 0, step: 0, stage: 1, dimension: 2, source);
        var result = sampler.Sample(source, 400, end, seed: 5);
        Assert.Equal(400, result.Evaluations);

        var a = schedule.A(end);
        var b = schedule.B(end);
        double[] mean = [b, -b];
        double[,] covariance = { { (a * a) + (b * b), 0.6 * b * b }, { 0.6 * b * b, (a * a) + (b * b) } };
        var (sampleMean, sampleCovariance) = Moments(result.Particles, n);
        output.WriteLine($"mean ({sampleMean[0]:F4}, {sampleMean[1]:F4}) vs ({mean[0]:F4}, {mean[1]:F4}); " +
            $"cov [{sampleCovariance[0, 0]:F4}, {sampleCovariance[0, 1]:F4}, {sampleCovariance[1, 1]:F4}]");
        var meanTolerance = 4.0 * Math.Sqrt(2.0 / n);
        var covarianceTolerance = 4.0 * 2.0 * Math.Sqrt(2.0 / n);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(mean[i], sampleMean[i], meanTolerance);
            for (var j = 0; j < 2; j++)
            {
                Assert.Equal(covariance[i, j], sampleCovariance[i, j], covarianceTolerance);
            }
        }
    }

    [Fact]
    public void Zero_diffusion_is_the_euler_ode_sampler()
    {
        var field = new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target());
        double[] source = [0.3, -1.2, 2.0, 0.5];
        var sde = new SdeSampler(field, _ => 0.0).Sample(source, 50, 0.99, seed: 1);
        var ode = new FlowSampler(field, SamplerMethod.Euler).Sample(source, 50, 0.99);
        for (var i = 0; i < source.Length; i++)
        {
            Assert.Equal(ode.Particles[i], sde.Particles[i], 1e-12);
        }
    }

    [Fact]
    public void Splitting_the_particles_into_blocks_gives_the_same_samples()
    {
        var field = new InterpolantField(new TrigonometricSchedule(), SamplingTestSupport.Fm3Target());
        var sampler = new SdeSampler(field, SdeSampler.ConstantDiffusion(0.8, 0.9));
        var source = new double[2 * 10];
        CounterRandom.FillNormals(3, 0, 0, 0, 2, source);
        var whole = sampler.Sample(source, 40, 0.99, seed: 9).Particles;
        var first = sampler.Sample(source.AsSpan(0, 8), 40, 0.99, seed: 9, firstId: 0).Particles;
        var second = sampler.Sample(source.AsSpan(8), 40, 0.99, seed: 9, firstId: 4).Particles;
        Assert.Equal(whole, first.Concat(second).ToArray());
    }

    [Fact]
    public void Bad_diffusions_and_steps_are_rejected()
    {
        var field = new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target());
        Assert.Equal("diffusion", Assert.Throws<InvalidInputException>(() => SdeSampler.ConstantDiffusion(-1.0, 0.9)).Field);
        Assert.Equal("diffusion-cutoff", Assert.Throws<InvalidInputException>(() => SdeSampler.ConstantDiffusion(1.0, 0.0)).Field);
        Assert.Equal("diffusion", Assert.Throws<InvalidInputException>(
            () => new SdeSampler(field, _ => double.NaN).Sample([0.0, 0.0], 4, 0.5, seed: 1)).Field);
        Assert.Equal("steps", Assert.Throws<InvalidInputException>(
            () => new SdeSampler(field, _ => 1.0).Sample([0.0, 0.0], 0, 0.5, seed: 1)).Field);
        Assert.Equal("end", Assert.Throws<InvalidInputException>(
            () => new SdeSampler(field, _ => 1.0).Sample([0.0, 0.0], 4, 1.0, seed: 1)).Field);
    }

    private static (double[] Mean, double[,] Covariance) Moments(double[] x, int n)
    {
        var mean = new double[2];
        for (var i = 0; i < n; i++)
        {
            mean[0] += x[2 * i] / n;
            mean[1] += x[(2 * i) + 1] / n;
        }

        var covariance = new double[2, 2];
        for (var i = 0; i < n; i++)
        {
            for (var p = 0; p < 2; p++)
            {
                for (var q = 0; q < 2; q++)
                {
                    covariance[p, q] += (x[(2 * i) + p] - mean[p]) * (x[(2 * i) + q] - mean[q]) / (n - 1);
                }
            }
        }

        return (mean, covariance);
    }
}
