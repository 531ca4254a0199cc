using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Coupling;

namespace Transport.Numerics.Tests.Sampling.Coupling;

/// <summary>The coupled-pairs velocity against a brute-force softmax, its block form, and its transport property.</summary>
public sealed class CoupledPairsFieldTests
{
    [Theory]
    [InlineData("linear", 0.0, 3, 0.5)]
    [InlineData("linear", 0.4, 3, 0.3)]
    [InlineData("trig", 0.7, 2, 0.2)]
    [InlineData("trig", 1.0, 3, 0.5)]
    [InlineData("vp", 0.5, 10, 0.8)]
    public void Velocity_matches_a_brute_force_softmax(string schedule, double t, int d, double sigma)
    {
        // Reference: r_k = softmax(log w_k - |x - a x0_k - b x1_k|^2 / (2 sigma^2)) evaluated term by term in float64
        // with a max shift. The kernel forms the same scores (coordinate differences for d <= 8; for d = 10 the
        // dot-product identity, whose cancellation costs ~1e-16 |x|^2 / sigma^2 ~ 1e-14 in each score), so 1e-11.
        const int pairs = 37, n = 13;
        var x0 = TestData.Points(pairs, d, seed: 1);
        var x1 = TestData.Points(pairs, d, seed: 2, scale: 2.0, shift: 0.5);
        var weights = TestData.Weights(pairs, seed: 3);
        var x = TestData.Points(n, d, seed: 4, scale: 1.5);
        var s = SamplingTestSupport.Schedule(schedule);
        var field = new CoupledPairsField(x0, x1, d, sigma, s, weights);

        var velocity = new double[n * d];
        field.Velocity(t, x, velocity);

        var expected = BruteForce(x0, x1, weights, d, sigma, s, t, x);
        for (var i = 0; i < velocity.Length; i++)
        {
            TestData.AssertRelative(expected[i], velocity[i], 1e-11, what: $"v[{i}]");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Blocks_combine_to_the_full_field(int blocks)
    {
        // 1500 pairs span several 512-key tiles; the partials over contiguous blocks combine exactly up to the
        // rescaling by exp(m - M), so the results agree to 1e-12 relative.
        const int pairs = 1500, d = 2, n = 20;
        var x0 = TestData.Points(pairs, d, seed: 5);
        var x1 = TestData.Points(pairs, d, seed: 6, scale: 3.0);
        var field = new CoupledPairsField(x0, x1, d, 0.1, new TrigonometricSchedule(), TestData.Weights(pairs, seed: 7));
        var x = TestData.Points(n, d, seed: 8, scale: 2.0);
        var full = new double[n * d];
        var split = new double[n * d];

        field.Velocity(0.35, x, full);
        field.VelocityInBlocks(0.35, x, blocks, split);

        for (var i = 0; i < full.Length; i++)
        {
            TestData.AssertRelative(full[i], split[i], 1e-12, what: $"v[{i}]");
        }
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("trig")]
    public void A_single_pair_gives_the_constant_pair_velocity(string schedule)
    {
        // With one pair the softmax is exactly 1 wherever x is, so v = a'(t) x0 + b'(t) x1 (to rounding, 1e-15).
        double[] x0 = [0.5, -1.0];
        double[] x1 = [2.0, 3.0];
        var s = SamplingTestSupport.Schedule(schedule);
        var field = new CoupledPairsField(x0, x1, 2, 0.05, s);
        double[] x = [100.0, -40.0, 0.0, 0.0, 2.0, 3.0];
        var velocity = new double[x.Length];
        foreach (var t in new[] { 0.0, 0.3, 1.0 })
        {
            field.Velocity(t, x, velocity);
            for (var i = 0; i < x.Length; i++)
            {
                var k = i % 2;
                TestData.AssertRelative((s.DA(t) * x0[k]) + (s.DB(t) * x1[k]), velocity[i], 1e-15, what: $"v[{i}] at t = {t}");
            }
        }
    }

    [Theory]
    [InlineData("linear", 50)]
    [InlineData("trig", 200)]
    public void A_particle_started_at_a_pair_start_ends_at_its_partner(string schedule, int steps)
    {
        // With sigma = 1e-3 the other pairs' keys stay at least 0.97 away along the paths below (checked by hand:
        // at equal times the closest approach is pairs 0 and 2 at t = 1/17), so their responsibilities are below
        // exp(-0.9 / 2e-6) = 0 in float64 and the particle moves with a' x0_k + b' x1_k, which RK4 integrates
        // to its local error: exactly for linear, ~(1/200)^4 ~ 1e-9 for trig. Tolerance 1e-7.
        double[] x0 = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, -1.0, -1.0];
        double[] x1 = [2.0, 2.0, 3.0, -1.0, -2.0, 2.0, -1.0, -3.0];
        var s = SamplingTestSupport.Schedule(schedule);
        var field = new CoupledPairsField(x0, x1, 2, 1e-3, s);

        var end = Rk4(field, (double[])x0.Clone(), steps, out _);

        for (var i = 0; i < end.Length; i++)
        {
            Assert.True(Math.Abs(end[i] - x1[i]) <= 1e-7, $"coordinate {i}: {end[i]:R} vs {x1[i]}");
        }
    }

    [Fact]
    public void Rejects_a_non_positive_bandwidth()
    {
        var error = Assert.Throws<InvalidInputException>(() => new CoupledPairsField([0.0], [1.0], 1, 0.0, new LinearSchedule()));
        Assert.Equal("sigma", error.Field);
    }

    /// <summary>
    /// Classical RK4 on [0, 1] with <paramref name="steps"/> equal steps; also returns sum over particles of
    /// int |v|^2 dt by Simpson's rule on the stage velocities (k2, k3 are both midpoint values).
    /// </summary>
    internal static double[] Rk4(CoupledPairsField field, double[] x, int steps, out double kineticEnergySum)
    {
        var h = 1.0 / steps;
        var n = x.Length;
        var k1 = new double[n];
        var k2 = new double[n];
        var k3 = new double[n];
        var k4 = new double[n];
        var stage = new double[n];
        kineticEnergySum = 0.0;
        for (var step = 0; step < steps; step++)
        {
            var t = step * h;
            field.Velocity(t, x, k1);
            for (var i = 0; i < n; i++)
            {
                stage[i] = x[i] + (0.5 * h * k1[i]);
            }

            field.Velocity(t + (0.5 * h), stage, k2);
            for (var i = 0; i < n; i++)
            {
                stage[i] = x[i] + (0.5 * h * k2[i]);
            }

            field.Velocity(t + (0.5 * h), stage, k3);
            for (var i = 0; i < n; i++)
            {
                stage[i] = x[i] + (h * k3[i]);
            }

            field.Velocity(Math.Min(1.0, t + h), stage, k4);
            for (var i = 0; i < n; i++)
            {
                x[i] += h * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]) / 6;
                kineticEnergySum += h * ((k1[i] * k1[i]) + (2 * k2[i] * k2[i]) + (2 * k3[i] * k3[i]) + (k4[i] * k4[i])) / 6;
            }
        }

        return x;
    }

    private static double[] BruteForce(double[] x0, double[] x1, double[] weights, int d, double sigma, InterpolantSchedule s, double t, double[] x)
    {
        var (a, b, da, db) = (s.A(t), s.B(t), s.DA(t), s.DB(t));
        var pairs = weights.Length;
        var n = x.Length / d;
        var result = new double[x.Length];
        for (var i = 0; i < n; i++)
        {
            var logits = new double[pairs];
            for (var k = 0; k < pairs; k++)
            {
                var squared = 0.0;
                for (var c = 0; c < d; c++)
                {
                    var diff = x[(i * d) + c] - (a * x0[(k * d) + c]) - (b * x1[(k * d) + c]);
                    squared += diff * diff;
                }

                logits[k] = Math.Log(weights[k]) - (squared / (2 * sigma * sigma));
            }

            var max = logits.Max();
            var total = logits.Sum(l => Math.Exp(l - max));
            for (var k = 0; k < pairs; k++)
            {
                var r = Math.Exp(logits[k] - max) / total;
                for (var c = 0; c < d; c++)
                {
                    result[(i * d) + c] += r * ((da * x0[(k * d) + c]) + (db * x1[(k * d) + c]));
                }
            }
        }

        return result;
    }
}
