namespace Transport.Grains;

/// <summary>
/// A shard's grain storage, opened on first use: a shard that never wrote or read a record (checkpoints off) has nothing
/// to clear when it is released, and is spared the storage round trips.
/// </summary>
internal sealed class ShardStore
{
    private GrainStore? store;

    /// <summary>Whether this activation has opened its storage (wrote or read a record).</summary>
    public bool Used => store is not null;

    /// <summary>The storage of grain <paramref name="owner"/>.</summary>
    public GrainStore Open(IServiceProvider services, GrainId owner) => store ??= new GrainStore(services, owner);
}
