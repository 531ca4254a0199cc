namespace Transport.Grains.Interfaces;

/// <summary>What happened on one level of a multiscale run (the wire form of <c>MultiscaleLevelReport</c>).</summary>
/// <param name="Level">0 = the points; higher = coarser clusters.</param>
/// <param name="SourceClusters">Source entities on the level.</param>
/// <param name="TargetClusters">Target entities on the level.</param>
/// <param name="SurvivingBlockPairs">Block pairs iterated on when the level was last solved.</param>
/// <param name="Iterations">Sinkhorn iterations on the level.</param>
/// <param name="KernelEvaluations">Point-pair cost evaluations on the level.</param>
/// <param name="ShardPairs">(Source shard, target shard) pairs with a kept block; 0 for a level solved on the coordinator.</param>
/// <param name="BytesExchanged">Bytes of potentials pulled between shards on the level.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornLevelReport")]
public sealed record SinkhornLevelReport(
    [property: Id(0)] int Level,
    [property: Id(1)] int SourceClusters,
    [property: Id(2)] int TargetClusters,
    [property: Id(3)] long SurvivingBlockPairs,
    [property: Id(4)] int Iterations,
    [property: Id(5)] long KernelEvaluations,
    [property: Id(6)] long ShardPairs,
    [property: Id(7)] long BytesExchanged);
