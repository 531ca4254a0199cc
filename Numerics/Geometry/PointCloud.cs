using System.Globalization;

namespace Transport.Numerics.Geometry;

/// <summary>
/// A weighted point cloud: <see cref="Count"/> points in R^<see cref="Dimension"/>, stored row-major in
/// float64, with non-negative weights that sum to one. Immutable once created.
/// </summary>
public sealed class PointCloud
{
    private readonly double[] positions;
    private readonly double[] weights;

    private PointCloud(double[] positions, double[] weights, int count, int dimension)
    {
        this.positions = positions;
        this.weights = weights;
        Count = count;
        Dimension = dimension;
    }

    /// <summary>Number of points.</summary>
    public int Count { get; }

    /// <summary>Dimension of the ambient space.</summary>
    public int Dimension { get; }

    /// <summary>Row-major coordinates, <see cref="Count"/> x <see cref="Dimension"/>.</summary>
    public ReadOnlySpan<double> Positions => positions;

    /// <summary>Weights (non-negative, summing to one).</summary>
    public ReadOnlySpan<double> Weights => weights;

    /// <summary>Coordinates of point <paramref name="index"/>.</summary>
    public ReadOnlySpan<double> Point(int index) => positions.AsSpan(index * Dimension, Dimension);

    /// <summary>
    /// Validates and builds a cloud. Throws <see cref="InvalidInputException"/> naming
    /// <paramref name="field"/> (positions) or <paramref name="weightsField"/> (weights) when a
    /// coordinate is NaN or infinite, the cloud is empty, the shape is inconsistent, or a weight is
    /// negative, non-finite, of the wrong count, or all weights are zero. Weights are normalised to
    /// sum to one (zero weights are kept). Null weights mean uniform weights. Inputs are copied.
    /// </summary>
    public static PointCloud Create(
        ReadOnlySpan<double> positions,
        int count,
        int dimension,
        ReadOnlySpan<double> weights = default,
        string field = "points",
        string weightsField = "weights")
    {
        if (count <= 0)
        {
            throw new InvalidInputException(field, $"the cloud is empty (n = {count}); at least one point is required");
        }

        if (dimension <= 0)
        {
            throw new InvalidInputException(field, $"dimension must be positive, got {dimension}");
        }

        if ((long)count * dimension != positions.Length)
        {
            throw new InvalidInputException(field, $"expected {count} x {dimension} = {(long)count * dimension} coordinates, got {positions.Length}");
        }

        for (var i = 0; i < positions.Length; i++)
        {
            if (!double.IsFinite(positions[i]))
            {
                throw new InvalidInputException(
                    field,
                    $"coordinate [{i / dimension}, {i % dimension}] is {positions[i].ToString(CultureInfo.InvariantCulture)}; coordinates must be finite");
            }
        }

        var normalised = NormaliseWeights(weights, count, weightsField);
        return new PointCloud(positions.ToArray(), normalised, count, dimension);
    }

    /// <summary>
    /// Checks weights (count, finite, non-negative, positive sum) and returns them divided by their sum.
    /// An empty span means uniform weights.
    /// </summary>
    public static double[] NormaliseWeights(ReadOnlySpan<double> weights, int count, string weightsField)
    {
        var result = new double[count];
        if (weights.IsEmpty)
        {
            Array.Fill(result, 1.0 / count);
            return result;
        }

        if (weights.Length != count)
        {
            throw new InvalidInputException(weightsField, $"expected {count} weights (one per point), got {weights.Length}");
        }

        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            var w = weights[i];
            if (!double.IsFinite(w))
            {
                throw new InvalidInputException(weightsField, $"weight [{i}] is {w.ToString(CultureInfo.InvariantCulture)}; weights must be finite");
            }

            if (w < 0)
            {
                throw new InvalidInputException(weightsField, $"weight [{i}] is {w.ToString("R", CultureInfo.InvariantCulture)}; weights must be non-negative");
            }

            sum += w;
        }

        if (!(sum > 0) || !double.IsFinite(sum))
        {
            throw new InvalidInputException(weightsField, $"weights sum to {sum.ToString("R", CultureInfo.InvariantCulture)}; the total mass must be positive and finite");
        }

        for (var i = 0; i < count; i++)
        {
            result[i] = weights[i] / sum;
        }

        return result;
    }

    /// <summary>
    /// A contiguous block of this cloud, keeping the weights as they are (not renormalised), so that
    /// the blocks of a partition carry the masses of the whole cloud.
    /// </summary>
    public PointCloud Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Count);
        return new PointCloud(
            positions.AsSpan(start * Dimension, length * Dimension).ToArray(),
            weights.AsSpan(start, length).ToArray(),
            length,
            Dimension);
    }

    /// <summary>
    /// Builds a cloud from already validated parts (a block of a larger cloud, whose weights are a
    /// share of the whole and need not sum to one). Arrays are taken, not copied.
    /// </summary>
    public static PointCloud FromBlock(double[] positions, double[] weights, int dimension)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        if (dimension <= 0 || positions.Length != weights.Length * dimension)
        {
            throw new ArgumentException($"block shape mismatch: {positions.Length} coordinates for {weights.Length} weights in dimension {dimension}");
        }

        return new PointCloud(positions, weights, weights.Length, dimension);
    }
}
