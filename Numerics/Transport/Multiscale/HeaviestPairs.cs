namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Picks the heaviest pairs of a large set, by a mass computed on the fly, without a mass per pair: the safeguard
/// re-admits the dropped pairs of largest mass bound until what remains is at most a target, and the dropped pairs
/// are far too many to hold a double each.
/// </summary>
internal static class HeaviestPairs
{
    // Binary exponents of positive finite doubles are -1074..1023; bin 0 holds zeros.
    private const int ExponentOffset = 1076;
    private const int BinCount = ExponentOffset + 1024;

    /// <summary>
    /// The pairs taken, heaviest first, by the rule: go through the pairs by decreasing mass (ties in enumeration
    /// order) and take each while the remaining mass, <paramref name="total"/> less the masses taken, is above
    /// <paramref name="remainingTarget"/>. The same pairs as sorting every mass: a first pass sums the masses per binary
    /// exponent to find the lightest exponent the rule can reach, a second collects the pairs from one exponent below
    /// it up (the slack covers the rounding of the sums) and runs the rule on those, sorted; should the rule run past
    /// them, it runs on every pair.
    /// </summary>
    /// <param name="pairs">The pairs (enumerated twice, in the same order).</param>
    /// <param name="mass">A pair's mass (non-negative, deterministic).</param>
    /// <param name="total">The masses' sum in enumeration order.</param>
    /// <param name="remainingTarget">What may remain.</param>
    public static List<BlockPair> Select(IEnumerable<BlockPair> pairs, Func<BlockPair, double> mass, double total, double remainingTarget)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(mass);
        if (!(total > remainingTarget))
        {
            return [];
        }

        var binMass = new double[BinCount];
        foreach (var pair in pairs)
        {
            var m = mass(pair);
            binMass[Bin(m)] += m;
        }

        // The lightest bin the rule reaches: walking down, the last bin entered with the remaining mass above the target.
        var remaining = total;
        var lowest = 0;
        for (var bin = BinCount - 1; bin >= 0; bin--)
        {
            if (binMass[bin] == 0)
            {
                continue;
            }

            if (remaining <= remainingTarget)
            {
                break;
            }

            lowest = bin;
            remaining -= binMass[bin];
        }

        var candidates = Collect(pairs, mass, Math.Max(0, lowest - 1));
        var (taken, complete) = Take(candidates, total, remainingTarget);
        return complete || lowest <= 1 ? taken : Take(Collect(pairs, mass, 0), total, remainingTarget).Taken;
    }

    private static int Bin(double m) => m > 0 ? Math.ILogB(m) + ExponentOffset : 0;

    private static List<(double Mass, int Index, BlockPair Pair)> Collect(IEnumerable<BlockPair> pairs, Func<BlockPair, double> mass, int lowestBin)
    {
        var candidates = new List<(double Mass, int Index, BlockPair Pair)>();
        var index = 0;
        foreach (var pair in pairs)
        {
            var m = mass(pair);
            if (Bin(m) >= lowestBin)
            {
                candidates.Add((m, index, pair));
            }

            index++;
        }

        // Decreasing mass, ties in enumeration order (what a stable descending sort of all pairs gives).
        candidates.Sort(static (a, b) => a.Mass != b.Mass ? b.Mass.CompareTo(a.Mass) : a.Index.CompareTo(b.Index));
        return candidates;
    }

    /// <summary>The rule on sorted candidates; complete when it stopped before running out of them.</summary>
    private static (List<BlockPair> Taken, bool Complete) Take(List<(double Mass, int Index, BlockPair Pair)> candidates, double total, double remainingTarget)
    {
        var taken = new List<BlockPair>();
        var remaining = total;
        foreach (var (m, _, pair) in candidates)
        {
            if (remaining <= remainingTarget)
            {
                return (taken, true);
            }

            taken.Add(pair);
            remaining -= m;
        }

        return (taken, remaining <= remainingTarget);
    }
}
