using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A Gaussian mixture sum_k w_k N(m_k, Sigma_k) with the exact denoiser of math.md 2.3b: with
/// C_k = a^2 I + b^2 Sigma_k, responsibilities r_k = softmax_k[log w_k - 1/2 log det C_k - 1/2 |x - b m_k|^2_{C_k^-1}]
/// and D = sum_k r_k (m_k + b Sigma_k C_k^-1 (x - b m_k)).
/// </summary>
public sealed class GaussianMixtureTarget : IDenoisingTarget
{
    private readonly double[] _logWeights;
    private readonly double[][] _means;
    private readonly Matrix<double>[] _covariances;

    /// <summary>
    /// Creates the mixture. Fields: <c>weights[k]</c> (positive, normalised to one), <c>means[k]</c> (finite, all of
    /// one length) and <c>covariances[k]</c> (symmetric positive definite, d x d).
    /// </summary>
    public GaussianMixtureTarget(
        IReadOnlyList<double> weights,
        IReadOnlyList<IReadOnlyList<double>> means,
        IReadOnlyList<double[,]> covariances)
    {
        var normalised = TargetValidation.Weights("weights", weights);
        var count = normalised.Length;
        if (means is null || means.Count != count)
        {
            throw new InvalidInputException("means", $"has {means?.Count ?? 0} entries, expected {count} (one per weight)");
        }

        if (covariances is null || covariances.Count != count)
        {
            throw new InvalidInputException(
                "covariances", $"has {covariances?.Count ?? 0} entries, expected {count} (one per weight)");
        }

        _logWeights = Array.ConvertAll(normalised, Math.Log);
        _means = new double[count][];
        _covariances = new Matrix<double>[count];
        for (var k = 0; k < count; k++)
        {
            _means[k] = TargetValidation.Vector($"means[{k}]", means[k], k == 0 ? null : _means[0].Length);
            _covariances[k] = TargetValidation.Covariance($"covariances[{k}]", covariances[k], _means[0].Length);
        }
    }

    /// <summary>Creates a one-component mixture from already validated parts.</summary>
    internal GaussianMixtureTarget(double[] mean, Matrix<double> covariance)
        : this([0.0], [mean], [covariance])
    {
    }

    /// <summary>Creates a mixture from already validated, normalised parts.</summary>
    private GaussianMixtureTarget(double[] logWeights, double[][] means, Matrix<double>[] covariances)
    {
        _logWeights = logWeights;
        _means = means;
        _covariances = covariances;
    }

    /// <summary>The number of components K.</summary>
    public int Components => _means.Length;

    /// <inheritdoc />
    public int Dimension => _means[0].Length;

    /// <summary>
    /// The law of A x1: sum_k w_k N(A m_k, A Sigma_k A^T), same weights; A must have full row rank so every
    /// mapped covariance stays positive definite.
    /// </summary>
    public GaussianMixtureTarget MapLinear(Matrix<double> map)
    {
        var checkedMap = LinearMap.Checked(map, Dimension);
        var means = new double[_means.Length][];
        var covariances = new Matrix<double>[_means.Length];
        for (var k = 0; k < _means.Length; k++)
        {
            means[k] = LinearMap.Apply(checkedMap, _means[k]);
            covariances[k] = LinearMap.Congruence(checkedMap, _covariances[k]);
        }

        return new GaussianMixtureTarget((double[])_logWeights.Clone(), means, covariances);
    }

    /// <inheritdoc />
    IDenoisingTarget IDenoisingTarget.MapLinear(Matrix<double> map) => MapLinear(map);

    /// <inheritdoc />
    public void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised)
    {
        TargetValidation.Batch(Dimension, x, denoised);
        var d = Dimension;
        var count = _means.Length;

        // Per component and per call (one time): C_k^-1, log det C_k and the gain b Sigma_k C_k^-1.
        var inverses = new Matrix<double>[count];
        var gains = new Matrix<double>[count];
        var logNormalisers = new double[count];
        var identity = Matrix<double>.Build.DenseIdentity(d);
        for (var k = 0; k < count; k++)
        {
            var c = (identity * (a * a)) + (_covariances[k] * (b * b));
            var cholesky = c.Cholesky();
            inverses[k] = cholesky.Solve(identity);
            gains[k] = _covariances[k] * inverses[k] * b;
            logNormalisers[k] = _logWeights[k] - (0.5 * cholesky.DeterminantLn);
        }

        var residuals = new double[count][];
        for (var k = 0; k < count; k++)
        {
            residuals[k] = new double[d];
        }

        var logits = new double[count];
        for (var offset = 0; offset < x.Length; offset += d)
        {
            var particle = x.Slice(offset, d);
            var max = double.NegativeInfinity;
            for (var k = 0; k < count; k++)
            {
                var r = residuals[k];
                for (var i = 0; i < d; i++)
                {
                    r[i] = particle[i] - (b * _means[k][i]);
                }

                var quadratic = 0.0;
                for (var i = 0; i < d; i++)
                {
                    var row = 0.0;
                    for (var j = 0; j < d; j++)
                    {
                        row += inverses[k][i, j] * r[j];
                    }

                    quadratic += r[i] * row;
                }

                logits[k] = logNormalisers[k] - (0.5 * quadratic);
                max = Math.Max(max, logits[k]);
            }

            var output = denoised.Slice(offset, d);
            output.Clear();
            var total = 0.0;
            for (var k = 0; k < count; k++)
            {
                var weight = Math.Exp(logits[k] - max);
                total += weight;
                for (var i = 0; i < d; i++)
                {
                    var component = _means[k][i];
                    for (var j = 0; j < d; j++)
                    {
                        component += gains[k][i, j] * residuals[k][j];
                    }

                    output[i] += weight * component;
                }
            }

            for (var i = 0; i < d; i++)
            {
                output[i] /= total;
            }
        }
    }
}
