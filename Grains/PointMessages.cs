using Transport.Grains.Interfaces;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// Between the multiscale point types of Numerics (per level, index m = level m, index 0 the points and null) and their
/// wire messages (per level 1.., index m - 1).
/// </summary>
internal static class PointMessages
{
    public static PointLevelsMessage FromLevels(MultiscalePartLevel?[] levels)
    {
        var cluster = levels.Skip(1).Select(l => l!).ToArray();
        return new PointLevelsMessage(
            [.. cluster.Select(l => l.FirstCluster)],
            [.. cluster.Select(l => l.LeafBoundaries)],
            [.. cluster.Select(l => l.Centroids)],
            [.. cluster.Select(l => l.FirstShared)],
            [.. cluster.Select(l => l.LastShared)]);
    }

    public static MultiscalePartLevel?[] ToLevels(PointLevelsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var levels = new MultiscalePartLevel?[message.FirstClusters.Length + 1];
        for (var m = 1; m < levels.Length; m++)
        {
            levels[m] = new MultiscalePartLevel(message.FirstClusters[m - 1], message.LeafBoundaries[m - 1], message.Centroids[m - 1], message.FirstShared[m - 1], message.LastShared[m - 1]);
        }

        return levels;
    }

    /// <summary>Per-level arrays (index 0 null) as a message (index m - 1).</summary>
    public static double[][] FromLevels(double[]?[] perLevel) => [.. perLevel.Skip(1).Select(a => a ?? [])];

    /// <summary>A message's per-level arrays (index m - 1) as index m, with null at 0.</summary>
    public static double[]?[] ToLevels(double[][] message) => [null, .. message];

    public static PointBoundsMessage FromBounds(MultiscalePartBounds[] bounds)
    {
        var levels = bounds.Skip(1).ToArray();
        return new PointBoundsMessage(
            [.. levels.Select(b => b.Maxima)],
            [.. levels.Select(b => b.Slopes)],
            [.. levels.Select(b => b.Residuals)],
            [.. levels.Select(b => b.SharedMoments.Select(m => new ClusterMomentsMessage(m.Count, m.Value, m.Delta, m.DeltaDelta, m.DeltaValue)).ToArray())]);
    }

    public static MultiscalePartBounds[] ToBounds(PointBoundsMessage message, int dimension)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bounds = new MultiscalePartBounds[message.Maxima.Length + 1];
        bounds[0] = new MultiscalePartBounds([], [], [], []);
        for (var m = 1; m < bounds.Length; m++)
        {
            bounds[m] = new MultiscalePartBounds(
                message.Maxima[m - 1],
                message.Slopes[m - 1],
                message.Residuals[m - 1],
                [.. message.SharedMoments[m - 1].Select(s => new ClusterMoments(dimension, s.Count, s.Value, s.Delta, s.DeltaDelta, s.DeltaValue))]);
        }

        return bounds;
    }

    public static PointExtrapolationMessage FromPlan(MultiscaleExtrapolationPlan plan) =>
        new(plan.RowLeafBoundaries, plan.Pattern.RowStarts, plan.Pattern.Columns, plan.KeyPositions, plan.KeyWeights, plan.KeyPotential, plan.KeyBoundaries);

    public static MultiscaleExtrapolationPlan ToPlan(PointExtrapolationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var rows = message.PatternRowStarts.Length - 1;
        var pairs = new List<(int Row, int Column)>();
        for (var r = 0; r < rows; r++)
        {
            for (var k = message.PatternRowStarts[r]; k < message.PatternRowStarts[r + 1]; k++)
            {
                pairs.Add((r, message.PatternColumns[k]));
            }
        }

        var pattern = BlockPattern.FromPairs(rows, message.KeyBoundaries.Length - 1, pairs);
        return new MultiscaleExtrapolationPlan(message.RowLeafBoundaries, pattern, message.KeyPositions, message.KeyWeights, message.KeyPotential, message.KeyBoundaries);
    }

    public static PointPatternMessage FromLayout(MultiscaleKeyLayout layout) =>
        new(layout.Pattern.RowStarts, layout.Pattern.Columns, layout.KeyBoundaries, [.. layout.Partners.Select(p => new SinkhornPartnerRequest(p.Shard, p.Starts, p.Counts))]);
}
