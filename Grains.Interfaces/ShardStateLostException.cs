namespace Transport.Grains.Interfaces;

/// <summary>
/// A shard was asked for state it does not hold: its activation is new (its silo died and the grain was re-created
/// elsewhere, or it was released). The coordinator treats it like the loss of a silo: it restores the shards from
/// their last checkpoint and resumes.
/// </summary>
[GenerateSerializer]
[Alias("Transport.ShardStateLostException")]
public sealed class ShardStateLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ShardStateLostException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ShardStateLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ShardStateLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
