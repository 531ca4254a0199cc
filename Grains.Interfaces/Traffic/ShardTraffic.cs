namespace Transport.Grains.Interfaces;

/// <summary>
/// The calls a shard grain received for its job and their payload: the bytes of the numeric arrays and strings its
/// arguments and results carry (what a message between silos mostly is; Orleans' envelope is not counted).
/// Counts are per activation: a shard re-created after a silo loss starts again from zero.
/// </summary>
/// <param name="Messages">Calls received (requests; each has one response).</param>
/// <param name="PayloadBytes">Payload bytes of the requests' arguments and of the responses.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.ShardTraffic")]
public sealed record ShardTraffic(
    [property: Id(0)] long Messages,
    [property: Id(1)] long PayloadBytes)
{
    /// <summary>No traffic.</summary>
    public static ShardTraffic None { get; } = new(0, 0);

    /// <summary>The sum of two counts.</summary>
    public ShardTraffic Add(ShardTraffic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new ShardTraffic(Messages + other.Messages, PayloadBytes + other.PayloadBytes);
    }
}

/// <summary>A grain that counts the calls it receives (every shard grain of every job kind).</summary>
[Alias("Transport.ITrafficCountingGrain")]
public interface ITrafficCountingGrain : IGrain
{
    /// <summary>What this activation has received so far (this call not included).</summary>
    [Alias("GetTraffic")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<ShardTraffic> GetTrafficAsync();
}
