namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// What one part needs to extrapolate leaf potentials onto its points (the jump to the points): its rows grouped into
/// the level-2 clusters its leaves fall in, the opposite leaves of the level-2 clusters those rows keep (compact, in
/// global order) with their centroids, masses and potentials, and the pattern re-indexed onto them. When the leaves are
/// the coarsest level there is no pattern: every point against every opposite leaf. Because a row's keys are the same
/// leaves in the same order as in the whole-side transform, its value is the one-process value.
/// </summary>
/// <param name="RowLeafBoundaries">Row blocks as ranges of the part's leaves; null: dense (every opposite leaf is a key of every row).</param>
/// <param name="Pattern">Kept pairs: rows = row blocks, columns = compact key clusters (one column when dense).</param>
/// <param name="KeyPositions">Centroids of the key leaves (row-major).</param>
/// <param name="KeyWeights">Masses of the key leaves.</param>
/// <param name="KeyPotential">Potential of the key leaves.</param>
/// <param name="KeyBoundaries">Compact key clusters as ranges of the key leaves.</param>
public sealed record MultiscaleExtrapolationPlan(int[]? RowLeafBoundaries, BlockPattern Pattern, double[] KeyPositions, double[] KeyWeights, double[] KeyPotential, int[] KeyBoundaries)
{
    /// <summary>The plan of the part whose level-2 clusters are <paramref name="ownLevel2"/>.</summary>
    /// <param name="opposite">The other side's cluster levels.</param>
    /// <param name="coarsePattern">Kept level-2 pairs with this side's clusters as rows; null when level 1 is the coarsest.</param>
    /// <param name="ownLevel2">The part's level-2 clusters (null when level 1 is the coarsest).</param>
    /// <param name="oppositeLeafPotential">The other side's leaf potential.</param>
    public static MultiscaleExtrapolationPlan Create(ClusterHierarchy opposite, BlockPattern? coarsePattern, MultiscalePartLevel? ownLevel2, double[] oppositeLeafPotential)
    {
        ArgumentNullException.ThrowIfNull(opposite);
        ArgumentNullException.ThrowIfNull(oppositeLeafPotential);
        var leaves = opposite[1];
        var d = leaves.Dimension;
        if (coarsePattern is null)
        {
            return new MultiscaleExtrapolationPlan(null, BlockPattern.Full(1, 1), leaves.Positions, leaves.Weights, oppositeLeafPotential, [0, leaves.Count]);
        }

        ArgumentNullException.ThrowIfNull(ownLevel2);
        var needed = new SortedSet<int>();
        for (var t = 0; t < ownLevel2.Count; t++)
        {
            var row = ownLevel2.FirstCluster + t;
            for (var k = coarsePattern.RowStarts[row]; k < coarsePattern.RowStarts[row + 1]; k++)
            {
                needed.Add(coarsePattern.Columns[k]);
            }
        }

        var oppositeLeaves = opposite.Boundaries(2, 1);
        var compact = new Dictionary<int, int>();
        var keyBoundaries = new int[needed.Count + 1];
        var keyCount = 0;
        foreach (var cluster in needed)
        {
            keyBoundaries[compact.Count] = keyCount;
            compact[cluster] = compact.Count;
            keyCount += oppositeLeaves[cluster + 1] - oppositeLeaves[cluster];
        }

        keyBoundaries[^1] = keyCount;
        var positions = new double[keyCount * d];
        var weights = new double[keyCount];
        var potential = new double[keyCount];
        foreach (var cluster in needed)
        {
            var from = oppositeLeaves[cluster];
            var size = oppositeLeaves[cluster + 1] - from;
            var at = keyBoundaries[compact[cluster]];
            leaves.Positions.AsSpan(from * d, size * d).CopyTo(positions.AsSpan(at * d));
            leaves.Weights.AsSpan(from, size).CopyTo(weights.AsSpan(at));
            oppositeLeafPotential.AsSpan(from, size).CopyTo(potential.AsSpan(at));
        }

        var pairs = new List<(int Row, int Column)>();
        for (var t = 0; t < ownLevel2.Count; t++)
        {
            var row = ownLevel2.FirstCluster + t;
            for (var k = coarsePattern.RowStarts[row]; k < coarsePattern.RowStarts[row + 1]; k++)
            {
                pairs.Add((t, compact[coarsePattern.Columns[k]]));
            }
        }

        return new MultiscaleExtrapolationPlan(ownLevel2.LeafBoundaries, BlockPattern.FromPairs(ownLevel2.Count, needed.Count, pairs), positions, weights, potential, keyBoundaries);
    }
}
