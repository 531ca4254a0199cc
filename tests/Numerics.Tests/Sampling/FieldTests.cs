using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

public sealed class FieldTests
{
    [Fact]
    public void Fm3_gaussian_velocity_at_half_time()
    {
        var field = new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target());
        var v = new double[2];
        field.Velocity(0.5, [0.0, 0.0], v);

        // Independent: v = b' m + (a a' I + b b' Sigma) C^-1 (x - b m) with a = b = 1/2.
        Assert.Equal(1.428571, v[0], 1e-6);
        Assert.Equal(-1.428571, v[1], 1e-6);
    }

    [Fact]
    public void Fm1_two_atom_spot_values()
    {
        var target = new DiscreteTarget([[-1.0], [1.0]], [0.3, 0.7]);
        var linear = new InterpolantField(new LinearSchedule(), target);
        var trig = new InterpolantField(new TrigonometricSchedule(), target);
        var v = new double[1];
        var s = new double[1];
        var d = new double[1];

        linear.Denoiser(0.5, [0.0], d);
        linear.Velocity(0.5, [0.0], v);
        Assert.Equal(0.4, d[0], 1e-14);
        Assert.Equal(0.8, v[0], 1e-14);

        trig.Velocity(0.5, [0.0], v);
        trig.Score(0.5, [0.0], s);
        Assert.Equal(0.8885766, v[0], 1e-7);
        Assert.Equal(0.5656854, s[0], 1e-7);
    }

    [Fact]
    public void Mixture_with_one_component_equals_the_gaussian()
    {
        var covariance = new[,] { { 1.0, 0.6 }, { 0.6, 1.0 } };
        var gaussian = new InterpolantField(new TrigonometricSchedule(), SamplingTestSupport.Fm3Target());
        var mixture = new InterpolantField(
            new TrigonometricSchedule(), new GaussianMixtureTarget([2.0], [[1.0, -1.0]], [covariance]));
        double[] x = [0.3, -0.2, 1.5, 2.0];
        var expected = new double[4];
        var actual = new double[4];
        gaussian.Velocity(0.4, x, expected);
        mixture.Velocity(0.4, x, actual);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-14);
        }
    }

    [Fact]
    public void Mixture_score_matches_a_finite_difference_of_the_log_density()
    {
        // 1-D: p_t = sum_k w_k N(b m_k, a^2 + b^2 s_k^2), written out in the test.
        double[] w = [0.25, 0.75];
        double[] m = [-2.0, 1.0];
        double[] v = [0.5, 0.2];
        var target = new GaussianMixtureTarget(w, [[m[0]], [m[1]]], [new[,] { { v[0] } }, new[,] { { v[1] } }]);
        var schedule = new TrigonometricSchedule();
        var field = new InterpolantField(schedule, target);
        const double t = 0.6;
        var a = schedule.A(t);
        var b = schedule.B(t);
        double LogDensity(double x)
        {
            var total = 0.0;
            for (var k = 0; k < 2; k++)
            {
                var variance = (a * a) + (b * b * v[k]);
                var r = x - (b * m[k]);
                total += w[k] * Math.Exp(-r * r / (2 * variance)) / Math.Sqrt(2 * Math.PI * variance);
            }

            return Math.Log(total);
        }

        foreach (var x in new[] { -1.7, -0.2, 0.4, 1.1 })
        {
            var score = new double[1];
            field.Score(t, [x], score);
            var numeric = (LogDensity(x + 1e-5) - LogDensity(x - 1e-5)) / 2e-5;
            Assert.Equal(numeric, score[0], 1e-7);
        }
    }

    [Fact]
    public void Fields_reject_times_where_a_vanishes()
    {
        var field = new InterpolantField(new LinearSchedule(), SamplingTestSupport.Fm3Target());
        var error = Assert.Throws<InvalidInputException>(() => field.Velocity(1.0, [0.0, 0.0], new double[2]));
        Assert.Equal("t", error.Field);
    }
}
