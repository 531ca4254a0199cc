using MathNet.Numerics.Distributions;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// TR-6 (math.md 6.3, heat limit): for rho = N(0, 1.5) and v = (2/eps')(x - T_eps'(x)), the variance rate
/// d s^2/dt = 2 sum_i a_i x_i v_i is 1.67544, 1.96668 at eps' = 1, 0.1 (math.md's table, Gaussian closed
/// form). Particles: 600 midpoint quantiles of N(0, 1.5); tolerance 5e-3 absolute for the quantile
/// truncation (measured: 1.0e-3 at eps' = 1, 1.9e-3 at eps' = 0.1).
/// Also: the velocity vs a dense O(n^2) self-transport written here (1e-9).
/// </summary>
public sealed class AttentionHeatLimitTests
{
    private static double[] Quantiles(int n, double variance)
    {
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = Normal.InvCDF(0, Math.Sqrt(variance), (i + 0.5) / n);
        }

        return x;
    }

    [Theory]
    [InlineData(1.0, 1.67544)]
    [InlineData(0.1, 1.96668)]
    public void VarianceRateApproachesTheHeatValue(double epsilon, double expected)
    {
        const int n = 600;
        var x = Quantiles(n, 1.5);
        var a = Uniform(n);
        var velocity = new double[n];
        Evaluate(new SinkformerHeatModel(1, epsilon), x, a, 1, 0.0, velocity);
        var rate = 0.0;
        for (var i = 0; i < n; i++)
        {
            rate += 2 * a[i] * x[i] * velocity[i];
        }

        Assert.True(Math.Abs(rate - expected) < 5e-3, $"eps' = {epsilon}: ds^2/dt = {rate:R}, expected {expected}");
    }

    [Fact]
    public void VelocityMatchesDenseSelfTransport()
    {
        // Dense truth: alternating log-domain Sinkhorn on the full cost matrix |x - y|^2 / 2, eps' = 0.5.
        const int n = 15;
        const int d = 2;
        const double epsilon = 0.5;
        var x = Gaussians(n * d, seed: 301);
        var a = RandomWeights(n, seed: 302);
        var cost = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var diff = x[(i * d) + k] - x[(j * d) + k];
                    s += diff * diff;
                }

                cost[i, j] = 0.5 * s;
            }
        }

        var f = new double[n];
        var g = new double[n];
        for (var iteration = 0; iteration < 20_000; iteration++)
        {
            for (var i = 0; i < n; i++)
            {
                f[i] = -epsilon * Lse(n, j => Math.Log(a[j]) + ((g[j] - cost[i, j]) / epsilon));
            }

            for (var j = 0; j < n; j++)
            {
                g[j] = -epsilon * Lse(n, i => Math.Log(a[i]) + ((f[i] - cost[i, j]) / epsilon));
            }
        }

        var expected = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var plan = a[j] * Math.Exp((f[i] + g[j] - cost[i, j]) / epsilon);
                for (var k = 0; k < d; k++)
                {
                    expected[(i * d) + k] -= plan * x[(j * d) + k];
                }
            }

            for (var k = 0; k < d; k++)
            {
                expected[(i * d) + k] = 2 / epsilon * (x[(i * d) + k] + expected[(i * d) + k]);
            }
        }

        var velocity = new double[n * d];
        Evaluate(new SinkformerHeatModel(d, epsilon), x, a, d, 0.0, velocity);
        AssertClose(expected, velocity, 1e-9, "heat-limit sinkformer velocity");
        Assert.Equal("epsilon", Assert.Throws<InvalidInputException>(() => new SinkformerHeatModel(2, 0.0)).Field);
        Assert.True(double.IsNaN(LocalFlowStage.Energy(new SinkformerHeatModel(d, epsilon), new ParticleBlock(x, a, d, 0), 0.0)));
    }

    private static double Lse(int count, Func<int, double> term)
    {
        var max = double.NegativeInfinity;
        for (var k = 0; k < count; k++)
        {
            max = Math.Max(max, term(k));
        }

        var sum = 0.0;
        for (var k = 0; k < count; k++)
        {
            sum += Math.Exp(term(k) - max);
        }

        return max + Math.Log(sum);
    }
}
