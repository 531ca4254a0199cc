namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// What the depth choice needs from one block of a cloud sorted along the Morton curve: per depth t in
/// 0 .. <see cref="MortonOrder.BitsPerDimension"/>, the number of distinct cells among its codes and the first and last
/// cell (the code prefix of depth t). Summaries of consecutive blocks of one sorted cloud combine in block order
/// (<see cref="Combine"/>) into the whole cloud's cell counts, which is all <see cref="LevelDepths"/> and
/// <see cref="LeafSizeChoice"/> read: a cell cut by a block boundary is the last cell of one block and the first of the
/// next, so it is counted once.
/// </summary>
/// <param name="PointCount">Points in the block (0: an empty block, whose other arrays are not read).</param>
/// <param name="Cells">Distinct cells per depth.</param>
/// <param name="First">First cell (code prefix) per depth.</param>
/// <param name="Last">Last cell per depth.</param>
public sealed record MortonCellSummary(int PointCount, int[] Cells, ulong[] First, ulong[] Last)
{
    /// <summary>The summary of a sorted block's codes (empty codes give an empty summary).</summary>
    public static MortonCellSummary Of(MortonOrder morton, ReadOnlySpan<ulong> sortedCodes)
    {
        ArgumentNullException.ThrowIfNull(morton);
        var depths = morton.BitsPerDimension + 1;
        var cells = new int[depths];
        var first = new ulong[depths];
        var last = new ulong[depths];
        if (sortedCodes.Length > 0)
        {
            for (var t = 0; t < depths; t++)
            {
                cells[t] = morton.CountCells(sortedCodes, t);
                first[t] = morton.Prefix(sortedCodes[0], t);
                last[t] = morton.Prefix(sortedCodes[^1], t);
            }
        }

        return new MortonCellSummary(sortedCodes.Length, cells, first, last);
    }

    /// <summary>
    /// The cell counts per depth of the concatenation of consecutive sorted blocks, given in block order: the sum of the
    /// blocks' counts less one for every boundary between non-empty neighbours whose cells of that depth are the same
    /// (a cell spanning k blocks is then counted once). Empty blocks are skipped. Equals
    /// <see cref="LevelDepths.CellCounts"/> of the concatenated codes.
    /// </summary>
    /// <param name="blocks">Summaries of consecutive blocks, in order.</param>
    /// <param name="depthCount">Depths summarised: <see cref="MortonOrder.BitsPerDimension"/> + 1.</param>
    public static int[] Combine(IReadOnlyList<MortonCellSummary> blocks, int depthCount)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var counts = new int[depthCount];
        MortonCellSummary? previous = null;
        foreach (var block in blocks.Where(b => b.PointCount > 0))
        {
            if (block.Cells.Length != depthCount || block.First.Length != depthCount || block.Last.Length != depthCount)
            {
                throw new ArgumentException($"a block summary of {block.Cells.Length} depths in a combine of {depthCount}", nameof(blocks));
            }

            for (var t = 0; t < depthCount; t++)
            {
                counts[t] += block.Cells[t] - (previous is not null && previous.Last[t] == block.First[t] ? 1 : 0);
            }

            previous = block;
        }

        return counts;
    }
}
