namespace Transport.Grains;

/// <summary>
/// When coordinators checkpoint their jobs. Checkpoints go to the cluster's default grain storage, so they are worth
/// their writes only where that storage outlives a silo (Redis): the silo host turns them on with
/// <c>Transport:Storage=redis</c>. Unregistered, they are off.
/// </summary>
public sealed class CheckpointOptions
{
    /// <summary>Whether jobs seal their uploads and write checkpoints.</summary>
    public bool Enabled { get; set; }

    /// <summary>Work between two checkpoints (the loop checks after every committed iteration).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>If positive: a checkpoint every this many iterations instead of by time (deterministic, for tests and benchmarks).</summary>
    public int EveryIterations { get; set; }

    /// <summary>Recoveries a job may make before it fails.</summary>
    public int MaxRecoveries { get; set; } = 5;

    /// <summary>How long a recovery waits for every shard to answer again (the membership to declare the dead silo dead).</summary>
    public TimeSpan RecoveryTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
