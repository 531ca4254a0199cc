namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The surviving block pairs of one level in compressed rows: source cluster I keeps the target
/// clusters <c>Columns[RowStarts[I] .. RowStarts[I + 1] - 1]</c> (sorted). Immutable.
/// </summary>
public sealed class BlockPattern
{
    private BlockPattern(int rows, int columns, int[] rowStarts, int[] columnIndices)
    {
        RowCount = rows;
        ColumnCount = columns;
        RowStarts = rowStarts;
        Columns = columnIndices;
    }

    /// <summary>Number of source clusters.</summary>
    public int RowCount { get; }

    /// <summary>Number of target clusters.</summary>
    public int ColumnCount { get; }

    /// <summary>Row offsets into <see cref="Columns"/> (length rows + 1).</summary>
    public int[] RowStarts { get; }

    /// <summary>Kept target clusters, row after row, sorted within a row.</summary>
    public int[] Columns { get; }

    /// <summary>Number of kept pairs.</summary>
    public long PairCount => Columns.Length;

    /// <summary>Every pair kept (the coarsest level is dense).</summary>
    public static BlockPattern Full(int rows, int columns)
    {
        var starts = new int[rows + 1];
        var indices = new int[(long)rows * columns];
        for (var r = 0; r < rows; r++)
        {
            starts[r + 1] = starts[r] + columns;
            for (var c = 0; c < columns; c++)
            {
                indices[starts[r] + c] = c;
            }
        }

        return new BlockPattern(rows, columns, starts, indices);
    }

    /// <summary>Builds the pattern from a set of (row, column) pairs (duplicates removed).</summary>
    /// <remarks>
    /// A counting sort by row, then each row's columns sorted and deduplicated in place: 4 bytes a pair beside the
    /// input, where hashing and ordering the pairs took about 50 and, at the 10^8 pairs of a 10^6-point solve, minutes.
    /// </remarks>
    public static BlockPattern FromPairs(int rows, int columns, IEnumerable<(int Row, int Column)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        IReadOnlyCollection<(int Row, int Column)> listed = pairs as IReadOnlyCollection<(int Row, int Column)> ?? pairs.ToArray();
        var starts = new int[rows + 1];
        foreach (var (row, column) in listed)
        {
            if ((uint)row >= (uint)rows || (uint)column >= (uint)columns)
            {
                throw new ArgumentOutOfRangeException(nameof(pairs), $"pair ({row}, {column}) is outside {rows} x {columns}");
            }

            starts[row + 1]++;
        }

        for (var r = 0; r < rows; r++)
        {
            starts[r + 1] += starts[r];
        }

        var indices = new int[listed.Count];
        var next = new int[rows];
        Array.Copy(starts, next, rows);
        foreach (var (row, column) in listed)
        {
            indices[next[row]++] = column;
        }

        // Sort each row and drop repeats, compacting towards the front.
        var write = 0;
        for (var r = 0; r < rows; r++)
        {
            var (from, to) = (starts[r], starts[r + 1]);
            Array.Sort(indices, from, to - from);
            starts[r] = write;
            for (var k = from; k < to; k++)
            {
                if (k == from || indices[k] != indices[k - 1])
                {
                    indices[write++] = indices[k];
                }
            }
        }

        starts[rows] = write;
        if (write < indices.Length)
        {
            Array.Resize(ref indices, write);
        }

        return new BlockPattern(rows, columns, starts, indices);
    }

    /// <summary>Whether the pair is kept (binary search in the row).</summary>
    public bool Contains(int row, int column) =>
        Array.BinarySearch(Columns, RowStarts[row], RowStarts[row + 1] - RowStarts[row], column) >= 0;

    /// <summary>All kept pairs.</summary>
    public IEnumerable<(int Row, int Column)> Pairs()
    {
        for (var r = 0; r < RowCount; r++)
        {
            for (var k = RowStarts[r]; k < RowStarts[r + 1]; k++)
            {
                yield return (r, Columns[k]);
            }
        }
    }

    /// <summary>The same pairs seen from the target side (rows = target clusters).</summary>
    public BlockPattern Transpose() => FromPairs(ColumnCount, RowCount, Pairs().Select(p => (p.Column, p.Row)));
}
