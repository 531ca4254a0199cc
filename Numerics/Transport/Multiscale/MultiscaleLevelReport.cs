namespace Transport.Numerics.Transport.Multiscale;

/// <summary>What happened on one level of a multiscale solve.</summary>
/// <param name="Level">0 = the points; higher = coarser clusters.</param>
/// <param name="SourceClusters">Source entities on the level (points at level 0).</param>
/// <param name="TargetClusters">Target entities on the level.</param>
/// <param name="SurvivingBlockPairs">
/// Block pairs (clusters of level + 1) iterated on when the level was last solved; on the dense coarsest
/// level, the number of entity pairs. Zero when the level was never visited.
/// </param>
/// <param name="PossibleBlockPairs">All block pairs of the level (the dense count).</param>
/// <param name="Iterations">Sinkhorn iterations performed on the level.</param>
/// <param name="KernelEvaluations">Point-pair cost evaluations on the level (iterations, extrapolation into it, final cost).</param>
/// <param name="ShardPairs">
/// (Source shard, target shard) pairs with at least one kept block under the level's last pattern, when the level
/// ran on shards; 0 for a level solved in one process (the coarse levels, or any level in process).
/// </param>
/// <param name="BytesExchanged">Bytes of potentials moved between shards on the level (0 in one process).</param>
public sealed record MultiscaleLevelReport(
    int Level,
    int SourceClusters,
    int TargetClusters,
    long SurvivingBlockPairs,
    long PossibleBlockPairs,
    int Iterations,
    long KernelEvaluations,
    long ShardPairs = 0,
    long BytesExchanged = 0);
