using System.Globalization;
using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>A Gaussian N(mean, covariance): the mean (length d) and the d x d covariance.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Covariance">The covariance, symmetric positive semi-definite.</param>
public sealed record GaussianMeasure(double[] Mean, double[,] Covariance);

/// <summary>An affine map T(x) = A x + b.</summary>
/// <param name="Matrix">A, d x d.</param>
/// <param name="Offset">b, length d.</param>
public sealed record AffineMap(double[,] Matrix, double[] Offset);

/// <summary>McCann's interpolant at one time: the Gaussian N(mean, covariance) on the W2 geodesic.</summary>
/// <param name="Time">t in [0, 1].</param>
/// <param name="Mean">(1 - t) m0 + t m1.</param>
/// <param name="Covariance">((1 - t) I + t M) Sigma0 ((1 - t) I + t M), M the Brenier matrix.</param>
public sealed record GaussianAtTime(double Time, double[] Mean, double[,] Covariance);

/// <summary>
/// Every closed form of optimal transport between two Gaussians the console reports (<c>transport w2</c>), for the cost
/// |x - y|^2 (math.md 3.2 and 3.7): W2^2 = |m0 - m1|^2 + B^2(Sigma0, Sigma1), the Brenier map, and on request the
/// entropic cost OT_eps and the debiased divergence S_eps (in the KL convention and the cost of <c>transport sinkhorn</c>,
/// so a Sinkhorn result on samples can be checked against them), the entropic barycentric map and McCann's
/// interpolant at given times.
/// </summary>
/// <param name="Dimension">d.</param>
/// <param name="W2Squared">W2^2 = <paramref name="MeanTerm"/> + <paramref name="BuresSquared"/>.</param>
/// <param name="BuresSquared">tr Sigma0 + tr Sigma1 - 2 tr (Sigma0^{1/2} Sigma1 Sigma0^{1/2})^{1/2}.</param>
/// <param name="MeanTerm">|m0 - m1|^2.</param>
/// <param name="BrenierMap">T(x) = M x + (m1 - M m0); null when Sigma0 is singular (no map pushes it forward then).</param>
/// <param name="Epsilon">The eps of the entropic fields, or null.</param>
/// <param name="EntropicOt">OT_eps = min_pi &lt;c, pi&gt; + eps KL(pi | a x b) for the chosen cost, or null.</param>
/// <param name="EntropicDivergence">S_eps = OT_eps(a, b) - OT_eps(a, a)/2 - OT_eps(b, b)/2, or null.</param>
/// <param name="EntropicMap">The entropic barycentric map E[y | x], or null (no eps, or Sigma0 singular).</param>
/// <param name="McCann">McCann's interpolant at each requested time, or null when no times were asked for.</param>
public sealed record GaussianTransportReference(
    int Dimension,
    double W2Squared,
    double BuresSquared,
    double MeanTerm,
    AffineMap? BrenierMap,
    double? Epsilon,
    double? EntropicOt,
    double? EntropicDivergence,
    AffineMap? EntropicMap,
    IReadOnlyList<GaussianAtTime>? McCann)
{
    /// <summary>
    /// Computes the report. <paramref name="source"/> and <paramref name="target"/> must have the same dimension, finite
    /// means and symmetric positive semi-definite covariances; <paramref name="epsilon"/>, when given, finite and &gt; 0;
    /// <paramref name="times"/> in [0, 1], and then Sigma0 positive definite (the interpolant is built from the Brenier
    /// map). Otherwise an <see cref="InvalidInputException"/> names <c>source.mean</c>, <c>target.covariance</c>,
    /// <c>epsilon</c> or <c>times</c> and the value.
    /// </summary>
    public static GaussianTransportReference Compute(GaussianMeasure source, GaussianMeasure target, double? epsilon, CostFunction cost, IReadOnlyList<double>? times)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var d = source.Mean?.Length ?? 0;
        if (d == 0)
        {
            throw new InvalidInputException("source.mean", "is empty; a Gaussian needs at least one coordinate");
        }

        var sigma0 = GaussianMatrixFunctions.Covariance(source.Covariance, "source.covariance", d);
        var m0 = GaussianMatrixFunctions.Mean(source.Mean, "source.mean", d);
        var sigma1 = GaussianMatrixFunctions.Covariance(target.Covariance, "target.covariance", d);
        var m1 = GaussianMatrixFunctions.Mean(target.Mean, "target.mean", d);
        if (epsilon is { } e && !(double.IsFinite(e) && e > 0))
        {
            throw new InvalidInputException("epsilon", $"must be a finite number > 0, got {e.ToString("R", CultureInfo.InvariantCulture)}");
        }

        foreach (var t in times ?? [])
        {
            if (!(t >= 0 && t <= 1))
            {
                throw new InvalidInputException("times", $"{t.ToString("R", CultureInfo.InvariantCulture)} is outside [0, 1]");
            }
        }

        var shift = m0 - m1;
        var meanTerm = shift.DotProduct(shift);
        var bures = GaussianWasserstein.BuresSquared(source.Covariance, target.Covariance);
        // Positive definite as the Brenier map's inverse square root requires it (the same relative threshold).
        var eigenvalues = GaussianMatrixFunctions.NonNegativeEigenvalues(sigma0);
        var sourceDefinite = eigenvalues.Max() > 0 && eigenvalues.Min() > GaussianMatrixFunctions.EigenvalueTolerance * eigenvalues.Max();
        if (times is { Count: > 0 } && !sourceDefinite)
        {
            throw new InvalidInputException("times", "McCann's interpolant is built from the Brenier map, which needs a positive definite source.covariance; this one is singular");
        }

        AffineMap? brenier = null;
        IReadOnlyList<GaussianAtTime>? mccann = null;
        AffineMap? entropicMap = null;
        if (sourceDefinite)
        {
            brenier = Affine(GaussianWasserstein.BrenierMap(source.Covariance, target.Covariance), source.Mean!, target.Mean!);
            if (times is not null)
            {
                mccann = [.. times.Select(t => new GaussianAtTime(t, GaussianWasserstein.McCannMean(source.Mean!, target.Mean!, t), GaussianWasserstein.McCannCovariance(source.Covariance, target.Covariance, t)))];
            }

            if (epsilon is { } eps)
            {
                entropicMap = Affine(GaussianEntropicTransport.BarycentricMap(source.Covariance, target.Covariance, eps, cost), source.Mean!, target.Mean!);
            }
        }

        double? entropic = null, divergence = null;
        if (epsilon is { } value)
        {
            entropic = GaussianEntropicTransport.EntropicCost(source.Mean!, source.Covariance, target.Mean!, target.Covariance, value, cost);
            divergence = GaussianEntropicTransport.SinkhornDivergence(source.Mean!, source.Covariance, target.Mean!, target.Covariance, value, cost);
        }

        return new GaussianTransportReference(d, meanTerm + bures, bures, meanTerm, brenier, epsilon, entropic, divergence, entropicMap, mccann);
    }

    /// <summary>x -> m1 + L (x - m0), written as L x + (m1 - L m0).</summary>
    private static AffineMap Affine(double[,] linear, double[] m0, double[] m1)
    {
        var d = m0.Length;
        var offset = new double[d];
        for (var i = 0; i < d; i++)
        {
            var image = 0.0;
            for (var j = 0; j < d; j++)
            {
                image += linear[i, j] * m0[j];
            }

            offset[i] = m1[i] - image;
        }

        return new AffineMap(linear, offset);
    }
}
