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
    public static BlockPattern FromPairs(int rows, int columns, IEnumerable<(int Row, int Column)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sorted = pairs.Distinct().OrderBy(p => p.Row).ThenBy(p => p.Column).ToArray();
        var starts = new int[rows + 1];
        foreach (var (row, _) in sorted)
        {
            starts[row + 1]++;
        }

        for (var r = 0; r < rows; r++)
        {
            starts[r + 1] += starts[r];
        }

        return new BlockPattern(rows, columns, starts, [.. sorted.Select(p => p.Column)]);
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
