namespace Transport.Grains.Interfaces;

/// <summary>
/// The cluster levels above one shard's leaves of a multiscale solve whose points stay on the shards (one entry per
/// level 1..; see <c>MultiscalePartLevel</c>): which clusters its leaves fall in, as ranges of its leaves, their
/// centroids, and whether the first and last also have leaves on the neighbouring shards.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.PointLevelsMessage")]
public sealed record PointLevelsMessage(
    [property: Id(0)] int[] FirstClusters,
    [property: Id(1)] int[][] LeafBoundaries,
    [property: Id(2)] double[][] Centroids,
    [property: Id(3)] bool[] FirstShared,
    [property: Id(4)] bool[] LastShared);

/// <summary>What a shard measured of one potential on its clusters of every level 1.. (see <c>MultiscalePartBounds</c>).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.PointBoundsMessage")]
public sealed record PointBoundsMessage(
    [property: Id(0)] double[][] Maxima,
    [property: Id(1)] double[][] Slopes,
    [property: Id(2)] double[][] Residuals,
    [property: Id(3)] ClusterMomentsMessage[][] SharedMoments);

/// <summary>Sums over a shard's members of one cluster shared with other shards (see <c>ClusterMoments</c>).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.ClusterMomentsMessage")]
public sealed record ClusterMomentsMessage(
    [property: Id(0)] long Count,
    [property: Id(1)] double Value,
    [property: Id(2)] double[] Delta,
    [property: Id(3)] double[] DeltaDelta,
    [property: Id(4)] double[] DeltaValue);

/// <summary>
/// The extrapolation of leaf potentials onto a shard's points (see <c>MultiscaleExtrapolationPlan</c>): row blocks as
/// ranges of its leaves (null: dense), the pattern onto the compact key leaves, and the keys with their potentials.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.PointExtrapolationMessage")]
public sealed record PointExtrapolationMessage(
    [property: Id(0)] int[]? RowLeafBoundaries,
    [property: Id(1)] int[] PatternRowStarts,
    [property: Id(2)] int[] PatternColumns,
    [property: Id(3)] double[] KeyPositions,
    [property: Id(4)] double[] KeyWeights,
    [property: Id(5)] double[] KeyPotential,
    [property: Id(6)] int[] KeyBoundaries);

/// <summary>
/// A shard's share of a pattern on the points it holds (see <c>MultiscaleKeyLayout</c>): the pattern of its leaves onto
/// the compact key clusters, their boundaries, and the point ranges to pull from each partner (keys and potentials).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.PointPatternMessage")]
public sealed record PointPatternMessage(
    [property: Id(0)] int[] PatternRowStarts,
    [property: Id(1)] int[] PatternColumns,
    [property: Id(2)] int[] KeyBoundaries,
    [property: Id(3)] SinkhornPartnerRequest[] Partners);

/// <summary>
/// A finished solve's values for some input rows of the receiving shard: row offsets within its block, the potential,
/// and the barycentric map (rows x d) when sent.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.PointOutputsMessage")]
public sealed record PointOutputsMessage(
    [property: Id(0)] int[] Rows,
    [property: Id(1)] double[] Potential,
    [property: Id(2)] double[]? Map);
