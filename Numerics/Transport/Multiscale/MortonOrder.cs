namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Morton (Z-order) codes of points on a cube: each coordinate is quantised to
/// <see cref="BitsPerDimension"/> bits and the bits are interleaved, most significant first. Sorting by
/// code makes every octree cell (a code prefix of t bits per dimension) a contiguous range, so a
/// cluster at any level is a range of the sorted points and the levels nest.
/// </summary>
public sealed class MortonOrder
{
    /// <summary>Largest number of hierarchy levels the codes can support (bits per dimension + 1 in 1-D).</summary>
    public const int MaxLevels = 32;

    private readonly double[] origin;
    private readonly double side;

    /// <summary>
    /// Sets up the quantisation on the cube of side max(box sides) at the box's minimum corner. Only the
    /// first 63 coordinates take part in the code when d &gt; 63 (one bit each): the order is then coarser
    /// but still valid, since correctness never depends on the clustering, only efficiency does.
    /// </summary>
    public MortonOrder(Geometry.BoundingBox box)
    {
        ArgumentNullException.ThrowIfNull(box);
        Dimension = box.Min.Length;
        CodedDimensions = Math.Min(Dimension, 63);
        BitsPerDimension = Math.Min(31, 63 / CodedDimensions);
        origin = (double[])box.Min.Clone();
        var largest = 0.0;
        for (var k = 0; k < Dimension; k++)
        {
            largest = Math.Max(largest, box.Max[k] - box.Min[k]);
        }

        side = largest;
        CellScale = largest * Math.Sqrt(Dimension);
    }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Coordinates that take part in the code.</summary>
    public int CodedDimensions { get; }

    /// <summary>Bits per coded coordinate (depth of the finest cell).</summary>
    public int BitsPerDimension { get; }

    /// <summary>Diagonal of the whole cube; a cell of depth t has diagonal <c>CellScale / 2^t</c>.</summary>
    public double CellScale { get; }

    /// <summary>The Morton code of one point.</summary>
    public ulong Code(ReadOnlySpan<double> point)
    {
        var bits = BitsPerDimension;
        var cells = 1L << bits;
        Span<ulong> quantised = stackalloc ulong[CodedDimensions];
        for (var k = 0; k < CodedDimensions; k++)
        {
            var q = side > 0 ? (long)Math.Floor((point[k] - origin[k]) / side * cells) : 0;
            quantised[k] = (ulong)Math.Clamp(q, 0, cells - 1);
        }

        ulong code = 0;
        for (var bit = bits - 1; bit >= 0; bit--)
        {
            for (var k = 0; k < CodedDimensions; k++)
            {
                code = (code << 1) | ((quantised[k] >> bit) & 1UL);
            }
        }

        return code;
    }

    /// <summary>The cell of depth <paramref name="depth"/> (bits per dimension) holding a code.</summary>
    public ulong Prefix(ulong code, int depth) => code >> ((BitsPerDimension - depth) * CodedDimensions);

    /// <summary>
    /// Codes of all points of a row-major array, and the permutation that sorts them:
    /// <c>order[s]</c> is the input index of the point at sorted position s (ties keep input order).
    /// </summary>
    public (ulong[] SortedCodes, int[] Order) Sort(ReadOnlySpan<double> positions, int count)
    {
        var codes = new ulong[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            codes[i] = Code(positions.Slice(i * Dimension, Dimension));
            order[i] = i;
        }

        // A stable sort keeps equal codes in input order, so the layout is deterministic.
        var keys = new (ulong Code, int Index)[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = (codes[i], i);
        }

        Array.Sort(keys);
        for (var i = 0; i < count; i++)
        {
            codes[i] = keys[i].Code;
            order[i] = keys[i].Index;
        }

        return (codes, order);
    }

    /// <summary>Number of distinct cells of depth <paramref name="depth"/> among sorted codes.</summary>
    public int CountCells(ReadOnlySpan<ulong> sortedCodes, int depth)
    {
        var count = 0;
        var previous = 0UL;
        for (var i = 0; i < sortedCodes.Length; i++)
        {
            var prefix = Prefix(sortedCodes[i], depth);
            if (i == 0 || prefix != previous)
            {
                count++;
                previous = prefix;
            }
        }

        return count;
    }
}
