using Transport.Numerics.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// How a set of samples splits over the components of a Gaussian mixture sum_k w_k N(m_k, Sigma_k). For each sample
/// the posterior responsibilities are r_k(x) = softmax_k[log w_k - 1/2 log det Sigma_k - 1/2 |x - m_k|^2_{Sigma_k^-1}]
/// (log-sum-exp stabilised, so samples far from every component still get a proper distribution). The soft mass of
/// component k is the mean of r_k over the samples; the hard mass is the fraction of samples whose most probable
/// component is k (ties go to the lowest index). For exact samples the soft mass is an unbiased estimate of w_k; the
/// hard mass approaches w_k only when the components are well separated.
/// </summary>
public sealed class MixtureComponentMass
{
    private const int SamplesPerChunk = 256;

    private MixtureComponentMass(double[] weights, double[] softMass, double[] hardMass)
    {
        Weights = weights;
        SoftMass = softMass;
        HardMass = hardMass;
        var worst = 0.0;
        for (var k = 0; k < weights.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(softMass[k] - weights[k]));
        }

        MaxSoftMassError = worst;
    }

    /// <summary>The normalised mixture weights w_k.</summary>
    public double[] Weights { get; }

    /// <summary>Per component, the mean posterior responsibility over the samples (sums to one).</summary>
    public double[] SoftMass { get; }

    /// <summary>Per component, the fraction of samples whose most probable component it is (sums to one).</summary>
    public double[] HardMass { get; }

    /// <summary>max_k |soft mass_k - w_k|.</summary>
    public double MaxSoftMassError { get; }

    /// <summary>
    /// Evaluates the row-major <paramref name="samples"/> (field <c>samples</c>) against the mixture. Fields:
    /// <c>weights[k]</c> (positive, normalised), <c>means[k]</c>, <c>covariances[k]</c> (symmetric positive definite).
    /// </summary>
    public static MixtureComponentMass Compute(
        IReadOnlyList<double> weights,
        IReadOnlyList<IReadOnlyList<double>> means,
        IReadOnlyList<double[,]> covariances,
        double[] samples)
    {
        var normalised = TargetValidation.Weights("weights", weights);
        var count = normalised.Length;
        if (means is null || means.Count != count)
        {
            throw new InvalidInputException("means", $"has {means?.Count ?? 0} entries, expected {count} (one per weight)");
        }

        if (covariances is null || covariances.Count != count)
        {
            throw new InvalidInputException("covariances", $"has {covariances?.Count ?? 0} entries, expected {count} (one per weight)");
        }

        var components = new Component[count];
        var d = 0;
        for (var k = 0; k < count; k++)
        {
            var mean = TargetValidation.Vector($"means[{k}]", means[k], k == 0 ? null : d);
            d = mean.Length;
            var factor = TargetValidation.Covariance($"covariances[{k}]", covariances[k], d).Cholesky();
            components[k] = new Component(mean, factor.Factor, Math.Log(normalised[k]) - (0.5 * factor.DeterminantLn));
        }

        var cloud = SampleCloud.Create("samples", samples, d, null, "weights");
        var chunks = (cloud.Count + SamplesPerChunk - 1) / SamplesPerChunk;
        var softPerChunk = new double[chunks * count];
        var hardPerChunk = new int[chunks * count];
        Parallel.For(0, chunks, KernelParallelism.Options(-1), chunk =>
        {
            var logits = new double[count];
            var residual = new double[d];
            var end = Math.Min((chunk + 1) * SamplesPerChunk, cloud.Count);
            for (var i = chunk * SamplesPerChunk; i < end; i++)
            {
                var x = samples.AsSpan(i * d, d);
                var best = 0;
                for (var k = 0; k < count; k++)
                {
                    logits[k] = components[k].LogDensity(x, residual);
                    if (logits[k] > logits[best])
                    {
                        best = k;
                    }
                }

                var sum = 0.0;
                for (var k = 0; k < count; k++)
                {
                    sum += Math.Exp(logits[k] - logits[best]);
                }

                for (var k = 0; k < count; k++)
                {
                    softPerChunk[(chunk * count) + k] += Math.Exp(logits[k] - logits[best]) / sum;
                }

                hardPerChunk[(chunk * count) + best]++;
            }
        });

        var soft = new double[count];
        var hard = new double[count];
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            for (var k = 0; k < count; k++)
            {
                soft[k] += softPerChunk[(chunk * count) + k];
                hard[k] += hardPerChunk[(chunk * count) + k];
            }
        }

        for (var k = 0; k < count; k++)
        {
            soft[k] /= cloud.Count;
            hard[k] /= cloud.Count;
        }

        return new MixtureComponentMass(normalised, soft, hard);
    }

    /// <summary>One component: mean, lower Cholesky factor L (Sigma = L L^T) and log w - 1/2 log det Sigma.</summary>
    private sealed class Component(double[] mean, Matrix<double> factor, double offset)
    {
        /// <summary>log w - 1/2 log det Sigma - 1/2 |L^-1 (x - m)|^2, by forward substitution into <paramref name="residual"/>.</summary>
        public double LogDensity(ReadOnlySpan<double> x, double[] residual)
        {
            var d = mean.Length;
            var quadratic = 0.0;
            for (var r = 0; r < d; r++)
            {
                var value = x[r] - mean[r];
                for (var c = 0; c < r; c++)
                {
                    value -= factor[r, c] * residual[c];
                }

                residual[r] = value / factor[r, r];
                quadratic += residual[r] * residual[r];
            }

            return offset - (0.5 * quadratic);
        }
    }
}
