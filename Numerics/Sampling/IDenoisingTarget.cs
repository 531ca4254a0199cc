using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A data distribution with an exact denoiser D(t, x) = E[x1 | X_t = x] for the interpolant
/// X_t = a x0 + b x1 with standard Gaussian noise x0 (math.md 2.2-2.3). The denoiser depends on time only
/// through (a, b).
/// </summary>
public interface IDenoisingTarget
{
    /// <summary>The dimension d of the data.</summary>
    int Dimension { get; }

    /// <summary>
    /// Writes D for every particle of the row-major n x d batch <paramref name="x"/> into
    /// <paramref name="denoised"/> (same shape), for the coefficients a &gt; 0 and b &gt;= 0.
    /// </summary>
    void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised);

    /// <summary>
    /// The law of A x1 for x1 ~ this target, as a target of the same kind (Gaussian: N(A m, A Sigma A^T); mixture:
    /// component by component; atoms: mapped atoms with the same weights). <paramref name="map"/> (field <c>map</c>) is
    /// r x d with finite entries; for Gaussian kinds A Sigma A^T must stay positive definite (A of full row rank).
    /// Used to whiten a non-standard Gaussian source (<see cref="GaussianSource.WhitenTarget"/>); for an orthogonal A
    /// the denoiser is equivariant, D_A(a, b, A x) = A D(a, b, x).
    /// </summary>
    IDenoisingTarget MapLinear(Matrix<double> map);
}
