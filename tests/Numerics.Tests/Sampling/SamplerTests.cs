using MathNet.Numerics.Distributions;
using MathNet.Numerics.RootFinding;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

public sealed class SamplerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("linear")]
    [InlineData("trig")]
    [InlineData("vp")]
    public void Fm3_flow_map_is_the_closed_form_for_every_schedule(string name)
    {
        var schedule = SamplingTestSupport.Schedule(name);
        var sampler = new FlowSampler(new InterpolantField(schedule, SamplingTestSupport.Fm3Target()), SamplerMethod.Rk4);
        double[] x0 = [1.0, 0.0];
        const double end = 1.0 - 1e-7;

        // Start on the exact marginal at t = 0 (for vp, b(0) != 0 so X_0 is not exactly x0).
        var start = SamplingTestSupport.Fm3Exact(schedule, 0.0, x0);
        var result = sampler.Sample(start, 4000, end);
        var exact = SamplingTestSupport.Fm3Exact(schedule, end, x0);
        Assert.Equal(16000, result.Evaluations);
        Assert.Equal(exact[0], result.Particles[0], 1e-8);
        Assert.Equal(exact[1], result.Particles[1], 1e-8);

        // T_1(1, 0) = m + Sigma^(1/2) (1, 0) from math.md FM-3.
        Assert.Equal(1.948683, result.Particles[0], 2e-6);
        Assert.Equal(-0.683772, result.Particles[1], 2e-6);
    }

    [Theory]
    [InlineData("linear", -0.99999652, 0.99999615)]
    [InlineData("trig", -0.9999961, 0.9999955)]
    public void Fm1_two_atom_flow_splits_the_source_at_the_quantile(string name, double below, double above)
    {
        // Threshold x0* = Phi^-1(0.3) = -0.5244005: sources on either side go to different atoms.
        Assert.Equal(-0.5244005, Normal.InvCDF(0.0, 1.0, 0.3), 1e-7);
        var target = new DiscreteTarget([[-1.0], [1.0]], [0.3, 0.7]);
        var sampler = new FlowSampler(new InterpolantField(SamplingTestSupport.Schedule(name), target), SamplerMethod.Rk4);
        var result = sampler.Sample([-0.53, -0.52], 20000, 1.0 - 1e-6);
        output.WriteLine($"{name}: {result.Particles[0]:R}, {result.Particles[1]:R}");
        Assert.Equal(below, result.Particles[0], 1e-7);
        Assert.Equal(above, result.Particles[1], 1e-7);
    }

    [Fact]
    public void Fm5_ddim_is_exact_for_a_point_mass_where_euler_is_not()
    {
        // The noise x0 = 0.7 sits at X_0.2 = a(0.2) x0 + b(0.2) 2 on its exact path; the exact X_0.9 is 2.0848808.
        var trig = new TrigonometricSchedule();
        var field = new InterpolantField(trig, new PointMassTarget([2.0]));
        var start = (trig.A(0.2) * 0.7) + (trig.B(0.2) * 2.0);
        var ddim = new FlowSampler(field, SamplerMethod.Ddim).Sample([start], 1, 0.9, 0.2);
        var euler = new FlowSampler(field, SamplerMethod.Euler).Sample([start], 1, 0.9, 0.2);
        Assert.Equal(2.0848808, ddim.Particles[0], 1e-7);
        Assert.Equal(1, ddim.Evaluations);
        Assert.Equal(3.1374087, euler.Particles[0], 1e-7);

        // Under S-lin both are exact: 1.87.
        var linear = new InterpolantField(new LinearSchedule(), new PointMassTarget([2.0]));
        const double linearStart = (0.8 * 0.7) + (0.2 * 2.0);
        Assert.Equal(1.87, new FlowSampler(linear, SamplerMethod.Ddim).Sample([linearStart], 1, 0.9, 0.2).Particles[0], 1e-13);
        Assert.Equal(1.87, new FlowSampler(linear, SamplerMethod.Euler).Sample([linearStart], 1, 0.9, 0.2).Particles[0], 1e-13);
    }

    [Fact]
    public void Fm2_mixture_endpoint_is_the_quantile_map()
    {
        var variance = new[,] { { 0.25 } };
        var target = new GaussianMixtureTarget([0.5, 0.5], [[-2.0], [2.0]], [variance, variance]);
        var sampler = new FlowSampler(new InterpolantField(new LinearSchedule(), target), SamplerMethod.Rk4);
        double[] sources = [0.3, 1.0, -1.5];
        var result = sampler.Sample(sources, 4000, 1.0 - 1e-10);
        for (var i = 0; i < sources.Length; i++)
        {
            var level = Normal.CDF(0.0, 1.0, sources[i]);
            var quantile = Brent.FindRoot(
                y => (0.5 * Normal.CDF(-2.0, 0.5, y)) + (0.5 * Normal.CDF(2.0, 0.5, y)) - level, -10.0, 10.0, 1e-13);
            output.WriteLine($"x0 = {sources[i]}: ODE {result.Particles[i]:R}, quantile {quantile:R}");
            Assert.Equal(quantile, result.Particles[i], 1e-6);
        }
    }

    [Fact]
    public void Fm6_vp_probability_flow_reproduces_the_affine_map()
    {
        // Data N(1.5, 0.25); start at the exact tau = 1 marginal with z = 1.3 and integrate to tau = 1e-5.
        var schedule = new VpSdeSchedule();
        var target = new GaussianTarget([1.5], new[,] { { 0.25 } });
        var sampler = new FlowSampler(new InterpolantField(schedule, target), SamplerMethod.Rk4);
        double Exact(double t) =>
            (schedule.B(t) * 1.5) + (Math.Sqrt((schedule.A(t) * schedule.A(t)) + (schedule.B(t) * schedule.B(t) * 0.25)) * 1.3);
        const double end = 1.0 - 1e-5;
        var result = sampler.Sample([Exact(0.0)], 2000, end);
        Assert.Equal(Exact(end), result.Particles[0], 1e-9);
        Assert.Equal(2.1500002, result.Particles[0], 1e-7);
    }

    [Theory]
    [InlineData(SamplerMethod.Euler, 1, 20)]
    [InlineData(SamplerMethod.Heun, 2, 10)]
    [InlineData(SamplerMethod.Rk4, 4, 10)]
    [InlineData(SamplerMethod.Ddim, 1, 20)]
    public void Error_decreases_at_the_method_order_on_a_gaussian_target(SamplerMethod method, int order, int coarse)
    {
        var schedule = new TrigonometricSchedule();
        var sampler = new FlowSampler(new InterpolantField(schedule, SamplingTestSupport.Fm3Target()), method);
        double[] x0 = [1.0, 0.0, -0.5, 1.2];
        const double end = 0.9;
        var exactFirst = SamplingTestSupport.Fm3Exact(schedule, end, [x0[0], x0[1]]);
        var exactSecond = SamplingTestSupport.Fm3Exact(schedule, end, [x0[2], x0[3]]);
        double[] exact = [.. exactFirst, .. exactSecond];
        var errors = new List<double>();
        foreach (var steps in new[] { coarse, 2 * coarse, 4 * coarse })
        {
            var result = sampler.Sample(x0, steps, end);
            Assert.Equal(steps * EvaluationsPerStep(method), result.Evaluations);
            errors.Add(result.Particles.Zip(exact, (p, q) => Math.Abs(p - q)).Max());
        }

        for (var k = 0; k + 1 < errors.Count; k++)
        {
            var slope = Math.Log2(errors[k] / errors[k + 1]);
            output.WriteLine($"{method}: error {errors[k]:E3} -> {errors[k + 1]:E3}, slope {slope:F3}");
            Assert.InRange(slope, order - 0.3, order + 0.3);
        }
    }

    private static int EvaluationsPerStep(SamplerMethod method) => method switch
    {
        SamplerMethod.Heun => 2,
        SamplerMethod.Rk4 => 4,
        _ => 1,
    };

    [Fact]
    public void Bad_sampler_inputs_are_rejected_with_the_field()
    {
        var sampler = new FlowSampler(
            new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target()), SamplerMethod.Heun);
        Assert.Equal("steps", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, 0.0], 0, 0.9)).Field);
        Assert.Equal("end", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, 0.0], 4, 1.0)).Field);
        Assert.Equal("start", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, 0.0], 4, 0.9, -0.1)).Field);
        Assert.Equal("particles", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, 0.0, 1.0], 4, 0.9)).Field);
        Assert.Equal("particles", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, double.NaN], 4, 0.9)).Field);
    }
}
