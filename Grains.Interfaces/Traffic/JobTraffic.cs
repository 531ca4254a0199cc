namespace Transport.Grains.Interfaces;

/// <summary>
/// The traffic of a job's shards over its run (<see cref="ShardTraffic"/> summed over every shard grain) and what it
/// is per shard and per iteration (a Sinkhorn iteration of any of the job's solves, a flow or sampling step attempt):
/// the figures a scale-out model is fitted to.
/// </summary>
/// <param name="Messages">Calls received by the job's shards.</param>
/// <param name="PayloadBytes">Their payload bytes (arguments and results).</param>
/// <param name="Shards">Shard grains counted.</param>
/// <param name="Iterations">Iterations (or step attempts) the counts are divided by.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.JobTraffic")]
public sealed record JobTraffic(
    [property: Id(0)] long Messages,
    [property: Id(1)] long PayloadBytes,
    [property: Id(2)] int Shards,
    [property: Id(3)] long Iterations)
{
    /// <summary>No traffic counted.</summary>
    public static JobTraffic None { get; } = new(0, 0, 0, 0);

    /// <summary>Messages per shard per iteration (0 when nothing was counted).</summary>
    public double MessagesPerShardPerIteration => Per(Messages);

    /// <summary>Payload bytes per shard per iteration (0 when nothing was counted).</summary>
    public double BytesPerShardPerIteration => Per(PayloadBytes);

    private double Per(long total) => Shards > 0 && Iterations > 0 ? (double)total / Shards / Iterations : 0;
}
