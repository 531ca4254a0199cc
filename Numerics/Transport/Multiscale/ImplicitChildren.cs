namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The block-level pairs a search dropped under the parents it expanded, held as the parents: every child pair
/// (I, J) of an expanded parent pair (P, Q) is kept or dropped, so the dropped ones are the children the kept pattern
/// does not hold. Costs one value a parent pair instead of one a dropped child (a parent has 2^d x 2^d children, few
/// kept). Enumerated by source, target.
/// </summary>
internal sealed class ImplicitChildren
{
    private readonly int[] sourceChildren;
    private readonly int[] targetChildren;
    private readonly BlockPattern kept;

    /// <summary>
    /// The unkept children of <paramref name="expanded"/> at <paramref name="level"/>.
    /// </summary>
    /// <param name="level">The block level (the children's level).</param>
    /// <param name="expanded">Expanded parent pairs, over the clusters of level <paramref name="level"/> + 1.</param>
    /// <param name="sourceChildren">Child offsets of the source parents (their level's <see cref="ClusterLevel.ChildOffsets"/>).</param>
    /// <param name="targetChildren">Child offsets of the target parents.</param>
    /// <param name="kept">The kept pattern of the block level (the solve's own, not copied).</param>
    public ImplicitChildren(int level, BlockPattern expanded, int[] sourceChildren, int[] targetChildren, BlockPattern kept)
    {
        ArgumentNullException.ThrowIfNull(expanded);
        ArgumentNullException.ThrowIfNull(sourceChildren);
        ArgumentNullException.ThrowIfNull(targetChildren);
        ArgumentNullException.ThrowIfNull(kept);
        if (sourceChildren.Length != expanded.RowCount + 1 || targetChildren.Length != expanded.ColumnCount + 1)
        {
            throw new ArgumentException($"the expanded pattern is {expanded.RowCount} x {expanded.ColumnCount} parents, the child offsets cover {sourceChildren.Length - 1} x {targetChildren.Length - 1}", nameof(expanded));
        }

        if (kept.RowCount != sourceChildren[^1] || kept.ColumnCount != targetChildren[^1])
        {
            throw new ArgumentException($"the kept pattern is {kept.RowCount} x {kept.ColumnCount} blocks, the parents have {sourceChildren[^1]} x {targetChildren[^1]} children", nameof(kept));
        }

        Level = level;
        Expanded = expanded;
        this.sourceChildren = sourceChildren;
        this.targetChildren = targetChildren;
        this.kept = kept;

        // Children of the expanded parents, less the kept pairs among them.
        long count = 0;
        for (var p = 0; p < expanded.RowCount; p++)
        {
            var rows = sourceChildren[p + 1] - sourceChildren[p];
            for (var k = expanded.RowStarts[p]; k < expanded.RowStarts[p + 1]; k++)
            {
                var q = expanded.Columns[k];
                count += (long)rows * (targetChildren[q + 1] - targetChildren[q]);
            }
        }

        foreach (var (row, column) in kept.Pairs())
        {
            if (expanded.Contains(Parent(sourceChildren, row), Parent(targetChildren, column)))
            {
                count--;
            }
        }

        Count = checked((int)count);
    }

    /// <summary>The block level (of the implicit pairs).</summary>
    public int Level { get; }

    /// <summary>The expanded parent pairs (level <see cref="Level"/> + 1).</summary>
    public BlockPattern Expanded { get; }

    /// <summary>Number of implicit pairs.</summary>
    public int Count { get; }

    /// <summary>Whether (row, column) of the block level is one of the implicit pairs.</summary>
    public bool Contains(int row, int column) =>
        (uint)row < (uint)kept.RowCount && (uint)column < (uint)kept.ColumnCount
        && Expanded.Contains(Parent(sourceChildren, row), Parent(targetChildren, column))
        && !kept.Contains(row, column);

    /// <summary>The implicit pairs by source, then target.</summary>
    public IEnumerable<BlockPair> Pairs()
    {
        for (var p = 0; p < Expanded.RowCount; p++)
        {
            if (Expanded.RowStarts[p] == Expanded.RowStarts[p + 1])
            {
                continue;
            }

            for (var row = sourceChildren[p]; row < sourceChildren[p + 1]; row++)
            {
                // The row's kept columns are sorted, as are the expanded parents' children: one merge per row.
                var next = kept.RowStarts[row];
                var end = kept.RowStarts[row + 1];
                for (var k = Expanded.RowStarts[p]; k < Expanded.RowStarts[p + 1]; k++)
                {
                    var q = Expanded.Columns[k];
                    for (var column = targetChildren[q]; column < targetChildren[q + 1]; column++)
                    {
                        while (next < end && kept.Columns[next] < column)
                        {
                            next++;
                        }

                        if (next < end && kept.Columns[next] == column)
                        {
                            continue;
                        }

                        yield return new BlockPair(Level, row, column);
                    }
                }
            }
        }
    }

    /// <summary>The parent of <paramref name="child"/>: the last offset at or below it.</summary>
    private static int Parent(int[] childOffsets, int child)
    {
        var (low, high) = (0, childOffsets.Length);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (childOffsets[middle] <= child)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low - 1;
    }
}
