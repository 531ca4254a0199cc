using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Transport;

/// <summary>
/// Closed forms of unregularised optimal transport between Gaussians for the cost |x - y|^2
/// (math.md §3.2, [PDE4ML] Prop. "Gaussian W2 formula"). Means are vectors of length d, covariances
/// d x d symmetric positive semi-definite <c>double[,]</c> (symmetric up to a relative 1e-9; the
/// symmetric part is used). Invalid inputs (NaN or infinite entries, mismatched dimensions,
/// asymmetric or indefinite covariances) raise <see cref="InvalidInputException"/> naming the
/// parameter (<c>sigma0</c>, <c>m1</c>, ...). Inputs are never modified.
/// </summary>
public static class GaussianWasserstein
{
    /// <summary>
    /// Squared Bures distance B²(Σ0, Σ1) = tr Σ0 + tr Σ1 − 2 tr (Σ0^{1/2} Σ1 Σ0^{1/2})^{1/2}.
    /// A result that rounding makes slightly negative (equal covariances) is returned as 0.
    /// </summary>
    /// <param name="sigma0">Covariance of the first Gaussian (PSD).</param>
    /// <param name="sigma1">Covariance of the second Gaussian (PSD).</param>
    public static double BuresSquared(double[,] sigma0, double[,] sigma1)
    {
        var a = GaussianMatrixFunctions.Covariance(sigma0, nameof(sigma0));
        var b = GaussianMatrixFunctions.Covariance(sigma1, nameof(sigma1), a.RowCount);
        return BuresSquared(a, b);
    }

    /// <summary>
    /// W2²(N(m0, Σ0), N(m1, Σ1)) = |m0 − m1|² + B²(Σ0, Σ1), which is also the Gelbrich lower bound for
    /// any two measures with these means and covariances.
    /// </summary>
    /// <param name="m0">Mean of the first Gaussian.</param>
    /// <param name="sigma0">Covariance of the first Gaussian (PSD).</param>
    /// <param name="m1">Mean of the second Gaussian.</param>
    /// <param name="sigma1">Covariance of the second Gaussian (PSD).</param>
    public static double W2Squared(double[] m0, double[,] sigma0, double[] m1, double[,] sigma1)
    {
        var a = GaussianMatrixFunctions.Covariance(sigma0, nameof(sigma0));
        var b = GaussianMatrixFunctions.Covariance(sigma1, nameof(sigma1), a.RowCount);
        var mean0 = GaussianMatrixFunctions.Mean(m0, nameof(m0), a.RowCount);
        var mean1 = GaussianMatrixFunctions.Mean(m1, nameof(m1), a.RowCount);
        var shift = mean0 - mean1;
        return shift.DotProduct(shift) + BuresSquared(a, b);
    }

    /// <summary>
    /// The linear part M of the Brenier map x ↦ m1 + M(x − m0) from N(m0, Σ0) to N(m1, Σ1):
    /// M = Σ0^{-1/2}(Σ0^{1/2} Σ1 Σ0^{1/2})^{1/2}Σ0^{-1/2}, symmetric PSD (positive definite when Σ1 is).
    /// Requires Σ0 positive definite.
    /// </summary>
    /// <param name="sigma0">Covariance of the source Gaussian (positive definite).</param>
    /// <param name="sigma1">Covariance of the target Gaussian (PSD).</param>
    public static double[,] BrenierMap(double[,] sigma0, double[,] sigma1)
    {
        var a = GaussianMatrixFunctions.Covariance(sigma0, nameof(sigma0));
        var b = GaussianMatrixFunctions.Covariance(sigma1, nameof(sigma1), a.RowCount);
        return BrenierMap(a, b, nameof(sigma0)).ToArray();
    }

    /// <summary>
    /// Covariance of McCann's interpolant at time t ∈ [0, 1]:
    /// Σ_t = ((1 − t)I + tM) Σ0 ((1 − t)I + tM), with M the Brenier map. The interpolant
    /// N((1 − t)m0 + t m1, Σ_t) is the W2 geodesic, so W2(α_0, α_t) = t·W2(α_0, α_1).
    /// Requires Σ0 positive definite.
    /// </summary>
    /// <param name="sigma0">Covariance at t = 0 (positive definite).</param>
    /// <param name="sigma1">Covariance at t = 1 (PSD).</param>
    /// <param name="t">Time in [0, 1].</param>
    public static double[,] McCannCovariance(double[,] sigma0, double[,] sigma1, double t)
    {
        if (!(t >= 0 && t <= 1))
        {
            throw new InvalidInputException(nameof(t), $"time t = {t.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must lie in [0, 1]");
        }

        var a = GaussianMatrixFunctions.Covariance(sigma0, nameof(sigma0));
        var b = GaussianMatrixFunctions.Covariance(sigma1, nameof(sigma1), a.RowCount);
        var m = BrenierMap(a, b, nameof(sigma0));
        var step = (Matrix<double>.Build.DenseIdentity(a.RowCount) * (1 - t)) + (m * t);
        return GaussianMatrixFunctions.Symmetrise(step * a * step).ToArray();
    }

    /// <summary>Mean of McCann's interpolant at time t: (1 − t)m0 + t m1.</summary>
    /// <param name="m0">Mean at t = 0.</param>
    /// <param name="m1">Mean at t = 1.</param>
    /// <param name="t">Time in [0, 1].</param>
    public static double[] McCannMean(double[] m0, double[] m1, double t)
    {
        if (!(t >= 0 && t <= 1))
        {
            throw new InvalidInputException(nameof(t), $"time t = {t.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} must lie in [0, 1]");
        }

        var mean0 = GaussianMatrixFunctions.Mean(m0, nameof(m0), m0?.Length ?? 0);
        var mean1 = GaussianMatrixFunctions.Mean(m1, nameof(m1), mean0.Count);
        return ((mean0 * (1 - t)) + (mean1 * t)).ToArray();
    }

    internal static double BuresSquared(Matrix<double> a, Matrix<double> b)
    {
        var rootA = GaussianMatrixFunctions.Sqrt(a);
        var cross = GaussianMatrixFunctions.Symmetrise(rootA * b * rootA);
        var traceRoot = GaussianMatrixFunctions.NonNegativeEigenvalues(cross).Sum(Math.Sqrt);
        return Math.Max(0.0, a.Trace() + b.Trace() - (2 * traceRoot));
    }

    internal static Matrix<double> BrenierMap(Matrix<double> a, Matrix<double> b, string sourceField)
    {
        var rootA = GaussianMatrixFunctions.Sqrt(a);
        var inverseRootA = GaussianMatrixFunctions.InverseSqrt(a, sourceField);
        var middle = GaussianMatrixFunctions.Sqrt(GaussianMatrixFunctions.Symmetrise(rootA * b * rootA));
        return GaussianMatrixFunctions.Symmetrise(inverseRootA * middle * inverseRootA);
    }
}
