using System.Numerics;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// Key points laid out coordinate-major (structure of arrays) in the kernel's arithmetic type, so that
/// one vector load brings <c>Vector256&lt;T&gt;.Count</c> keys. The key count is padded to a multiple
/// of the vector width; padded keys must be given a log-weight of minus infinity so they contribute
/// nothing (see <see cref="PadLogWeights"/>).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class KeyPoints<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Builds the layout from row-major float64 coordinates (<paramref name="count"/> x <paramref name="dimension"/>).</summary>
    public KeyPoints(ReadOnlySpan<double> rowMajor, int count, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (rowMajor.Length != count * dimension)
        {
            throw new ArgumentException($"expected {count * dimension} coordinates, got {rowMajor.Length}", nameof(rowMajor));
        }

        Count = count;
        Dimension = dimension;
        var width = Vector256<T>.Count;
        PaddedCount = Math.Max(width, (count + width - 1) / width * width);
        Coordinates = new T[dimension * PaddedCount];
        SquaredNorms = new T[PaddedCount];
        for (var j = 0; j < count; j++)
        {
            var norm = 0.0;
            for (var k = 0; k < dimension; k++)
            {
                var value = rowMajor[(j * dimension) + k];
                Coordinates[(k * PaddedCount) + j] = T.CreateTruncating(value);
                norm += value * value;
            }

            SquaredNorms[j] = T.CreateTruncating(norm);
        }
    }

    /// <summary>Number of real keys.</summary>
    public int Count { get; }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Key count rounded up to a multiple of the vector width.</summary>
    public int PaddedCount { get; }

    /// <summary>Coordinate k of key j at index k * <see cref="PaddedCount"/> + j.</summary>
    internal T[] Coordinates { get; }

    /// <summary>|y_j|^2 for the dot-product path.</summary>
    internal T[] SquaredNorms { get; }

    /// <summary>Allocates a log-weight buffer of <see cref="PaddedCount"/> entries with padding at minus infinity.</summary>
    public T[] CreateLogWeightBuffer()
    {
        var buffer = new T[PaddedCount];
        PadLogWeights(buffer);
        return buffer;
    }

    /// <summary>Sets the padding entries (indices at and after <see cref="Count"/>) to minus infinity.</summary>
    public void PadLogWeights(Span<T> logWeights)
    {
        logWeights[Count..PaddedCount].Fill(T.NegativeInfinity);
    }

    /// <summary>
    /// Lays out per-key values (row-major, <see cref="Count"/> x <paramref name="valueDimension"/>) in
    /// the same coordinate-major padded layout, for softmax-weighted sums.
    /// </summary>
    public T[] LayoutValues(ReadOnlySpan<double> rowMajorValues, int valueDimension)
    {
        if (rowMajorValues.Length != Count * valueDimension)
        {
            throw new ArgumentException($"expected {Count * valueDimension} values, got {rowMajorValues.Length}", nameof(rowMajorValues));
        }

        var values = new T[valueDimension * PaddedCount];
        for (var j = 0; j < Count; j++)
        {
            for (var k = 0; k < valueDimension; k++)
            {
                values[(k * PaddedCount) + j] = T.CreateTruncating(rowMajorValues[(j * valueDimension) + k]);
            }
        }

        return values;
    }
}
