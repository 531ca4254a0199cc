using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A sampling target as plain arrays, validated by whoever built it: a Gaussian (one component), a Gaussian mixture,
/// or an empirical data set. Everything computed from it lives here, once: the denoising target, exact draws, the
/// target seen through a linear change of coordinates (whitening by a Gaussian source), and the exact Gaussian flow map.
/// </summary>
/// <param name="Kind"><see cref="Gaussian"/>, <see cref="Mixture"/> or <see cref="Data"/>.</param>
/// <param name="Dimension">Dimension d.</param>
/// <param name="Weights">Normalised component weights (Gaussian: [1]) or data-point weights (data), summing to one.</param>
/// <param name="Means">Component means, each of length d (empty for data).</param>
/// <param name="Covariances">Component covariances, each d x d row-major (empty for data).</param>
/// <param name="Points">Data points, row-major count x d (null unless data).</param>
public sealed record SampleTarget(string Kind, int Dimension, double[] Weights, double[][] Means, double[][] Covariances, double[]? Points)
{
    /// <summary>The kind name of a single Gaussian.</summary>
    public const string Gaussian = "gaussian";

    /// <summary>The kind name of a Gaussian mixture.</summary>
    public const string Mixture = "mixture";

    /// <summary>The kind name of an empirical data set.</summary>
    public const string Data = "data";

    /// <summary>
    /// Largest magnitude of a coordinate (a mean entry, a data point's or a source point's coordinate; covariance entries
    /// up to its square): the metrics and the denoisers square distances, which for points within 1e150 of the origin
    /// stay finite in float64 up to d = 4096 ((2 x 1e151)^2 d &lt; 1.8e308, with ten standard deviations of spread).
    /// Larger values would run and then fail on a NaN far from the input that caused it.
    /// </summary>
    public const double MaxCoordinate = 1e150;

    /// <summary>Number of data points (data targets) or components (Gaussian and mixture).</summary>
    public int Count => Points is null ? Means.Length : Points.Length / Dimension;

    /// <summary>Covariance <paramref name="component"/> as a d x d matrix.</summary>
    public double[,] Covariance(int component) => Square(Covariances[component], Dimension);

    /// <summary>The d x d matrix of a row-major array of d^2 values.</summary>
    public static double[,] Square(double[] values, int dimension)
    {
        ArgumentNullException.ThrowIfNull(values);
        var matrix = new double[dimension, dimension];
        for (var i = 0; i < dimension; i++)
        {
            for (var j = 0; j < dimension; j++)
            {
                matrix[i, j] = values[(i * dimension) + j];
            }
        }

        return matrix;
    }

    /// <summary>The denoising target (posterior means under the interpolant) of this distribution.</summary>
    public IDenoisingTarget Build() => Kind switch
    {
        Gaussian => new GaussianTarget(Means[0], Covariance(0)),
        Mixture => new GaussianMixtureTarget(Weights, Means, [.. Enumerable.Range(0, Means.Length).Select(Covariance)]),
        Data => new EmpiricalTarget(Points!, Dimension, Weights),
        _ => throw new InvalidInputException("target.kind", $"unknown kind '{Kind}'"),
    };

    /// <summary>
    /// <paramref name="count"/> exact draws, counter-based on (<paramref name="seed"/>, <paramref name="stream"/>, index): a
    /// data set is resampled by its weights.
    /// </summary>
    public double[] Draw(int count, long seed, int stream) => Kind switch
    {
        Gaussian => TargetSamples.Gaussian(Means[0], Covariance(0), count, seed, stream),
        Mixture => TargetSamples.Mixture(Weights, Means, [.. Enumerable.Range(0, Means.Length).Select(Covariance)], count, seed, stream),
        _ => TargetSamples.Empirical(Points!, Dimension, Weights, count, seed, stream),
    };

    /// <summary>
    /// The target in the coordinates y = M x (<paramref name="map"/>, d x d; the offset is applied by the caller): means M m,
    /// covariances M C M^T, data points M x. A Gaussian source N(mu, L L^T) is whitened by M = L^-1.
    /// </summary>
    public SampleTarget Transformed(Matrix<double> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var d = Dimension;
        double[] Vector(double[] v) => (map * Vector<double>.Build.DenseOfArray(v)).ToArray();
        double[] MapCovariance(double[] c) => (map * Matrix<double>.Build.DenseOfRowMajor(d, d, c) * map.Transpose()).ToRowMajorArray();
        double[]? points = null;
        if (Points is { } data)
        {
            points = new double[data.Length];
            for (var i = 0; i < data.Length / d; i++)
            {
                Vector(data.AsSpan(i * d, d).ToArray()).CopyTo(points, i * d);
            }
        }

        return this with
        {
            Means = [.. Means.Select(Vector)],
            Covariances = [.. Covariances.Select(MapCovariance)],
            Points = points,
        };
    }

    /// <summary>
    /// The density at (<paramref name="x"/>, <paramref name="y"/>) of the target's (x1, x2) marginal (Gaussian and mixture:
    /// each component contributes the normal density of its leading 2 x 2 covariance block and first two mean entries).
    /// </summary>
    public double MarginalDensity(double x, double y)
    {
        var d = Dimension;
        var total = 0.0;
        for (var k = 0; k < Means.Length; k++)
        {
            var c = Covariances[k];
            var (s11, s12, s22) = (c[0], c[1], c[d + 1]);
            var det = (s11 * s22) - (s12 * s12);
            var u = x - Means[k][0];
            var v = y - Means[k][1];
            var quadratic = ((s22 * u * u) - (2 * s12 * u * v) + (s11 * v * v)) / det;
            total += Weights[k] * Math.Exp(-0.5 * quadratic) / (2 * Math.PI * Math.Sqrt(det));
        }

        return total;
    }

    /// <summary>
    /// b m + C^{1/2} x0 with C = a^2 I + b^2 Sigma for every row x0 of <paramref name="noise"/>: the exact flow of a
    /// Gaussian target at the time where the schedule is (a, b); a = 0, b = 1 gives T_1(x0) = m + Sigma^{1/2} x0. The
    /// square root comes from the eigen-decomposition Sigma = V diag(lambda) V^T: C^{1/2} = V diag(sqrt(a^2 + b^2 lambda)) V^T.
    /// </summary>
    public double[] GaussianFlowMap(double[] noise, double a, double b)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var d = Dimension;
        var sigma = Matrix<double>.Build.DenseOfArray(Covariance(0));
        var eigen = sigma.Evd(Symmetricity.Symmetric);
        var roots = eigen.EigenValues.Real().Map(lambda => Math.Sqrt((a * a) + (b * b * lambda)));
        var root = eigen.EigenVectors * Matrix<double>.Build.DenseOfDiagonalVector(roots) * eigen.EigenVectors.Transpose();
        var mean = Means[0];
        var result = new double[noise.Length];
        for (var i = 0; i < noise.Length / d; i++)
        {
            for (var r = 0; r < d; r++)
            {
                var value = b * mean[r];
                for (var c = 0; c < d; c++)
                {
                    value += root[r, c] * noise[(i * d) + c];
                }

                result[(i * d) + r] = value;
            }
        }

        return result;
    }
}
