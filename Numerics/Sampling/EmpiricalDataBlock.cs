using Transport.Numerics.Kernels;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A contiguous block of an empirical data set laid out once for the softmax reduction of
/// <see cref="EmpiricalTarget"/>: the queries are x / b, the keys and values are the data points, the log-weights
/// are the block's entries of the whole set's log w_j (so blocks of one set combine exactly) and the scale is
/// b^2 / (2 a^2). For b = 0 every logit is log w_j plus a constant and the partials give the weighted mean.
/// </summary>
public sealed class EmpiricalDataBlock : IDenoisingDataBlock
{
    private readonly KeyPoints<double> _keys;
    private readonly double[] _logWeights;
    private readonly double[] _values;

    /// <summary>
    /// Lays out the row-major <paramref name="points"/> (count x <paramref name="dimension"/>) with their
    /// <paramref name="logWeights"/> (log of the weights normalised over the whole data set, one per point).
    /// </summary>
    public EmpiricalDataBlock(ReadOnlySpan<double> points, ReadOnlySpan<double> logWeights, int dimension)
    {
        if (dimension < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {dimension} must be at least 1");
        }

        if (points.Length == 0 || points.Length % dimension != 0)
        {
            throw new InvalidInputException("points", $"length {points.Length} is not a positive multiple of the dimension {dimension}");
        }

        var count = points.Length / dimension;
        if (logWeights.Length != count)
        {
            throw new InvalidInputException("weights", $"has {logWeights.Length} entries, expected {count}");
        }

        Dimension = dimension;
        Count = count;
        _keys = new KeyPoints<double>(points, count, dimension);
        _logWeights = _keys.CreateLogWeightBuffer();
        logWeights.CopyTo(_logWeights);
        _values = _keys.LayoutValues(points, dimension);
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>The block's points, row-major, recovered from the coordinate-major value layout (an exact copy).</summary>
    public double[] Points()
    {
        var padded = _keys.PaddedCount;
        var points = new double[Count * Dimension];
        for (var k = 0; k < Dimension; k++)
        {
            for (var j = 0; j < Count; j++)
            {
                points[(j * Dimension) + k] = _values[(k * padded) + j];
            }
        }

        return points;
    }

    /// <summary>The block's log-weights without the padding.</summary>
    public double[] LogWeights() => _logWeights.AsSpan(0, Count).ToArray();

    /// <summary>
    /// log(w_j / total) for a block of a data set whose weights sum to <paramref name="total"/> over all blocks: the
    /// normalisation the single-process <see cref="EmpiricalTarget"/> applies, element by element.
    /// </summary>
    public static double[] NormalisedLogWeights(ReadOnlySpan<double> weights, double total)
    {
        var logWeights = new double[weights.Length];
        for (var j = 0; j < logWeights.Length; j++)
        {
            logWeights[j] = Math.Log(weights[j] / total);
        }

        return logWeights;
    }

    /// <summary>Writes D = u / z for every query of <paramref name="partials"/> (combined over all blocks) into <paramref name="denoised"/>.</summary>
    public static void WeightedMean(SoftmaxPartials partials, Span<double> denoised)
    {
        ArgumentNullException.ThrowIfNull(partials);
        var d = partials.ValueDimension;
        for (var i = 0; i < partials.Count; i++)
        {
            var inverse = 1.0 / partials.Sum[i];
            for (var k = 0; k < d; k++)
            {
                denoised[(i * d) + k] = partials.Weighted[(i * d) + k] * inverse;
            }
        }
    }

    /// <inheritdoc />
    public SoftmaxPartials Reduce(double a, double b, ReadOnlySpan<double> x)
    {
        if (!(a > 0.0) || !double.IsFinite(a))
        {
            throw new InvalidInputException("a", $"the noise coefficient {a} must be positive and finite");
        }

        if (!(b >= 0.0) || !double.IsFinite(b))
        {
            throw new InvalidInputException("b", $"the data coefficient {b} must be non-negative and finite");
        }

        if (x.Length % Dimension != 0)
        {
            throw new InvalidInputException("particles", $"length {x.Length} is not a multiple of the dimension {Dimension}");
        }

        var n = x.Length / Dimension;
        var queries = new double[x.Length];
        var scale = b * b / (2.0 * a * a);
        var scaled = b > 0.0 && scale > 0.0;
        if (scaled)
        {
            var inverseB = 1.0 / b;
            for (var i = 0; i < x.Length; i++)
            {
                queries[i] = x[i] * inverseB;
                scaled &= double.IsFinite(queries[i]);
            }
        }

        if (!scaled)
        {
            // b = 0 (or b so small that x / b overflows): every logit is log w_j plus a constant, so the
            // softmax is the weight vector and D is the weighted mean; zero queries with scale 0 give exactly that.
            Array.Clear(queries);
            scale = 0.0;
        }

        var partials = new SoftmaxPartials(n, Dimension);
        SoftmaxReduction.Reduce(new QueryPoints<double>(queries, n, Dimension), _keys, _logWeights, scale, partials, _values);
        return partials;
    }
}
