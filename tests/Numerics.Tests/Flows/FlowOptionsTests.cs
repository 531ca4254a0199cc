using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

public sealed class FlowOptionsTests
{
    private static readonly FlowOptions Valid = new() { Step = 0.1, EndTime = 1 };

    public static TheoryData<string, string> Invalid => new()
    {
        { "step", "0" },
        { "step", "-1" },
        { "step", "NaN" },
        { "step", "Infinity" },
        { "t_end", "-0.5" },
        { "t_end", "NaN" },
        { "snapshot_every", "0" },
        { "rtol", "0" },
        { "rtol", "NaN" },
        { "atol", "-1" },
        { "max_steps", "0" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Out_of_range_values_name_the_field_and_the_value(string field, string value)
    {
        var number = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var options = field switch
        {
            "step" => Valid with { Step = number },
            "t_end" => Valid with { EndTime = number },
            "snapshot_every" => Valid with { SnapshotEvery = (int)number },
            "rtol" => Valid with { RelativeTolerance = number },
            "atol" => Valid with { AbsoluteTolerance = number },
            _ => Valid with { MaxSteps = (int)number },
        };
        var error = Assert.Throws<InvalidInputException>(options.Validate);
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_fixed_steps_and_misplaced_exponential_map_are_rejected()
    {
        Assert.Equal("step", Assert.Throws<InvalidInputException>((Valid with { Step = 1e-7, MaxSteps = 1000 }).Validate).Field);
        Assert.Equal("sphere_step", Assert.Throws<InvalidInputException>((Valid with { Integrator = FlowIntegrator.Rk4, SphereStep = FlowSphereStep.ExponentialMap }).Validate).Field);
        Assert.Equal("integrator", Assert.Throws<InvalidInputException>((Valid with { Integrator = (FlowIntegrator)42 }).Validate).Field);
        (Valid with { Integrator = FlowIntegrator.Euler, SphereStep = FlowSphereStep.ExponentialMap }).Validate();
        (Valid with { EndTime = 0 }).Validate();
    }

    [Theory]
    [InlineData("euler", FlowIntegrator.Euler)]
    [InlineData("heun", FlowIntegrator.Heun)]
    [InlineData("rk4", FlowIntegrator.Rk4)]
    [InlineData("euler-maruyama", FlowIntegrator.EulerMaruyama)]
    [InlineData("adaptive", FlowIntegrator.Adaptive)]
    public void Integrator_names_round_trip(string name, FlowIntegrator integrator)
    {
        Assert.Equal(integrator, FlowNames.ParseIntegrator(name));
        Assert.Equal(name, FlowNames.Name(integrator));
    }

    [Fact]
    public void Unknown_names_are_errors_naming_the_field_and_the_value()
    {
        var error = Assert.Throws<InvalidInputException>(() => FlowNames.ParseIntegrator("rk45"));
        Assert.Equal("integrator", error.Field);
        Assert.Contains("rk45", error.Message, StringComparison.Ordinal);
        Assert.Equal("sphere_step", Assert.Throws<InvalidInputException>(() => FlowNames.ParseSphereStep("project")).Field);
        Assert.Equal("error_norm", Assert.Throws<InvalidInputException>(() => FlowNames.ParseErrorNorm("l1")).Field);
        Assert.Equal(FlowSphereStep.ExponentialMap, FlowNames.ParseSphereStep("exponential-map"));
        Assert.Equal(FlowErrorNorm.Max, FlowNames.ParseErrorNorm("max"));
    }

    [Fact]
    public void Backend_rejects_bad_inputs_naming_the_field()
    {
        var model = new LinearModel(0.5, 1);
        Assert.Equal("initial", Assert.Throws<InvalidInputException>(() => new LocalFlowBackend(model, new double[3], [], Valid)).Field);
        Assert.Equal("weights", Assert.Throws<InvalidInputException>(() => new LocalFlowBackend(model, new double[4], [1.0], Valid)).Field);
        Assert.Equal("shards", Assert.Throws<InvalidInputException>(() => new LocalFlowBackend(model, new double[4], [], Valid, 3)).Field);
    }

    [Fact]
    public void Fixed_step_count_tolerates_round_off()
    {
        Assert.Equal(3, (Valid with { Step = 0.1, EndTime = 0.3 }).FixedStepCount());
        Assert.Equal(10, (Valid with { Step = 0.1, EndTime = 1.0 }).FixedStepCount());
        Assert.Equal(3, (Valid with { Step = 0.1, EndTime = 0.25 }).FixedStepCount());
        Assert.Equal(0, (Valid with { EndTime = 0 }).FixedStepCount());
    }
}
