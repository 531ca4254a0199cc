using MathNet.Numerics.Distributions;
using MathNet.Numerics.RootFinding;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Sampling;

public sealed class AdaptiveSamplerTests(ITestOutputHelper output)
{
    [Fact]
    public void Fm2_mixture_endpoint_is_the_quantile_map_to_1e8()
    {
        var variance = new[,] { { 0.25 } };
        var target = new GaussianMixtureTarget([0.5, 0.5], [[-2.0], [2.0]], [variance, variance]);
        var sampler = new AdaptiveFlowSampler(new InterpolantField(new LinearSchedule(), target), 1e-12, 1e-12);
        double[] sources = [0.3, 1.0, -1.5, 0.0, 2.5, -0.05];
        var result = sampler.Sample(sources, 1.0 - 1e-12);
        output.WriteLine($"NFE {result.Evaluations}, accepted {result.AcceptedSteps}, rejected {result.RejectedSteps}");
        for (var i = 0; i < sources.Length; i++)
        {
            var level = Normal.CDF(0.0, 1.0, sources[i]);
            var quantile = Brent.FindRoot(
                y => (0.5 * Normal.CDF(-2.0, 0.5, y)) + (0.5 * Normal.CDF(2.0, 0.5, y)) - level, -10.0, 10.0, 1e-14);
            output.WriteLine($"x0 = {sources[i]}: ODE {result.Particles[i]:R}, quantile {quantile:R}");
            Assert.Equal(quantile, result.Particles[i], 1e-8);
        }

        Assert.Equal(1 + (6 * (result.AcceptedSteps + result.RejectedSteps)), result.Evaluations);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("trig")]
    [InlineData("vp")]
    public void Fm3_flow_map_is_the_closed_form_and_error_follows_the_tolerance(string name)
    {
        var schedule = SamplingTestSupport.Schedule(name);
        var field = new InterpolantField(schedule, SamplingTestSupport.Fm3Target());
        double[] x0 = [1.0, 0.0];
        const double end = 1.0 - 1e-7;
        var start = SamplingTestSupport.Fm3Exact(schedule, 0.0, x0);
        var exact = SamplingTestSupport.Fm3Exact(schedule, end, x0);
        var previousEvaluations = 0;
        foreach (var tolerance in new[] { 1e-4, 1e-7, 1e-10 })
        {
            var result = new AdaptiveFlowSampler(field, tolerance, tolerance).Sample(start, end);
            var error = Math.Max(Math.Abs(result.Particles[0] - exact[0]), Math.Abs(result.Particles[1] - exact[1]));
            output.WriteLine($"{name} tol {tolerance:E0}: error {error:E2}, NFE {result.Evaluations}");
            Assert.True(error < 100.0 * tolerance, $"tolerance {tolerance}: error {error}");
            Assert.True(result.Evaluations > previousEvaluations);
            Assert.Equal(1 + (6 * (result.AcceptedSteps + result.RejectedSteps)), result.Evaluations);
            previousEvaluations = result.Evaluations;
        }
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_field_named()
    {
        var field = new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target());
        Assert.Equal("rtol", Assert.Throws<InvalidInputException>(() => new AdaptiveFlowSampler(field, 0.0, 1e-6)).Field);
        Assert.Equal("atol", Assert.Throws<InvalidInputException>(() => new AdaptiveFlowSampler(field, 1e-6, double.NaN)).Field);
        Assert.Equal("max-steps", Assert.Throws<InvalidInputException>(() => new AdaptiveFlowSampler(field, 1e-6, 1e-6, 0)).Field);
        var sampler = new AdaptiveFlowSampler(field, 1e-6, 1e-6);
        Assert.Equal("end", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, 0.0], 1.0)).Field);
        Assert.Equal("particles", Assert.Throws<InvalidInputException>(() => sampler.Sample([0.0, 0.0, 1.0], 0.5)).Field);
        Assert.Throws<InvalidOperationException>(() => new AdaptiveFlowSampler(field, 1e-12, 1e-12, 3).Sample([0.0, 0.0], 0.99));
    }
}
