using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>Which failures of a shard call mean that a silo (and the shards on it) was lost, so that a job may recover.</summary>
public static class SiloLoss
{
    /// <summary>
    /// Whether <paramref name="failure"/> (or one it wraps) is the loss of a silo: the silo is unavailable or declared
    /// dead, a message to it was rejected or timed out, or a shard answered from a new activation that lost its state.
    /// </summary>
    public static bool Explains(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(Explains),
            // OrleansException covers the runtime's own failures of a call (rejected, forwarded to a dead silo, connection lost).
            SiloUnavailableException or OrleansMessageRejectionException or OrleansException or TimeoutException or ShardStateLostException => true,
            _ => failure.InnerException is { } inner && Explains(inner),
        };
    }
}
