namespace Transport.Grains.Interfaces;

/// <summary>
/// Everything a shard needs for one solve on an explicit share of the points, sent once per block pattern (a multiscale
/// solve: the coordinator plans it, see <c>MultiscaleShardPlan</c>). Pattern columns index the compact key clusters. A
/// dense solve needs none of this: its shards use their uploaded rows and pull every key from their peers
/// (<see cref="ISinkhornShardGrain.InstallDenseAsync"/>).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornShardInstall")]
public sealed record SinkhornShardInstall
{
    /// <summary>The shard's points (rows x d).</summary>
    [Id(0)]
    public required FloatBlock Positions { get; init; }

    /// <summary>Their weights (rows x 1).</summary>
    [Id(1)]
    public required FloatBlock Weights { get; init; }

    /// <summary>Row blocks (the shard's leaf clusters) as ranges of its points.</summary>
    [Id(2)]
    public required int[] RowBoundaries { get; init; }

    /// <summary>Pattern row offsets (one per row block, plus one).</summary>
    [Id(3)]
    public required int[] PatternRowStarts { get; init; }

    /// <summary>Kept compact key clusters, row after row.</summary>
    [Id(4)]
    public required int[] PatternColumns { get; init; }

    /// <summary>The compact keys' positions (keys x d).</summary>
    [Id(5)]
    public required FloatBlock KeyPositions { get; init; }

    /// <summary>The compact keys' weights.</summary>
    [Id(6)]
    public required FloatBlock KeyWeights { get; init; }

    /// <summary>Compact key clusters as ranges of the keys.</summary>
    [Id(7)]
    public required int[] KeyBoundaries { get; init; }

    /// <summary>What to pull from each partner shard, ascending; concatenated, the keys' potentials.</summary>
    [Id(8)]
    public required IReadOnlyList<SinkhornPartnerRequest> Partners { get; init; }

    /// <summary>
    /// The starting potential of the shard's points in the shard's role of the solve: f on a source shard of the cross
    /// problem, g on a target shard; for a self problem f (the shard holds both potentials of its points).
    /// </summary>
    [Id(9)]
    public required FloatBlock Potential { get; init; }

    /// <summary>Self problems: the starting g of the shard's points (the second potential on the same rows); null otherwise.</summary>
    [Id(10)]
    public FloatBlock? SelfTargetPotential { get; init; }
}

/// <summary>Potential ranges to pull from one partner shard (its points, relative to its first one).</summary>
/// <param name="Shard">Partner shard index.</param>
/// <param name="Starts">Range starts.</param>
/// <param name="Counts">Range lengths.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornPartnerRequest")]
public sealed record SinkhornPartnerRequest(
    [property: Id(0)] int Shard,
    [property: Id(1)] int[] Starts,
    [property: Id(2)] int[] Counts);
