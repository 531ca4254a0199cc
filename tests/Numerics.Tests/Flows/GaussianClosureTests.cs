using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

public sealed class GaussianClosureTests
{
    [Fact]
    public async Task Affine_velocity_moments_follow_the_moment_ode()
    {
        // math.md 4.4: v = b + A (x - m) gives m' = b and Sigma' = A Sigma + Sigma A^T for the particle moments.
        double[] b = [0.3, -0.2];
        double[,] a = { { -0.4, 0.7 }, { -0.2, 0.1 } };
        var model = new AffineMeanModel(b, a);
        var start = FlowRuns.Gaussian(400, 2, 5);
        for (var i = 0; i < 400; i++)
        {
            start[2 * i] = 1 + (2 * start[2 * i]);
            start[(2 * i) + 1] = -1 + (0.5 * start[2 * i]) + (0.7 * start[(2 * i) + 1]);
        }

        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.01, EndTime = 1.0, SnapshotEvery = 25 };
        var trajectory = await FlowRuns.RunAsync(model, start, options, blocks: 3);

        var (m0, sigma0) = Moments(start);
        Assert.Equal(5, trajectory.Snapshots.Count);
        foreach (var snapshot in trajectory.Snapshots)
        {
            var (m, sigma) = Moments(snapshot.Positions);
            var t = snapshot.Time;
            Assert.Equal(m0[0] + (b[0] * t), m[0], 1e-12);
            Assert.Equal(m0[1] + (b[1] * t), m[1], 1e-12);
            var expected = IntegrateCovariance(sigma0, a, t);
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(expected[k], sigma[k], 1e-8);
            }
        }
    }

    private static (double[] Mean, double[] Covariance) Moments(double[] x)
    {
        var n = x.Length / 2;
        var mean = new double[2];
        for (var i = 0; i < n; i++)
        {
            mean[0] += x[2 * i] / n;
            mean[1] += x[(2 * i) + 1] / n;
        }

        var cov = new double[4];
        for (var i = 0; i < n; i++)
        {
            var dx = x[2 * i] - mean[0];
            var dy = x[(2 * i) + 1] - mean[1];
            cov[0] += dx * dx / n;
            cov[1] += dx * dy / n;
            cov[2] += dy * dx / n;
            cov[3] += dy * dy / n;
        }

        return (mean, cov);
    }

    // Sigma' = A Sigma + Sigma A^T by RK4 with 1000 steps per unit time (error ~1e-13).
    private static double[] IntegrateCovariance(double[] sigma0, double[,] a, double t)
    {
        if (t == 0)
        {
            return sigma0;
        }

        var steps = (int)Math.Ceiling(t * 1000);
        var h = t / steps;
        var s = (double[])sigma0.Clone();
        double[] F(double[] m)
        {
            var r = new double[4];
            for (var i = 0; i < 2; i++)
            {
                for (var j = 0; j < 2; j++)
                {
                    var value = 0.0;
                    for (var k = 0; k < 2; k++)
                    {
                        value += (a[i, k] * m[(k * 2) + j]) + (m[(i * 2) + k] * a[j, k]);
                    }

                    r[(i * 2) + j] = value;
                }
            }

            return r;
        }

        double[] Axpy(double[] x, double f, double[] y) => x.Select((v, i) => v + (f * y[i])).ToArray();
        for (var n = 0; n < steps; n++)
        {
            var k1 = F(s);
            var k2 = F(Axpy(s, h / 2, k1));
            var k3 = F(Axpy(s, h / 2, k2));
            var k4 = F(Axpy(s, h, k3));
            s = s.Select((v, i) => v + (h / 6 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]))).ToArray();
        }

        return s;
    }
}
