namespace Transport.Grains;

/// <summary>
/// What a silo admits (issue 12): configured maxima every job is checked against when it is created, before any shard
/// is allocated, and how long an upload may wait for its next chunk. Bound from the silo settings
/// <c>Transport:MaxPointsPerJob</c>, <c>MaxPointsPerShard</c>, <c>MaxDimension</c>, <c>MaxConcurrentJobs</c>,
/// <c>MaxJobMemory</c> and <c>UploadLease</c> (the embedded silo of the console uses the same keys and defaults). A
/// refused job gets a <see cref="Interfaces.JobInputException"/> whose field is the setting (<c>Transport:KEY</c>) and
/// whose message gives the job's value and the configured one.
/// </summary>
public sealed class JobLimits
{
    /// <summary>The setting names, as <c>Transport:KEY</c> keys spell them.</summary>
    public const string Section = "Transport";

    /// <summary>Default of <see cref="MaxPointsPerJob"/>: 50,000,000.</summary>
    public const long DefaultMaxPointsPerJob = 50_000_000;

    /// <summary>Default of <see cref="MaxPointsPerShard"/>: 4,000,000.</summary>
    public const long DefaultMaxPointsPerShard = 4_000_000;

    /// <summary>Default of <see cref="MaxDimension"/>: 4096.</summary>
    public const int DefaultMaxDimension = 4096;

    /// <summary>Default of <see cref="MaxConcurrentJobs"/>: 64.</summary>
    public const int DefaultMaxConcurrentJobs = 64;

    /// <summary>Default of <see cref="UploadLease"/>: 2 minutes.</summary>
    public static readonly TimeSpan DefaultUploadLease = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Most points one job may hold, all its clouds together (Sinkhorn: n + m; flow: the particles; sampling: the
    /// samples and the data points). Default <see cref="DefaultMaxPointsPerJob"/>.
    /// </summary>
    public long MaxPointsPerJob { get; set; } = DefaultMaxPointsPerJob;

    /// <summary>
    /// Most points one shard may hold (the largest block of any of the job's clouds): a shard's half-step is one grain
    /// call, so this also bounds its duration. Default <see cref="DefaultMaxPointsPerShard"/>; more shards split a
    /// larger cloud.
    /// </summary>
    public long MaxPointsPerShard { get; set; } = DefaultMaxPointsPerShard;

    /// <summary>Largest dimension d of a job's points. Default <see cref="DefaultMaxDimension"/>.</summary>
    public int MaxDimension { get; set; } = DefaultMaxDimension;

    /// <summary>
    /// Most jobs created or running at once in the cluster (counted by the job registry; ended jobs do not count).
    /// Default <see cref="DefaultMaxConcurrentJobs"/>.
    /// </summary>
    public int MaxConcurrentJobs { get; set; } = DefaultMaxConcurrentJobs;

    /// <summary>
    /// Largest estimated memory of one job, in bytes (<see cref="JobDemand.Bytes"/>: its clouds, the keys every shard
    /// gathers, potentials, maps, trajectories), counted as if every shard were on one silo, since placement may put them
    /// there. Default: half of the memory available to this process (<see cref="DefaultMaxJobMemory"/>).
    /// </summary>
    public long MaxJobMemory { get; set; } = DefaultMaxJobMemory;

    /// <summary>
    /// How long a created job waits for its next upload chunk (or its start): past it the upload counts as abandoned (its
    /// client was killed mid-upload), the job fails with "upload abandoned" and its shards' memory is freed. Default
    /// <see cref="DefaultUploadLease"/>.
    /// </summary>
    public TimeSpan UploadLease { get; set; } = DefaultUploadLease;

    /// <summary>
    /// Largest message a coordinator sends a shard when it installs a multiscale share (its points, keys, pattern and
    /// potentials): a larger install goes in chunks of this many bytes and is put together on the shard. Default
    /// <see cref="Interfaces.FloatBlock.MaxBytes"/> (8 MiB), the chunk of every other transfer.
    /// </summary>
    public int InstallChunkBytes { get; set; } = Interfaces.FloatBlock.MaxBytes;

    /// <summary>
    /// Half of the memory available to this process (the GC's limit, which honours a container's limit); 8 GiB when the
    /// runtime does not know it.
    /// </summary>
    public static long DefaultMaxJobMemory
    {
        get
        {
            var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return available > 0 ? available / 2 : 8L << 30;
        }
    }

    /// <summary>The full name of a setting: <c>Transport:KEY</c>.</summary>
    public static string Name(string key) => $"{Section}:{key}";
}
