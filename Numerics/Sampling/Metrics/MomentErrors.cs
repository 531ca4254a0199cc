namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// Weighted sample mean and covariance of a cloud and their errors against a reference Gaussian N(m, Sigma).
/// <para>
/// The mean is sum_i w_i x_i (weights normalised to one). The covariance is the unbiased "reliability weights"
/// estimate sum_i w_i (x_i - mean)(x_i - mean)^T / (1 - sum_i w_i^2), which is the usual 1 / (n - 1) estimate for
/// uniform weights. The Monte-Carlo standard error of mean coordinate k is sqrt(Sigma_kk / n_eff) with the Kish
/// effective sample size n_eff = 1 / sum_i w_i^2 (n for uniform weights): if the samples are independent draws
/// from N(m, Sigma), |mean_k - m_k| exceeds 3 standard errors with probability 0.27%.
/// </para>
/// </summary>
public sealed class MomentErrors
{
    private MomentErrors(double[] sampleMean, double[,] sampleCovariance, double[] referenceMean, double[,] referenceCovariance, double effectiveCount)
    {
        var d = sampleMean.Length;
        SampleMean = sampleMean;
        SampleCovariance = sampleCovariance;
        EffectiveSampleSize = effectiveCount;
        var meanSquared = 0.0;
        var standardErrors = new double[d];
        var worst = 0.0;
        for (var k = 0; k < d; k++)
        {
            var diff = sampleMean[k] - referenceMean[k];
            meanSquared += diff * diff;
            standardErrors[k] = Math.Sqrt(referenceCovariance[k, k] / effectiveCount);
            worst = Math.Max(worst, Math.Abs(diff) / standardErrors[k]);
        }

        var frobenius = 0.0;
        var referenceNorm = 0.0;
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var diff = sampleCovariance[i, j] - referenceCovariance[i, j];
                frobenius += diff * diff;
                referenceNorm += referenceCovariance[i, j] * referenceCovariance[i, j];
            }
        }

        MeanError = Math.Sqrt(meanSquared);
        CovarianceError = Math.Sqrt(frobenius);
        RelativeCovarianceError = CovarianceError / Math.Sqrt(referenceNorm);
        MeanStandardErrors = standardErrors;
        MaxMeanErrorInStandardErrors = worst;
    }

    /// <summary>The weighted sample mean.</summary>
    public double[] SampleMean { get; }

    /// <summary>The unbiased weighted sample covariance (d x d).</summary>
    public double[,] SampleCovariance { get; }

    /// <summary>The Kish effective sample size 1 / sum_i w_i^2.</summary>
    public double EffectiveSampleSize { get; }

    /// <summary>|mean - m|_2.</summary>
    public double MeanError { get; }

    /// <summary>|Cov - Sigma|_F (Frobenius norm).</summary>
    public double CovarianceError { get; }

    /// <summary>|Cov - Sigma|_F / |Sigma|_F.</summary>
    public double RelativeCovarianceError { get; }

    /// <summary>Per coordinate, the Monte-Carlo standard error sqrt(Sigma_kk / n_eff) of the mean under N(m, Sigma).</summary>
    public double[] MeanStandardErrors { get; }

    /// <summary>max_k |mean_k - m_k| / standard error_k: "the mean is within this many standard errors".</summary>
    public double MaxMeanErrorInStandardErrors { get; }

    /// <summary>
    /// Computes the moments of row-major <paramref name="samples"/> (field <c>samples</c>, dimension
    /// <paramref name="d"/>, at least two points with positive weight) with optional non-negative
    /// <paramref name="weights"/> and compares them with <paramref name="mean"/> (field <c>mean</c>) and the symmetric
    /// positive definite <paramref name="covariance"/> (field <c>covariance</c>).
    /// </summary>
    public static MomentErrors Compute(double[] samples, int d, IReadOnlyList<double> mean, double[,] covariance, double[]? weights = null)
    {
        var cloud = SampleCloud.Create("samples", samples, d, weights, "weights");
        var m = TargetValidation.Vector("mean", mean, d);
        _ = TargetValidation.Covariance("covariance", covariance, d);
        var effective = cloud.EffectiveCount;
        var sumSquares = 1.0 / effective;
        if (!(1.0 - sumSquares > 1e-12))
        {
            throw new InvalidInputException("samples", "at least two samples with positive weight are needed for a covariance");
        }

        var sampleMean = new double[d];
        for (var i = 0; i < cloud.Count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                sampleMean[k] += cloud.Weights[i] * samples[(i * d) + k];
            }
        }

        var sampleCovariance = new double[d, d];
        var centred = new double[d];
        for (var i = 0; i < cloud.Count; i++)
        {
            var w = cloud.Weights[i];
            for (var k = 0; k < d; k++)
            {
                centred[k] = samples[(i * d) + k] - sampleMean[k];
            }

            for (var r = 0; r < d; r++)
            {
                for (var c = r; c < d; c++)
                {
                    sampleCovariance[r, c] += w * centred[r] * centred[c];
                }
            }
        }

        var correction = 1.0 / (1.0 - sumSquares);
        for (var r = 0; r < d; r++)
        {
            for (var c = r; c < d; c++)
            {
                sampleCovariance[r, c] *= correction;
                sampleCovariance[c, r] = sampleCovariance[r, c];
            }
        }

        return new MomentErrors(sampleMean, sampleCovariance, m, (double[,])covariance.Clone(), effective);
    }
}
