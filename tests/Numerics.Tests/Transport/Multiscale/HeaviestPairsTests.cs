using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// The safeguard's choice of the heaviest dropped pairs, made without a mass per pair, against the rule it replaces run
/// by brute force: every mass, a stable descending sort, and pairs taken while the remaining mass is above the target.
/// The masses span many binary exponents, with ties, zeros and targets that reach into the zeros.
/// </summary>
public sealed class HeaviestPairsTests
{
    [Theory]
    [InlineData(1, 0, 0.5)]
    [InlineData(2, 1, 0.5)]
    [InlineData(3, 1000, 0.5)]
    [InlineData(4, 1000, 0.01)]
    [InlineData(5, 1000, 0.9)]
    [InlineData(6, 5000, 1e-6)]
    [InlineData(7, 5000, 0.0)]
    [InlineData(8, 300, 2.0)]
    public void Takes_what_the_sorted_rule_takes(int seed, int count, double targetFraction)
    {
        var random = new Random(seed);
        var masses = new Dictionary<BlockPair, double>();
        var pairs = new List<BlockPair>();
        for (var k = 0; k < count; k++)
        {
            var pair = new BlockPair(1 + (k % 3), k, random.Next(100));
            pairs.Add(pair);
            masses[pair] = random.Next(10) switch
            {
                0 => 0.0,
                1 => 0.25, // ties
                2 => Math.Pow(2, -random.Next(1, 60)), // exact powers of two: on bin edges
                _ => Math.Exp(-40 * random.NextDouble()),
            };
        }

        var total = 0.0;
        foreach (var pair in pairs)
        {
            total += masses[pair];
        }

        var target = targetFraction * total;
        var expected = new List<BlockPair>();
        var remaining = total;
        foreach (var k in Enumerable.Range(0, pairs.Count).OrderByDescending(k => masses[pairs[k]]))
        {
            if (remaining <= target)
            {
                break;
            }

            expected.Add(pairs[k]);
            remaining -= masses[pairs[k]];
        }

        var evaluations = 0;
        var taken = HeaviestPairs.Select(pairs, p => { evaluations++; return masses[p]; }, total, target);
        Assert.Equal(expected, taken);
        if (count >= 100 && targetFraction > 0 && targetFraction < 1)
        {
            Assert.True(taken.Count < count, "a positive target leaves some pairs out");
        }

        // Two passes over the pairs (a third only when the rule ran past the collected bins).
        Assert.True(evaluations <= 3 * count, $"{evaluations} mass evaluations for {count} pairs");
    }
}
