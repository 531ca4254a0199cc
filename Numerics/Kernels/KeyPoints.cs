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
        Capacity = PaddedCount;
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

    /// <summary>
    /// An empty layout with room for <paramref name="capacity"/> keys, refilled by <see cref="Load"/>: a
    /// block-sparse transform gathers a different key set per row block and reuses one buffer per thread.
    /// </summary>
    internal KeyPoints(int capacity, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        var width = Vector256<T>.Count;
        Capacity = Math.Max(width, (capacity + width - 1) / width * width);
        PaddedCount = width;
        Coordinates = new T[dimension * Capacity];
        SquaredNorms = new T[Capacity];
    }

    /// <summary>Number of real keys.</summary>
    public int Count { get; private set; }

    /// <summary>Keys the buffers can hold (the padded count of a layout built from points).</summary>
    internal int Capacity { get; }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Key count rounded up to a multiple of the vector width.</summary>
    public int PaddedCount { get; private set; }

    /// <summary>Coordinate k of key j at index k * <see cref="PaddedCount"/> + j.</summary>
    internal T[] Coordinates { get; }

    /// <summary>|y_j|^2 for the dot-product path.</summary>
    internal T[] SquaredNorms { get; }

    /// <summary>
    /// Refills a buffer made with the capacity constructor with <paramref name="count"/> keys given as
    /// ranges of a row-major float64 array (<paramref name="ranges"/> holds start, end pairs of key
    /// indices). Squared norms are filled only for the dot-product path, which alone reads them.
    /// </summary>
    internal void Load(ReadOnlySpan<double> rowMajor, ReadOnlySpan<int> ranges, int count)
    {
        if (count > Capacity)
        {
            throw new ArgumentException($"{count} keys exceed the capacity {Capacity}", nameof(count));
        }

        var d = Dimension;
        var width = Vector256<T>.Count;
        Count = count;
        PaddedCount = Math.Max(width, (count + width - 1) / width * width);
        var norms = d > SoftmaxReduction.DotProductThreshold;
        var slot = 0;
        for (var r = 0; r < ranges.Length; r += 2)
        {
            for (var j = ranges[r]; j < ranges[r + 1]; j++, slot++)
            {
                var norm = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var value = rowMajor[(j * d) + k];
                    Coordinates[(k * PaddedCount) + slot] = T.CreateTruncating(value);
                    norm += value * value;
                }

                if (norms)
                {
                    SquaredNorms[slot] = T.CreateTruncating(norm);
                }
            }
        }

        // Padding keys sit at the origin; their log-weights are minus infinity.
        for (var k = 0; k < d; k++)
        {
            Coordinates.AsSpan((k * PaddedCount) + count, PaddedCount - count).Clear();
        }

        SquaredNorms.AsSpan(count, PaddedCount - count).Clear();
    }

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
