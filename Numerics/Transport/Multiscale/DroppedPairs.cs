using System.Collections;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The block pairs a multiscale solve has dropped so far, kept to the end for the safeguard: per level in compressed
/// rows (the source cluster's targets, sorted), 4 bytes a pair instead of a 12-byte <see cref="BlockPair"/> in a list.
/// They are most of what the solve holds beside its patterns (a kept parent's dropped children are listed one by one).
/// Immutable; enumerated by level, source, target.
/// </summary>
internal sealed class DroppedPairs : IReadOnlyList<BlockPair>
{
    private readonly Level[] levels;

    // levelStarts[k]: pairs in the levels before k (length levels + 1).
    private readonly int[] levelStarts;

    private DroppedPairs(Level[] levels)
    {
        this.levels = levels;
        levelStarts = new int[levels.Length + 1];
        for (var k = 0; k < levels.Length; k++)
        {
            levelStarts[k + 1] = checked(levelStarts[k] + levels[k].Columns.Length);
        }
    }

    /// <summary>No pair.</summary>
    public static DroppedPairs Empty { get; } = new([]);

    /// <inheritdoc />
    public int Count => levelStarts[^1];

    /// <summary>Values held (row offsets and targets of every level), for the solve's count of what it holds.</summary>
    public long Values => levels.Sum(l => (long)l.RowStarts.Length + l.Columns.Length);

    /// <inheritdoc />
    public BlockPair this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not one of the {Count} dropped pairs");
            }

            var k = UpperBound(levelStarts, index) - 1;
            var level = levels[k];
            var at = index - levelStarts[k];
            var row = UpperBound(level.RowStarts, at) - 1;
            return new BlockPair(level.Number, row, level.Columns[at]);
        }
    }

    /// <summary>The pairs of <paramref name="pairs"/> (duplicates kept, as listed), by level in compressed rows.</summary>
    /// <param name="pairs">The pairs.</param>
    public static DroppedPairs From(IEnumerable<BlockPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sorted = pairs.ToArray();
        if (sorted.Length == 0)
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

        return new DroppedPairs([.. built]);
    }

    /// <inheritdoc />
    public IEnumerator<BlockPair> GetEnumerator()
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

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The first position whose value exceeds <paramref name="value"/> (values non-decreasing).</summary>
    private static int UpperBound(int[] values, int value)
    {
        var (low, high) = (0, values.Length);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (values[middle] <= value)
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

    private sealed record Level(int Number, int[] RowStarts, int[] Columns);
}
