using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Randomness;

namespace Transport.Numerics.Sampling;

/// <summary>
/// Exact, counter-based draws from the reference targets (for metrics against "exact target samples" and for the
/// target side of OT couplings). Sample i uses <see cref="CounterRandom"/>(seed, i, step: -2, stage: stream, ...):
/// step -2 is reserved for target draws, apart from the source noise (step -1) and the samplers (steps &gt;= 0).
/// </summary>
public static class TargetSamples
{
    /// <summary>The step index reserved for target draws.</summary>
    public const long TargetStep = -2;

    /// <summary>n draws of N(mean, covariance), row-major n x d: x = m + L z with the Cholesky factor L.</summary>
    public static double[] Gaussian(IReadOnlyList<double> mean, double[,] covariance, int n, long seed, int stream = 0)
    {
        var m = TargetValidation.Vector("mean", mean);
        var d = m.Length;
        var factor = TargetValidation.Covariance("covariance", covariance, d).Cholesky().Factor;
        CheckCount(n);
        var samples = new double[n * d];
        var z = new double[d];
        for (var i = 0; i < n; i++)
        {
            FillNormal(seed, i, stream, z);
            WriteAffine(m, factor, z, samples.AsSpan(i * d, d));
        }

        return samples;
    }

    /// <summary>n draws of the mixture sum_k w_k N(m_k, S_k): a component by inverse CDF, then its Gaussian.</summary>
    public static double[] Mixture(IReadOnlyList<double> weights, IReadOnlyList<IReadOnlyList<double>> means, IReadOnlyList<double[,]> covariances, int n, long seed, int stream = 0)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        var w = TargetValidation.Weights("weights", weights);
        if (means.Count != w.Length || covariances.Count != w.Length)
        {
            throw new InvalidInputException("means", $"{means.Count} means and {covariances.Count} covariances for {w.Length} weights");
        }

        var d = TargetValidation.Vector("means[0]", means[0]).Length;
        var centres = new double[w.Length][];
        var factors = new Matrix<double>[w.Length];
        for (var k = 0; k < w.Length; k++)
        {
            centres[k] = TargetValidation.Vector($"means[{k}]", means[k], d);
            factors[k] = TargetValidation.Covariance($"covariances[{k}]", covariances[k], d).Cholesky().Factor;
        }

        CheckCount(n);
        var cumulative = Cumulative(w);
        var samples = new double[n * d];
        var z = new double[d];
        for (var i = 0; i < n; i++)
        {
            var k = Pick(cumulative, CounterRandom.Uniform(seed, i, TargetStep, stream, d));
            FillNormal(seed, i, stream, z);
            WriteAffine(centres[k], factors[k], z, samples.AsSpan(i * d, d));
        }

        return samples;
    }

    /// <summary>n draws of sum_j w_j delta_{y_j} (uniform weights when null): data points picked by inverse CDF.</summary>
    public static double[] Empirical(double[] points, int dimension, double[]? weights, int n, long seed, int stream = 0)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (dimension < 1 || points.Length == 0 || points.Length % dimension != 0)
        {
            throw new InvalidInputException("points", $"length {points.Length} is not a positive multiple of d = {dimension}");
        }

        var count = points.Length / dimension;
        var w = weights is null ? Enumerable.Repeat(1.0 / count, count).ToArray() : TargetValidation.Weights("weights", weights, count);
        CheckCount(n);
        var cumulative = Cumulative(w);
        var samples = new double[n * dimension];
        for (var i = 0; i < n; i++)
        {
            var j = Pick(cumulative, CounterRandom.Uniform(seed, i, TargetStep, stream, 0));
            points.AsSpan(j * dimension, dimension).CopyTo(samples.AsSpan(i * dimension));
        }

        return samples;
    }

    private static void CheckCount(int n)
    {
        if (n < 1)
        {
            throw new InvalidInputException("n", $"sample count {n} must be at least 1");
        }
    }

    private static void FillNormal(long seed, long id, int stream, double[] z)
    {
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = CounterRandom.Normal(seed, id, TargetStep, stream, c);
        }
    }

    private static void WriteAffine(double[] mean, Matrix<double> factor, double[] z, Span<double> destination)
    {
        for (var r = 0; r < mean.Length; r++)
        {
            var sum = mean[r];
            for (var c = 0; c <= r; c++)
            {
                sum += factor[r, c] * z[c];
            }

            destination[r] = sum;
        }
    }

    private static double[] Cumulative(double[] weights)
    {
        var cumulative = new double[weights.Length];
        var total = 0.0;
        for (var k = 0; k < weights.Length; k++)
        {
            total += weights[k];
            cumulative[k] = total;
        }

        return cumulative;
    }

    private static int Pick(double[] cumulative, double u)
    {
        var target = u * cumulative[^1];
        var index = Array.BinarySearch(cumulative, target);
        index = index < 0 ? ~index : index;
        return Math.Min(index, cumulative.Length - 1);
    }
}
