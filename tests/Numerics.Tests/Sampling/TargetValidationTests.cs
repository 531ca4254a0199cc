using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

public sealed class TargetValidationTests
{
    private static readonly double[,] Identity = { { 1.0, 0.0 }, { 0.0, 1.0 } };

    [Fact]
    public void Gaussian_rejects_bad_inputs_naming_the_field()
    {
        Field("covariance", () => new GaussianTarget([0.0, 0.0], new[,] { { 1.0, 2.0 }, { 2.0, 1.0 } }));
        Field("covariance", () => new GaussianTarget([0.0, 0.0], new[,] { { 1.0, 0.5 }, { 0.2, 1.0 } }));
        Field("covariance", () => new GaussianTarget([0.0, 0.0], new[,] { { 1.0 } }));
        Field("covariance", () => new GaussianTarget([0.0, 0.0], new[,] { { double.NaN, 0.0 }, { 0.0, 1.0 } }));
        Field("mean", () => new GaussianTarget([0.0, double.NaN], Identity));
        Field("mean", () => new GaussianTarget([], Identity));
    }

    [Fact]
    public void Mixture_rejects_bad_inputs_naming_the_field()
    {
        Field("weights[2]", () => new GaussianMixtureTarget([0.2, 0.3, 0.0], [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], [Identity, Identity, Identity]));
        Field("weights[0]", () => new GaussianMixtureTarget([-1.0], [[0.0, 0.0]], [Identity]));
        Field("weights[1]", () => new GaussianMixtureTarget([1.0, double.NaN], [[0.0, 0.0], [1.0, 1.0]], [Identity, Identity]));
        Field("means", () => new GaussianMixtureTarget([0.5, 0.5], [[0.0, 0.0]], [Identity, Identity]));
        Field("means[1]", () => new GaussianMixtureTarget([0.5, 0.5], [[0.0, 0.0], [1.0]], [Identity, Identity]));
        Field("covariances", () => new GaussianMixtureTarget([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [Identity]));
        Field("covariances[1]", () => new GaussianMixtureTarget([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [Identity, new[,] { { 1.0, 0.0 }, { 0.0, 0.0 } }]));
    }

    [Fact]
    public void Discrete_and_point_targets_reject_bad_inputs_naming_the_field()
    {
        Field("weights[1]", () => new DiscreteTarget([[-1.0], [1.0]], [0.3, -0.7]));
        Field("weights", () => new DiscreteTarget([[-1.0], [1.0]], [1.0]));
        Field("atoms[1]", () => new DiscreteTarget([[-1.0], [1.0, 2.0]], [0.5, 0.5]));
        Field("atoms", () => new DiscreteTarget([], []));
        Field("point", () => new PointMassTarget([double.PositiveInfinity]));
    }

    private static void Field(string field, Func<IDenoisingTarget> create)
    {
        var error = Assert.Throws<InvalidInputException>(create);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }
}
