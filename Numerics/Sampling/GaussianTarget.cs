using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>
/// Gaussian data N(m, Sigma) with the exact denoiser of math.md 2.3a: with C_t = a^2 I + b^2 Sigma,
/// D = m + b Sigma C_t^-1 (x - b m). It is the one-component case of <see cref="GaussianMixtureTarget"/>.
/// </summary>
public sealed class GaussianTarget : IDenoisingTarget
{
    private readonly GaussianMixtureTarget _single;

    /// <summary>
    /// Creates the target; <paramref name="mean"/> (field <c>mean</c>) must be finite and
    /// <paramref name="covariance"/> (field <c>covariance</c>) symmetric positive definite of matching size.
    /// </summary>
    public GaussianTarget(IReadOnlyList<double> mean, double[,] covariance)
    {
        var m = TargetValidation.Vector("mean", mean);
        var sigma = TargetValidation.Covariance("covariance", covariance, m.Length);
        _single = new GaussianMixtureTarget(m, sigma);
    }

    private GaussianTarget(GaussianMixtureTarget single)
    {
        _single = single;
    }

    /// <inheritdoc />
    public int Dimension => _single.Dimension;

    /// <inheritdoc />
    public void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised) =>
        _single.Denoise(a, b, x, denoised);

    /// <summary>The law N(A m, A Sigma A^T) of A x1; A must have full row rank so the covariance stays positive definite.</summary>
    public GaussianTarget MapLinear(Matrix<double> map) => new(_single.MapLinear(map));

    /// <inheritdoc />
    IDenoisingTarget IDenoisingTarget.MapLinear(Matrix<double> map) => MapLinear(map);
}
