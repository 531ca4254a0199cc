using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

public sealed class ScheduleTests
{
    [Theory]
    [InlineData("linear")]
    [InlineData("trig")]
    [InlineData("vp")]
    public void Derivatives_match_central_differences(string name)
    {
        var schedule = SamplingTestSupport.Schedule(name);
        const double h = 1e-6;
        foreach (var t in new[] { 0.05, 0.3, 0.5, 0.77, 0.95 })
        {
            var da = (schedule.A(t + h) - schedule.A(t - h)) / (2 * h);
            var db = (schedule.B(t + h) - schedule.B(t - h)) / (2 * h);
            Assert.Equal(da, schedule.DA(t), 1e-6 * Math.Max(1.0, Math.Abs(da)));
            Assert.Equal(db, schedule.DB(t), 1e-6 * Math.Max(1.0, Math.Abs(db)));
        }
    }

    [Fact]
    public void Endpoints_follow_math_md_2_1()
    {
        var linear = new LinearSchedule();
        var trig = new TrigonometricSchedule();
        var vp = new VpSdeSchedule();
        Assert.Equal((1.0, 0.0), (linear.A(0), linear.B(0)));
        Assert.Equal((0.0, 1.0), (linear.A(1), linear.B(1)));
        Assert.Equal(1.0, trig.A(0), 1e-15);
        Assert.Equal(1.0, trig.B(1), 1e-15);

        // math.md 2.1: alpha(1) = 0.0065716 and sigma(1)^2 = 0.9999568; the data end is exact.
        Assert.Equal(0.0065716, vp.B(0), 1e-7);
        Assert.Equal(0.9999568, vp.A(0) * vp.A(0), 1e-7);
        Assert.Equal(1.0, vp.B(1), 1e-15);
        Assert.Equal(0.0, vp.A(1), 1e-15);
        foreach (var t in new[] { 0.0, 0.2, 0.6, 0.9 })
        {
            Assert.Equal(1.0, (vp.A(t) * vp.A(t)) + (vp.B(t) * vp.B(t)), 1e-14);
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Times_outside_the_unit_interval_are_rejected(double t)
    {
        var error = Assert.Throws<InvalidInputException>(() => new TrigonometricSchedule().A(t));
        Assert.Equal("t", error.Field);
    }

    [Fact]
    public void Bad_vp_parameters_are_rejected()
    {
        Assert.Equal("beta-min", Assert.Throws<InvalidInputException>(() => new VpSdeSchedule(0.0, 20.0)).Field);
        Assert.Equal("beta-max", Assert.Throws<InvalidInputException>(() => new VpSdeSchedule(0.1, 0.05)).Field);
    }
}
