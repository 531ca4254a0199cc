using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// The compressed store of dropped block pairs against brute force: the listed pairs as the same multiset (duplicates
/// kept) in (level, source, target) order, the implicit ones as exactly the children of the expanded parents that the
/// kept pattern does not hold, membership for every pair of the grid, and the values held.
/// </summary>
public sealed class DroppedPairsTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(500, 3)]
    [InlineData(20_000, 4)]
    public void Holds_the_listed_pairs_in_level_source_target_order(int count, int seed)
    {
        var random = new Random(seed);
        var listed = new List<BlockPair>();
        for (var p = 0; p < count; p++)
        {
            // Levels 1..3 with 40, 10 and 3 source clusters; some pairs listed twice (a search can list a pair again).
            var level = 1 + random.Next(3);
            var rows = level switch { 1 => 40, 2 => 10, _ => 3 };
            var pair = new BlockPair(level, random.Next(rows), random.Next(50));
            listed.Add(pair);
            if (random.Next(10) == 0)
            {
                listed.Add(pair);
            }
        }

        var dropped = DroppedPairs.From(listed);
        var expected = listed.OrderBy(p => p.Level).ThenBy(p => p.Source).ThenBy(p => p.Target).ToArray();
        Assert.Equal(expected.Length, dropped.Count);
        Assert.Equal(expected, dropped.ToArray());
        Assert.Equal(expected, dropped.Listed.ToArray());
        Assert.Empty(dropped.ExpandedParents);
        var rowOffsets = expected.GroupBy(p => p.Level).Sum(level => (long)level.Max(p => p.Source) + 2);
        Assert.Equal(expected.Length + rowOffsets, dropped.Values);

        var members = expected.ToHashSet();
        for (var level = 0; level <= 4; level++)
        {
            for (var source = 0; source < 42; source++)
            {
                for (var target = 0; target < 52; target++)
                {
                    var pair = new BlockPair(level, source, target);
                    Assert.Equal(members.Contains(pair), dropped.Contains(pair));
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 0.0, 0.0)]
    [InlineData(2, 0.3, 0.2)]
    [InlineData(3, 0.6, 0.5)]
    [InlineData(4, 1.0, 0.1)]
    public void Implicit_children_are_the_expanded_parents_children_the_kept_pattern_does_not_hold(int seed, double expandedFraction, double keptFraction)
    {
        var random = new Random(seed);
        // Parents with 1 to 8 children each (one with none on the target side), as the octree levels have.
        var sourceChildren = Offsets(random, 12, allowEmpty: false);
        var targetChildren = Offsets(random, 9, allowEmpty: true);
        var expandedPairs = new List<(int, int)>();
        for (var p = 0; p < 12; p++)
        {
            for (var q = 0; q < 9; q++)
            {
                if (random.NextDouble() < expandedFraction)
                {
                    expandedPairs.Add((p, q));
                }
            }
        }

        var rows = sourceChildren[^1];
        var columns = targetChildren[^1];
        // Kept pairs anywhere (inside the expanded parents and outside, as the covering pairs are), some twice.
        var keptPairs = new List<(int, int)>();
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                if (random.NextDouble() < keptFraction)
                {
                    keptPairs.Add((i, j));
                }
            }
        }

        var kept = BlockPattern.FromPairs(rows, columns, keptPairs);
        var expanded = BlockPattern.FromPairs(12, 9, expandedPairs);
        var children = new ImplicitChildren(1, expanded, sourceChildren, targetChildren, kept);

        var expected = new List<BlockPair>();
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                var parents = (Parent(sourceChildren, i), Parent(targetChildren, j));
                if (expandedPairs.Contains(parents) && !keptPairs.Contains((i, j)))
                {
                    expected.Add(new BlockPair(1, i, j));
                }
            }
        }

        Assert.Equal(expected.Count, children.Count);
        Assert.Equal(expected, children.Pairs().ToArray());

        // With listed pairs above the block level: the implicit level first, then the listed ones.
        var listed = new[] { new BlockPair(3, 0, 1), new BlockPair(2, 4, 2), new BlockPair(2, 1, 7) };
        var dropped = DroppedPairs.From(listed, children);
        Assert.Equal(expected.Count + listed.Length, dropped.Count);
        Assert.Equal([.. expected, new BlockPair(2, 1, 7), new BlockPair(2, 4, 2), new BlockPair(3, 0, 1)], dropped.ToArray());
        Assert.Equal(expandedPairs, dropped.ExpandedParents.ToArray());
        for (var i = -1; i <= rows; i++)
        {
            for (var j = -1; j <= columns; j++)
            {
                Assert.Equal(expected.Contains(new BlockPair(1, i, j)), dropped.Contains(new BlockPair(1, i, j)));
            }
        }

        Assert.True(dropped.Contains(new BlockPair(2, 4, 2)));
        Assert.False(dropped.Contains(new BlockPair(2, 4, 3)));
        Assert.Throws<InvalidOperationException>(() => DroppedPairs.From([new BlockPair(1, 0, 0)], children));
    }

    private static int[] Offsets(Random random, int parents, bool allowEmpty)
    {
        var offsets = new int[parents + 1];
        for (var p = 0; p < parents; p++)
        {
            offsets[p + 1] = offsets[p] + (allowEmpty && p == parents / 2 ? 0 : 1 + random.Next(8));
        }

        return offsets;
    }

    private static int Parent(int[] offsets, int child)
    {
        var parent = 0;
        while (offsets[parent + 1] <= child)
        {
            parent++;
        }

        return parent;
    }
}
