namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// A block of points sorted along a Morton curve by (code, input index): the order <see cref="MortonOrder.Sort"/> gives
/// a whole cloud (its sort is stable in input index), so the blocks of a distributed sort, concatenated in shard order,
/// are that order. Input indices are unique within a cloud, so the key (code, index) is a total order and any sorted
/// pieces merge into one sorted block (<see cref="Merge"/>). The arrays are owned by the block and never shared.
/// </summary>
public sealed class MortonSortedBlock
{
    /// <summary>Wraps arrays already sorted by (code, index); checked only for matching lengths.</summary>
    /// <param name="positions">Row-major positions (count x dimension).</param>
    /// <param name="weights">One weight per point.</param>
    /// <param name="codes">Morton codes, non-decreasing.</param>
    /// <param name="indices">Input indices, increasing among equal codes.</param>
    /// <param name="dimension">Dimension of the points.</param>
    public MortonSortedBlock(double[] positions, double[] weights, ulong[] codes, int[] indices, int dimension)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (weights.Length != codes.Length || indices.Length != codes.Length || (long)codes.Length * dimension != positions.Length)
        {
            throw new ArgumentException($"{positions.Length} coordinates, {weights.Length} weights, {codes.Length} codes and {indices.Length} indices do not make one block of dimension {dimension}");
        }

        Positions = positions;
        Weights = weights;
        Codes = codes;
        Indices = indices;
        Dimension = dimension;
    }

    /// <summary>Row-major positions in sorted order.</summary>
    public double[] Positions { get; }

    /// <summary>Weights in sorted order.</summary>
    public double[] Weights { get; }

    /// <summary>Morton codes, non-decreasing.</summary>
    public ulong[] Codes { get; }

    /// <summary>Input indices (the row of each point in its whole cloud).</summary>
    public int[] Indices { get; }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Number of points.</summary>
    public int Count => Codes.Length;

    /// <summary>An empty block of dimension <paramref name="dimension"/>.</summary>
    public static MortonSortedBlock Empty(int dimension) => new([], [], [], [], dimension);

    /// <summary>
    /// Sorts a block of a cloud given in input order: row i of <paramref name="positions"/> is input row
    /// <paramref name="firstIndex"/> + i. Equal codes keep input order, as in <see cref="MortonOrder.Sort"/>.
    /// </summary>
    /// <param name="morton">The quantisation (the same on every block of the problem).</param>
    /// <param name="positions">Row-major positions, input order.</param>
    /// <param name="weights">Weights, input order.</param>
    /// <param name="firstIndex">Input index of the first row.</param>
    public static MortonSortedBlock Sort(MortonOrder morton, ReadOnlySpan<double> positions, ReadOnlySpan<double> weights, int firstIndex)
    {
        ArgumentNullException.ThrowIfNull(morton);
        var d = morton.Dimension;
        var n = weights.Length;
        if ((long)n * d != positions.Length)
        {
            throw new ArgumentException($"{positions.Length} coordinates do not make {n} points of dimension {d}", nameof(positions));
        }

        var keys = new (ulong Code, int Index)[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = (morton.Code(positions.Slice(i * d, d)), firstIndex + i);
        }

        Array.Sort(keys);
        var sortedPositions = new double[n * d];
        var sortedWeights = new double[n];
        var codes = new ulong[n];
        var indices = new int[n];
        for (var s = 0; s < n; s++)
        {
            var row = keys[s].Index - firstIndex;
            positions.Slice(row * d, d).CopyTo(sortedPositions.AsSpan(s * d, d));
            sortedWeights[s] = weights[row];
            codes[s] = keys[s].Code;
            indices[s] = keys[s].Index;
        }

        return new MortonSortedBlock(sortedPositions, sortedWeights, codes, indices, d);
    }

    /// <summary>
    /// Merges sorted pieces (any number, empty ones allowed) into one sorted block by a k-way merge on (code, index). The
    /// pieces must not share an input index (they are parts of one cloud).
    /// </summary>
    public static MortonSortedBlock Merge(IReadOnlyList<MortonSortedBlock> pieces, int dimension)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var n = 0;
        foreach (var piece in pieces)
        {
            if (piece.Dimension != dimension)
            {
                throw new ArgumentException($"a piece of dimension {piece.Dimension} in a merge of dimension {dimension}", nameof(pieces));
            }

            n = checked(n + piece.Count);
        }

        var d = dimension;
        var positions = new double[n * d];
        var weights = new double[n];
        var codes = new ulong[n];
        var indices = new int[n];
        var heads = new PriorityQueue<int, (ulong Code, int Index)>();
        var next = new int[pieces.Count];
        for (var p = 0; p < pieces.Count; p++)
        {
            if (pieces[p].Count > 0)
            {
                heads.Enqueue(p, (pieces[p].Codes[0], pieces[p].Indices[0]));
            }
        }

        for (var s = 0; s < n; s++)
        {
            var p = heads.Dequeue();
            var piece = pieces[p];
            var at = next[p]++;
            piece.Positions.AsSpan(at * d, d).CopyTo(positions.AsSpan(s * d, d));
            weights[s] = piece.Weights[at];
            codes[s] = piece.Codes[at];
            indices[s] = piece.Indices[at];
            if (at + 1 < piece.Count)
            {
                heads.Enqueue(p, (piece.Codes[at + 1], piece.Indices[at + 1]));
            }
        }

        return new MortonSortedBlock(positions, weights, codes, indices, d);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new block (copied).</summary>
    public MortonSortedBlock Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        var d = Dimension;
        return new MortonSortedBlock(
            Positions.AsSpan(start * d, count * d).ToArray(),
            Weights.AsSpan(start, count).ToArray(),
            Codes.AsSpan(start, count).ToArray(),
            Indices.AsSpan(start, count).ToArray(),
            d);
    }

    /// <summary>
    /// Boundaries of the buckets cut by sorted splitter keys: bucket j holds the rows whose key (code, index) is at least
    /// splitter j - 1 and below splitter j (bucket 0 from the start, the last to the end); rows [b[j], b[j + 1]).
    /// </summary>
    public int[] BucketBoundaries(ReadOnlySpan<ulong> splitterCodes, ReadOnlySpan<int> splitterIndices)
    {
        if (splitterCodes.Length != splitterIndices.Length)
        {
            throw new ArgumentException($"{splitterCodes.Length} splitter codes and {splitterIndices.Length} indices");
        }

        var boundaries = new int[splitterCodes.Length + 2];
        for (var j = 0; j < splitterCodes.Length; j++)
        {
            boundaries[j + 1] = Math.Max(boundaries[j], LowerBound(splitterCodes[j], splitterIndices[j]));
        }

        boundaries[^1] = Count;
        return boundaries;
    }

    /// <summary>Regular sample of the keys: <paramref name="samples"/> rows (fewer when the block is smaller), at rows ⌊i·count/samples⌋.</summary>
    public (ulong[] Codes, int[] Indices) Sample(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        var taken = Math.Min(samples, Count);
        var codes = new ulong[taken];
        var indices = new int[taken];
        for (var i = 0; i < taken; i++)
        {
            var row = (int)((long)i * Count / taken);
            codes[i] = Codes[row];
            indices[i] = Indices[row];
        }

        return (codes, indices);
    }

    /// <summary>First row whose key is not below (code, index).</summary>
    private int LowerBound(ulong code, int index)
    {
        var low = 0;
        var high = Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (Codes[middle] < code || (Codes[middle] == code && Indices[middle] < index))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
