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

    /// <summary>
    /// Whether a step of a recovery may be tried again after <paramref name="failure"/>: the loss of a silo, or a
    /// storage that did not answer (its connection was reset, it timed out). Recovery reads the checkpoints back from
    /// storage while the cluster is at its busiest; a storage hiccup then is no reason to give the job up. The storage's
    /// client is a provider's choice, so it is recognised by its namespace rather than by a type this project references.
    /// </summary>
    public static bool IsTransient(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        for (var current = failure; current is not null; current = current.InnerException)
        {
            if (Explains(current) || current is IOException || current.GetType().Namespace?.StartsWith("StackExchange.Redis", StringComparison.Ordinal) == true)
            {
                return true;
            }
        }

        return false;
    }
}
