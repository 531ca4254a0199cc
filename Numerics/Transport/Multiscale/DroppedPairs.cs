using System.Collections;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The block pairs a multiscale solve has dropped so far, kept to the end for the safeguard. Two parts:
/// <list type="bullet">
/// <item>pairs listed explicitly (the coarse levels' drops), per level in compressed rows: the source cluster's
/// targets, sorted, 4 bytes a pair;</item>
/// <item>the block level's drops, implicitly (<see cref="ImplicitChildren"/>): every child pair of an expanded parent
/// pair that the kept pattern does not hold. A search expands a parent into all its children (64 in three
/// dimensions) and keeps a few; listing the rest one by one was most of what a solve held. The parents are stored
/// instead, 4 bytes each.</item>
/// </list>
/// Immutable; enumerated by level, source, target (the implicit level is the lowest, so it comes first).
/// </summary>
internal sealed class DroppedPairs : IEnumerable<BlockPair>
{
    private readonly Level[] levels;
    private readonly ImplicitChildren? children;
    private readonly int explicitCount;

    private DroppedPairs(Level[] levels, ImplicitChildren? children)
    {
        this.levels = levels;
        this.children = children;
        explicitCount = checked(levels.Sum(l => l.Columns.Length));
        if (children is not null && levels.Any(l => l.Number <= children.Level))
        {
            throw new InvalidOperationException($"pairs of level {children.Level} are implicit: none may be listed at or below it");
        }

        Count = checked(explicitCount + (children?.Count ?? 0));
    }

    /// <summary>No pair.</summary>
    public static DroppedPairs Empty { get; } = new([], null);

    /// <summary>Number of dropped pairs, listed and implicit.</summary>
    public int Count { get; }

    /// <summary>
    /// Values held for the solve's count of what it holds: row offsets and targets of every listed level, and the
    /// expanded parents' pattern (the kept pattern the implicit pairs are read against is the solve's own).
    /// </summary>
    public long Values =>
        levels.Sum(l => (long)l.RowStarts.Length + l.Columns.Length)
        + (children is null ? 0 : children.Expanded.RowStarts.Length + children.Expanded.Columns.Length);

    /// <summary>The pairs listed explicitly (every level above the implicit one), by level, source, target.</summary>
    public IEnumerable<BlockPair> Listed
    {
        get
        {
            foreach (var level in levels)
            {
                for (var r = 0; r + 1 < level.RowStarts.Length; r++)
                {
                    for (var k = level.RowStarts[r]; k < level.RowStarts[r + 1]; k++)
                    {
                        yield return new BlockPair(level.Number, r, level.Columns[k]);
                    }
                }
            }
        }
    }

    /// <summary>The expanded parent pairs whose unkept children are the implicit drops (none without them).</summary>
    public IEnumerable<(int Row, int Column)> ExpandedParents => children?.Expanded.Pairs() ?? [];

    /// <summary>The pairs of <paramref name="pairs"/> (duplicates kept, as listed), by level in compressed rows.</summary>
    /// <param name="pairs">The pairs.</param>
    public static DroppedPairs From(IEnumerable<BlockPair> pairs) => From(pairs, null);

    /// <summary>
    /// The listed <paramref name="pairs"/> (duplicates kept) and the implicit drops of <paramref name="children"/>.
    /// </summary>
    /// <param name="pairs">Pairs listed explicitly, all above the implicit level.</param>
    /// <param name="children">The implicit drops of the block level (null: none).</param>
    public static DroppedPairs From(IEnumerable<BlockPair> pairs, ImplicitChildren? children)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sorted = pairs.ToArray();
        if (sorted.Length == 0 && children is null)
        {
            return Empty;
        }

        Array.Sort(sorted, static (a, b) => a.Level != b.Level ? a.Level.CompareTo(b.Level) : a.Source != b.Source ? a.Source.CompareTo(b.Source) : a.Target.CompareTo(b.Target));
        var built = new List<Level>();
        var start = 0;
        while (start < sorted.Length)
        {
            var number = sorted[start].Level;
            var end = start;
            while (end < sorted.Length && sorted[end].Level == number)
            {
                end++;
            }

            // Rows up to the last source cluster with a pair (rows past it would only repeat the last offset).
            var rows = sorted[end - 1].Source + 1;
            var rowStarts = new int[rows + 1];
            var columns = new int[end - start];
            for (var p = start; p < end; p++)
            {
                rowStarts[sorted[p].Source + 1]++;
                columns[p - start] = sorted[p].Target;
            }

            for (var r = 0; r < rows; r++)
            {
                rowStarts[r + 1] += rowStarts[r];
            }

            built.Add(new Level(number, rowStarts, columns));
            start = end;
        }

        return new DroppedPairs([.. built], children);
    }

    /// <summary>Whether <paramref name="pair"/> is one of the dropped pairs.</summary>
    public bool Contains(BlockPair pair)
    {
        if (children is not null && pair.Level == children.Level)
        {
            return children.Contains(pair.Source, pair.Target);
        }

        foreach (var level in levels)
        {
            if (level.Number == pair.Level)
            {
                return pair.Source + 1 < level.RowStarts.Length
                    && Array.BinarySearch(level.Columns, level.RowStarts[pair.Source], level.RowStarts[pair.Source + 1] - level.RowStarts[pair.Source], pair.Target) >= 0;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public IEnumerator<BlockPair> GetEnumerator()
    {
        if (children is not null)
        {
            foreach (var pair in children.Pairs())
            {
                yield return pair;
            }
        }

        foreach (var pair in Listed)
        {
            yield return pair;
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed record Level(int Number, int[] RowStarts, int[] Columns);
}
