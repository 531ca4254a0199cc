using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Validation;

/// <summary>
/// Bad input at the Numerics level: every rejection is an <see cref="InvalidInputException"/> whose
/// <see cref="InvalidInputException.Field"/> names the input and whose message names the field and the value.
/// </summary>
public sealed class NumericsBadInputTests
{
    public static TheoryData<double, string> NonFiniteCoordinates => new()
    {
        { double.NaN, "NaN" },
        { double.PositiveInfinity, "Infinity" },
        { double.NegativeInfinity, "-Infinity" },
    };

    [Theory]
    [MemberData(nameof(NonFiniteCoordinates))]
    public void Non_finite_coordinate_names_field_position_and_value(double bad, string text)
    {
        double[] positions = [0, 1, 2, 3, 4, 5];
        positions[3] = bad;

        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create(positions, 3, 2, field: "source"));

        Assert.Equal("source", error.Field);
        Assert.Contains("source", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 1]", error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_cloud_is_rejected_naming_the_count()
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([], 0, 2, field: "target"));

        Assert.Equal("target", error.Field);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("n = 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_shape_is_rejected_naming_expected_and_actual_counts()
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([1, 2, 3, 4, 5], 3, 2, field: "source"));

        Assert.Equal("source", error.Field);
        Assert.Contains("3 x 2 = 6", error.Message, StringComparison.Ordinal);
        Assert.Contains("got 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_positive_dimension_is_rejected_naming_the_value()
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([], 3, 0, field: "source"));

        Assert.Equal("source", error.Field);
        Assert.Contains("got 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_weight_is_rejected_naming_index_and_value()
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([0, 1, 2], 3, 1, [1, -0.25, 1], weightsField: "source-weights"));

        Assert.Equal("source-weights", error.Field);
        Assert.Contains("source-weights", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains("-0.25", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Non_finite_weight_is_rejected_naming_the_value(double bad, string text)
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([0, 1, 2], 3, 1, [1, 1, bad], weightsField: "target-weights"));

        Assert.Equal("target-weights", error.Field);
        Assert.Contains("[2]", error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_zero_weights_are_rejected_naming_the_sum()
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([0, 1, 2], 3, 1, [0, 0, 0], weightsField: "source-weights"));

        Assert.Equal("source-weights", error.Field);
        Assert.Contains("sum to 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_of_the_wrong_count_are_rejected_naming_both_counts()
    {
        var error = Assert.Throws<InvalidInputException>(() => PointCloud.Create([0, 1, 2], 3, 1, [1, 1], weightsField: "target-weights"));

        Assert.Equal("target-weights", error.Field);
        Assert.Contains("expected 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("got 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dimension_mismatch_between_clouds_names_target_and_both_dimensions()
    {
        var source = PointCloud.Create([0, 0, 1, 1], 2, 2);
        var target = PointCloud.Create([0, 0, 0, 1, 1, 1], 2, 3);

        var error = Assert.Throws<InvalidInputException>(() => new SinkhornProblem(source, target));

        Assert.Equal("target", error.Field);
        Assert.Contains("dimension 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("source dimension 2", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, SinkhornOptions> BadOptions => new()
    {
        { "epsilon", "got 0", new SinkhornOptions { Epsilon = 0 } },
        { "epsilon", "got -0.5", new SinkhornOptions { Epsilon = -0.5 } },
        { "epsilon", "got NaN", new SinkhornOptions { Epsilon = double.NaN } },
        { "epsilon", "got Infinity", new SinkhornOptions { Epsilon = double.PositiveInfinity } },
        { "tolerance", "got 0", new SinkhornOptions { Epsilon = 1, Tolerance = 0 } },
        { "tolerance", "got -1E-06", new SinkhornOptions { Epsilon = 1, Tolerance = -1e-6 } },
        { "tolerance", "got NaN", new SinkhornOptions { Epsilon = 1, Tolerance = double.NaN } },
        { "max-iterations", "got 0", new SinkhornOptions { Epsilon = 1, MaxIterations = 0 } },
        { "max-iterations", "got -3", new SinkhornOptions { Epsilon = 1, MaxIterations = -3 } },
        { "scaling", "got 0", new SinkhornOptions { Epsilon = 1, Scaling = 0 } },
        { "scaling", "got 1.5", new SinkhornOptions { Epsilon = 1, Scaling = 1.5 } },
        { "scaling", "got NaN", new SinkhornOptions { Epsilon = 1, Scaling = double.NaN } },
        { "check-every", "got 0", new SinkhornOptions { Epsilon = 1, CheckEvery = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_option_names_field_and_value(string field, string valueText, SinkhornOptions options)
    {
        var error = Assert.Throws<InvalidInputException>(options.Validate);

        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
        Assert.Contains(valueText, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Solver_and_divergence_validate_options_before_any_work(string field, string valueText, SinkhornOptions options)
    {
        var cloud = PointCloud.Create([0, 1, 2], 3, 1);
        var problem = new SinkhornProblem(cloud, cloud);

        var solve = Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(problem, options));
        var divergence = Assert.Throws<InvalidInputException>(() => SinkhornDivergence.Compute(problem, options));

        Assert.Equal(field, solve.Field);
        Assert.Equal(field, divergence.Field);
        Assert.Contains(valueText, solve.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_boundary_options_pass_validation()
    {
        // Scaling 1 (annealing off), one iteration and a tiny tolerance are all legal.
        var options = new SinkhornOptions { Epsilon = 1e-300, Tolerance = 1e-300, MaxIterations = 1, Scaling = 1, CheckEvery = 1 };
        var exception = Record.Exception(options.Validate);
        Assert.Null(exception);
    }
}
