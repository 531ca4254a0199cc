namespace Transport.Grains.Interfaces;

/// <summary>
/// What a shard holds of its population (a cloud, a block of particles): its rows and their mass, compared bit for bit
/// at every checkpoint and every restore (the same weights summed in the same order give the same bits).
/// </summary>
/// <param name="Count">Rows.</param>
/// <param name="Mass">Sum of their weights (in row order).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.ShardSeal")]
public sealed record ShardSeal([property: Id(0)] int Count, [property: Id(1)] double Mass);
