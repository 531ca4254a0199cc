using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// The compressed store of dropped block pairs against the list it replaces, checked by brute force: the same multiset
/// of pairs (duplicates kept), enumerated in (level, source, target) order, the indexer agreeing with the enumeration at
/// every position, and one value a pair plus the row offsets of each level.
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
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], dropped[k]);
        }

        var rowOffsets = expected.GroupBy(p => p.Level).Sum(level => (long)level.Max(p => p.Source) + 2);
        Assert.Equal(expected.Length + rowOffsets, dropped.Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => dropped[expected.Length]);
        Assert.Throws<ArgumentOutOfRangeException>(() => dropped[-1]);
    }
}
