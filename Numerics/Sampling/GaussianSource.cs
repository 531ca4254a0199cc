using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Randomness;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A Gaussian source (noise) law N(mu0, Sigma0) for the interpolant X_t = a(t) x0 + b(t) x1, reduced to the
/// standard-noise identities of math.md 2.2 by whitening (FM-4, issue 4).
/// <para>
/// Construction: with the Cholesky factor L of Sigma0 (L L^T = Sigma0, lower triangular) write x0 = mu0 + L z,
/// z ~ N(0, I). Then Y_t := L^-1 (X_t - a(t) mu0) = a(t) z + b(t) L^-1 x1 is the standard-noise interpolant towards
/// the transformed data L^-1 x1, whose denoiser is that of <see cref="WhitenTarget"/>. Because the change of
/// variables X = a(t) mu0 + L Y is affine in x for every t, the probability-flow velocity transforms as
/// dX/dt = a'(t) mu0 + L dY/dt, which is exactly E[a' x0 + b' x1 | X_t]: integrating the whitened ODE and mapping
/// back gives the flow of the original problem. So a run is <see cref="Whiten(ReadOnlySpan{double})"/> (t = 0,
/// a = 1), any standard-noise sampler on the whitened target, then <see cref="Unwhiten"/> with a(t_end).
/// The flow does not depend on the choice of square root of Sigma0 (the velocity only involves Sigma0 itself).
/// </para>
/// </summary>
public sealed class GaussianSource
{
    /// <summary>
    /// The default counter stream of <see cref="Draw"/>: it occupies the step slot of <see cref="CounterRandom"/>, and
    /// the SDE sampler uses steps k &gt;= 0, so the source noise never coincides with a diffusion increment.
    /// </summary>
    public const long SourceStream = -1;

    /// <summary>The field name of the mean in error messages.</summary>
    public const string MeanField = "source-mean";

    /// <summary>The field name of the covariance in error messages.</summary>
    public const string CovarianceField = "source-covariance";

    private readonly double[] _mean;
    private readonly double[,] _covariance;
    private readonly double[] _lower;
    private readonly Matrix<double> _inverseLower;

    /// <summary>
    /// Creates N(<paramref name="mean"/>, <paramref name="covariance"/>). Either may be omitted (zero mean, identity
    /// covariance) but not both. Fields: <c>source-mean</c> (finite), <c>source-covariance</c> (finite, symmetric,
    /// positive definite, d x d with d the mean's length).
    /// </summary>
    public GaussianSource(IReadOnlyList<double>? mean, double[,]? covariance)
    {
        if (mean is null && covariance is null)
        {
            throw new InvalidInputException(CovarianceField, "give a mean, a covariance or both (or use GaussianSource.Standard)");
        }

        _mean = mean is null ? new double[covariance!.GetLength(0)] : TargetValidation.Vector(MeanField, mean);
        var d = _mean.Length;
        if (d == 0)
        {
            throw new InvalidInputException(CovarianceField, "is 0 x 0, expected a non-empty square matrix");
        }

        var sigma = covariance is null
            ? Matrix<double>.Build.DenseIdentity(d)
            : TargetValidation.Covariance(CovarianceField, covariance, d);
        var lower = sigma.Cholesky().Factor;
        _lower = lower.ToRowMajorArray();
        _inverseLower = lower.Solve(Matrix<double>.Build.DenseIdentity(d));
        _covariance = sigma.ToArray();
    }

    /// <summary>The dimension d.</summary>
    public int Dimension => _mean.Length;

    /// <summary>The mean mu0 (a copy).</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>The covariance Sigma0 (a copy).</summary>
    public double[,] Covariance => (double[,])_covariance.Clone();

    /// <summary>The lower Cholesky factor L of Sigma0 (a copy).</summary>
    public Matrix<double> CholeskyFactor => Matrix<double>.Build.DenseOfRowMajor(Dimension, Dimension, _lower);

    /// <summary>The standard source N(0, I_d); <paramref name="dimension"/> (field <c>dimension</c>) must be at least 1.</summary>
    public static GaussianSource Standard(int dimension)
    {
        if (dimension < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {dimension} must be at least 1");
        }

        return new GaussianSource(new double[dimension], null);
    }

    /// <summary>
    /// The whitened data law of L^-1 x1 (<see cref="IDenoisingTarget.MapLinear"/> with L^-1); its dimension must equal
    /// the source's (field <c>target</c>).
    /// </summary>
    public IDenoisingTarget WhitenTarget(IDenoisingTarget target)
    {
        if (target is null)
        {
            throw new InvalidInputException("target", "is missing");
        }

        if (target.Dimension != Dimension)
        {
            throw new InvalidInputException("target", $"has dimension {target.Dimension}, the source has {Dimension}");
        }

        return target.MapLinear(_inverseLower);
    }

    /// <summary>The whitened source points z = L^-1 (x0 - mu0) for the row-major n x d batch <paramref name="x0"/> (Y_0, as a(0) = 1).</summary>
    public double[] Whiten(ReadOnlySpan<double> x0) => Whiten(1.0, x0);

    /// <summary>
    /// Y_t = L^-1 (x - a mu0) for the row-major n x d batch <paramref name="x"/> of points X_t with noise coefficient
    /// <paramref name="a"/> = a(t) (field <c>a</c>, finite, &gt;= 0); the inverse of <see cref="Unwhiten"/>.
    /// </summary>
    public double[] Whiten(double a, ReadOnlySpan<double> x)
    {
        CheckBatch(a, x);
        var d = Dimension;
        var y = new double[x.Length];
        for (var offset = 0; offset < x.Length; offset += d)
        {
            // Forward substitution L y = x - a mu0, row by row.
            for (var i = 0; i < d; i++)
            {
                var sum = x[offset + i] - (a * _mean[i]);
                for (var k = 0; k < i; k++)
                {
                    sum -= _lower[(i * d) + k] * y[offset + k];
                }

                y[offset + i] = sum / _lower[(i * d) + i];
            }
        }

        return y;
    }

    /// <summary>
    /// X_t = a mu0 + L y for the row-major n x d batch <paramref name="y"/> of whitened points with noise coefficient
    /// <paramref name="a"/> = a(t) (field <c>a</c>, finite, &gt;= 0); at t = 1 (a = 0) this is the sample L y.
    /// </summary>
    public double[] Unwhiten(double a, ReadOnlySpan<double> y)
    {
        CheckBatch(a, y);
        var d = Dimension;
        var x = new double[y.Length];
        for (var offset = 0; offset < y.Length; offset += d)
        {
            for (var i = 0; i < d; i++)
            {
                var sum = a * _mean[i];
                for (var k = 0; k <= i; k++)
                {
                    sum += _lower[(i * d) + k] * y[offset + k];
                }

                x[offset + i] = sum;
            }
        }

        return x;
    }

    /// <summary>
    /// Draws <paramref name="count"/> source points x0 = mu0 + L z, row-major count x d, for the particles with global
    /// ids firstId, firstId + 1, ...: z component c of particle id is
    /// <see cref="CounterRandom.Normal"/>(seed, id, <paramref name="stream"/>, 0, c), so a particle's draw does not
    /// depend on how particles are split into blocks (field <c>count</c>: at least 1).
    /// </summary>
    public double[] Draw(long seed, long firstId, int count, long stream = SourceStream)
    {
        if (count < 1)
        {
            throw new InvalidInputException("count", $"particle count {count} must be at least 1");
        }

        var z = new double[(long)count * Dimension];
        CounterRandom.FillNormals(seed, firstId, stream, 0, Dimension, z);
        return Unwhiten(1.0, z);
    }

    private void CheckBatch(double a, ReadOnlySpan<double> points)
    {
        if (!(a >= 0.0) || !double.IsFinite(a))
        {
            throw new InvalidInputException("a", $"the noise coefficient {a} must be finite and non-negative");
        }

        if (points.Length == 0 || points.Length % Dimension != 0)
        {
            throw new InvalidInputException("particles", $"length {points.Length} is not a positive multiple of d = {Dimension}");
        }
    }
}
