namespace Transport.Grains.Interfaces;

/// <summary>
/// A shard's share of a scalar that the coordinator sums over shards (&lt;f, a&gt; of an update, &lt;P, C&gt;
/// of an evaluation), with the point-pair cost evaluations the shard made to compute it, so that the
/// coordinator can account for the run's work without another round trip.
/// </summary>
/// <param name="Value">The shard's share of the scalar.</param>
/// <param name="KernelEvaluations">Point-pair cost evaluations of the call (block size x key cloud size).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.ScalarPartial")]
public sealed record ScalarPartial(
    [property: Id(0)] double Value,
    [property: Id(1)] long KernelEvaluations);
