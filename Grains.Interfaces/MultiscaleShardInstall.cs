using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Everything a multiscale shard needs for one pattern on the points, sent once per pattern (the coordinator
/// plans it: see <c>MultiscaleShardPlan</c>). Pattern columns index the compact key clusters.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MultiscaleShardInstall")]
public sealed record MultiscaleShardInstall
{
    /// <summary>Side of the shard's points.</summary>
    [Id(0)]
    public required CloudSide Side { get; init; }

    /// <summary>Grain key of partner shard k: this prefix, "/", k.</summary>
    [Id(1)]
    public required string PartnerKeyPrefix { get; init; }

    /// <summary>Cost name.</summary>
    [Id(2)]
    public required string Cost { get; init; }

    /// <summary>Precision name.</summary>
    [Id(3)]
    public required string Precision { get; init; }

    /// <summary>The shard's points (rows x d).</summary>
    [Id(4)]
    public required FloatBlock Positions { get; init; }

    /// <summary>Their weights (rows x 1).</summary>
    [Id(5)]
    public required FloatBlock Weights { get; init; }

    /// <summary>Row blocks (the shard's leaf clusters) as ranges of its points.</summary>
    [Id(6)]
    public required int[] RowBoundaries { get; init; }

    /// <summary>Pattern row offsets (one per row block, plus one).</summary>
    [Id(7)]
    public required int[] PatternRowStarts { get; init; }

    /// <summary>Kept compact key clusters, row after row.</summary>
    [Id(8)]
    public required int[] PatternColumns { get; init; }

    /// <summary>The compact keys' positions (keys x d).</summary>
    [Id(9)]
    public required FloatBlock KeyPositions { get; init; }

    /// <summary>The compact keys' weights.</summary>
    [Id(10)]
    public required FloatBlock KeyWeights { get; init; }

    /// <summary>Compact key clusters as ranges of the keys.</summary>
    [Id(11)]
    public required int[] KeyBoundaries { get; init; }

    /// <summary>What to pull from each partner shard, ascending; concatenated, the keys' potentials.</summary>
    [Id(12)]
    public required IReadOnlyList<MultiscalePartnerRequest> Partners { get; init; }

    /// <summary>The starting potential of the shard's points.</summary>
    [Id(13)]
    public required FloatBlock Potential { get; init; }

    /// <summary>
    /// Self problems: the index of the opposite side's shard that holds the same points (the layouts coincide), from
    /// which symmetric steps pull the other potential of the shard's rows; null for a cross problem.
    /// </summary>
    [Id(14)]
    public int? MirrorShard { get; init; }
}

/// <summary>Potential ranges to pull from one partner shard (its points, relative to its first one).</summary>
/// <param name="Shard">Partner shard index.</param>
/// <param name="Starts">Range starts.</param>
/// <param name="Counts">Range lengths.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MultiscalePartnerRequest")]
public sealed record MultiscalePartnerRequest(
    [property: Id(0)] int Shard,
    [property: Id(1)] int[] Starts,
    [property: Id(2)] int[] Counts);
