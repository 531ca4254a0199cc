namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// What one shard of a distributed multiscale solve needs for a pattern on the points: its own points with their
/// leaf clusters as row blocks, its pattern rows re-indexed onto a compact key set (only the partner leaf
/// clusters it keeps, in global order), the keys' positions and weights, and per partner shard the ranges of
/// potentials to pull each half step. Because the compact keys of a row block are the same points in the same
/// order as in the full transform, a row's result is bitwise the one-process result.
/// </summary>
public sealed class MultiscaleShardPlan
{
    private MultiscaleShardPlan(
        int dimension,
        int pointStart,
        double[] positions,
        double[] weights,
        int[] rowBoundaries,
        BlockPattern pattern,
        double[] keyPositions,
        double[] keyWeights,
        int[] keyBoundaries,
        IReadOnlyList<MultiscalePartnerRanges> partners)
    {
        Dimension = dimension;
        PointStart = pointStart;
        Positions = positions;
        Weights = weights;
        RowBoundaries = rowBoundaries;
        Pattern = pattern;
        KeyPositions = keyPositions;
        KeyWeights = keyWeights;
        KeyBoundaries = keyBoundaries;
        Partners = partners;
    }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>First point of the shard (sorted order of its side).</summary>
    public int PointStart { get; }

    /// <summary>Points of the shard.</summary>
    public int PointCount => Weights.Length;

    /// <summary>Row-major positions of the shard's points.</summary>
    public double[] Positions { get; }

    /// <summary>Weights of the shard's points.</summary>
    public double[] Weights { get; }

    /// <summary>Row blocks (the shard's leaf clusters) as ranges of its points.</summary>
    public int[] RowBoundaries { get; }

    /// <summary>Kept pairs: rows = the shard's leaf clusters, columns = the compact key clusters.</summary>
    public BlockPattern Pattern { get; }

    /// <summary>Row-major positions of the compact keys.</summary>
    public double[] KeyPositions { get; }

    /// <summary>Weights of the compact keys.</summary>
    public double[] KeyWeights { get; }

    /// <summary>Compact key clusters as ranges of the compact keys.</summary>
    public int[] KeyBoundaries { get; }

    /// <summary>Per partner shard (ascending), the potential ranges to pull; concatenated they are the compact keys' potentials.</summary>
    public IReadOnlyList<MultiscalePartnerRanges> Partners { get; }

    /// <summary>Plans shard <paramref name="shard"/> of the side whose clusters are the rows of <paramref name="pattern"/>.</summary>
    /// <param name="own">Hierarchy of the shard's side.</param>
    /// <param name="opposite">Hierarchy of the other side (the keys).</param>
    /// <param name="pattern">Kept leaf-cluster pairs with this side's clusters as rows (transpose for the target side).</param>
    /// <param name="ownClusterOffsets">Leaf-cluster split of this side (<see cref="MultiscaleShardLayout.SplitClusters"/>).</param>
    /// <param name="oppositeClusterOffsets">Leaf-cluster split of the other side.</param>
    /// <param name="shard">Index of the shard.</param>
    public static MultiscaleShardPlan Create(ClusterHierarchy own, ClusterHierarchy opposite, BlockPattern pattern, int[] ownClusterOffsets, int[] oppositeClusterOffsets, int shard)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(opposite);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(ownClusterOffsets);
        ArgumentNullException.ThrowIfNull(oppositeClusterOffsets);
        var d = own[0].Dimension;
        var ownPoints = own.Boundaries(1, 0);
        var oppositePoints = opposite.Boundaries(1, 0);
        var firstCluster = ownClusterOffsets[shard];
        var endCluster = ownClusterOffsets[shard + 1];
        var layout = MultiscaleKeyLayout.Create(pattern, firstCluster, endCluster, oppositePoints, oppositeClusterOffsets);
        var pointStart = ownPoints[firstCluster];
        var pointCount = ownPoints[endCluster] - pointStart;
        var positions = own[0].Positions.AsSpan(pointStart * d, pointCount * d).ToArray();
        var weights = own[0].Weights.AsSpan(pointStart, pointCount).ToArray();
        var rowBoundaries = new int[endCluster - firstCluster + 1];
        for (var c = firstCluster; c <= endCluster; c++)
        {
            rowBoundaries[c - firstCluster] = ownPoints[c] - pointStart;
        }

        // The keys: the points of the compact clusters, in order.
        var keyCount = layout.KeyBoundaries[^1];
        var keyPositions = new double[keyCount * d];
        var keyWeights = new double[keyCount];
        for (var k = 0; k < layout.KeyClusters.Length; k++)
        {
            var from = oppositePoints[layout.KeyClusters[k]];
            var size = layout.KeyBoundaries[k + 1] - layout.KeyBoundaries[k];
            opposite[0].Positions.AsSpan(from * d, size * d).CopyTo(keyPositions.AsSpan(layout.KeyBoundaries[k] * d));
            opposite[0].Weights.AsSpan(from, size).CopyTo(keyWeights.AsSpan(layout.KeyBoundaries[k]));
        }

        return new MultiscaleShardPlan(d, pointStart, positions, weights, rowBoundaries, layout.Pattern, keyPositions, keyWeights, layout.KeyBoundaries, layout.Partners);
    }
}
