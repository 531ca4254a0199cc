using MathNet.Numerics.Distributions;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// Gaussian closure of the unconstrained attention (math.md 6.1): for alpha = N(m, Sigma),
/// Gamma(x) = V m + V Sigma K^T Q x. Particles only approximate the measure, so the context is a large
/// deterministic quantile sample (a 400 x 400 grid of midpoint normal quantiles z, pushed by
/// x = m + L z with L L^T = Sigma), and the stated tolerance covers the grid's truncated tails: 1e-2
/// relative to |Gamma(x)| for a few query tokens whose tilt |K^T Q x| stays below 0.5 (measured: about 2e-3).
/// </summary>
public sealed class AttentionGaussianClosureTests
{
    [Fact]
    public void VelocityOfAGaussianContextIsAffine()
    {
        const int d = 2;
        const int perAxis = 400;
        double[] m = [0.3, -0.2];
        double[] l = [0.8, 0.0, 0.3, 0.5];
        double[] q = [0.5, 0.2, -0.1, 0.4];
        double[] k = [0.6, -0.3, 0.2, 0.5];
        double[] v = [1.0, 0.5, -0.4, 0.8];
        var quantiles = new double[perAxis];
        for (var i = 0; i < perAxis; i++)
        {
            quantiles[i] = Normal.InvCDF(0, 1, (i + 0.5) / perAxis);
        }

        var n = perAxis * perAxis;
        var context = new double[n * d];
        for (var i = 0; i < perAxis; i++)
        {
            for (var j = 0; j < perAxis; j++)
            {
                var e = ((i * perAxis) + j) * d;
                context[e] = m[0] + (l[0] * quantiles[i]) + (l[1] * quantiles[j]);
                context[e + 1] = m[1] + (l[2] * quantiles[i]) + (l[3] * quantiles[j]);
            }
        }

        var weights = Uniform(n);
        var model = new AttentionModel(d, new AttentionMatrices(d, q, k, v));
        var globals = new FlowGlobals(0.0, context, weights, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);
        double[] queries = [0.0, 0.0, 1.0, 0.5, -0.7, 0.9, 0.4, -1.0];
        var block = new ParticleBlock((double[])queries.Clone(), Uniform(queries.Length / d), d, 0);
        var velocity = new double[queries.Length];
        model.Velocity(block, globals, velocity);

        // Sigma = L L^T; B = Sigma K^T Q; Gamma(x) = V (m + B x).
        var sigma = new double[4];
        for (var r = 0; r < 2; r++)
        {
            for (var c = 0; c < 2; c++)
            {
                sigma[(r * 2) + c] = (l[r * 2] * l[c * 2]) + (l[(r * 2) + 1] * l[(c * 2) + 1]);
            }
        }

        for (var p = 0; p < queries.Length / d; p++)
        {
            var qx = Apply(q, queries.AsSpan(p * d, d).ToArray(), d);
            double[] ktqx = [(k[0] * qx[0]) + (k[2] * qx[1]), (k[1] * qx[0]) + (k[3] * qx[1])];
            Assert.True(Math.Sqrt((ktqx[0] * ktqx[0]) + (ktqx[1] * ktqx[1])) < 0.5);
            double[] mean = [m[0] + (sigma[0] * ktqx[0]) + (sigma[1] * ktqx[1]), m[1] + (sigma[2] * ktqx[0]) + (sigma[3] * ktqx[1])];
            double[] expected = [(v[0] * mean[0]) + (v[1] * mean[1]), (v[2] * mean[0]) + (v[3] * mean[1])];
            var scale = Math.Sqrt((expected[0] * expected[0]) + (expected[1] * expected[1]));
            for (var c = 0; c < d; c++)
            {
                var error = Math.Abs(velocity[(p * d) + c] - expected[c]);
                Assert.True(error <= 1e-2 * scale, $"query {p}, coordinate {c}: {velocity[(p * d) + c]:G8} vs closure {expected[c]:G8} (error {error:E2})");
            }
        }
    }
}
