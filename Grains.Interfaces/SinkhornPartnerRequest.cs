namespace Transport.Grains.Interfaces;

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
