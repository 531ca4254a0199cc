using Transport.Grains;

namespace Transport.Silo;

/// <summary>
/// How a Transport.Distributed silo is hosted. Bound from the <c>Transport</c> configuration section
/// (appsettings.json, environment variables <c>Transport__*</c>, command-line <c>--Transport:*</c>).
/// </summary>
public sealed class TransportSiloOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Transport";

    /// <summary>
    /// Cluster membership: <c>localhost</c> (default: a single-machine development cluster whose first silo,
    /// on <see cref="PrimarySiloPort"/>, must stay up) or <c>redis</c> (membership in the Redis named by
    /// <see cref="Redis"/>: no primary silo, any silo may die and the others keep serving).
    /// </summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>
    /// Grain state and reminders: <c>memory</c> (default; lost when a silo stops) or <c>redis</c> (the Redis named
    /// by <see cref="Redis"/>; default grain storage and the reminder table).
    /// </summary>
    public string Storage { get; set; } = "memory";

    /// <summary>
    /// Redis connection string (StackExchange.Redis syntax, e.g. <c>localhost:6379</c>), required when
    /// <see cref="Clustering"/> or <see cref="Storage"/> is <c>redis</c>.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Address this silo publishes to the cluster and listens on. Default: loopback for <c>localhost</c>
    /// clustering; for <c>redis</c> clustering, Orleans' choice (the first non-loopback address of this host).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Listen on all interfaces (0.0.0.0) rather than on <see cref="AdvertisedAddress"/> only (containers behind NAT). Default false.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>
    /// How long a silo waits for a liveness probe answer before counting it missed. Default 5 s (Orleans'
    /// default); a dead silo is declared dead after <see cref="MissedProbes"/> missed probes.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Missed probes before a silo votes another dead. Default 3 (Orleans' default).</summary>
    public int MissedProbes { get; set; } = 3;

    /// <summary>
    /// Work between two checkpoints of a running job (default 30 s). Checkpoints are written only with
    /// <see cref="Storage"/> = <c>redis</c>, the storage that outlives a silo.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// If positive, a checkpoint every this many iterations (Sinkhorn) or steps (flows, samplers) instead of by
    /// <see cref="CheckpointInterval"/>: the same points of every run, whatever the machine's speed. Default 0 (by time).
    /// </summary>
    public int CheckpointEvery { get; set; }

    /// <summary>Orleans cluster id; silos and clients of one cluster share it. Default <c>transport</c>.</summary>
    public string ClusterId { get; set; } = "transport";

    /// <summary>Orleans service id. Default <c>transport-distributed</c>.</summary>
    public string ServiceId { get; set; } = "transport-distributed";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Port of the primary silo for localhost clustering (the first silo of a local cluster); default
    /// 11111, so a second silo on another port joins the first.
    /// </summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>
    /// Grain call timeout. Default 10 minutes: one dense Sinkhorn half-step on a large shard can take
    /// longer than Orleans' 30 s default.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Telemetry export: <c>none</c> (default), <c>console</c> (metrics and traces printed periodically)
    /// or <c>otlp</c> (to <see cref="OtlpEndpoint"/>). Exports the <c>Transport.Distributed</c> meter and
    /// activity source and Orleans' own <c>Microsoft.Orleans</c> meter.
    /// </summary>
    public string Telemetry { get; set; } = "none";

    /// <summary>
    /// HTTP port of the Orleans dashboard on this silo (cluster overview, grains, activations, calls); 0 (the default)
    /// serves none. <c>transport cluster up</c>, the compose file and the Kubernetes manifests turn it on.
    /// </summary>
    public int DashboardPort { get; set; }

    /// <summary>Address the dashboard listens on: loopback by default; <c>0.0.0.0</c> in a container.</summary>
    public string DashboardAddress { get; set; } = "127.0.0.1";

    /// <summary>OTLP collector endpoint when <see cref="Telemetry"/> is <c>otlp</c>; default http://localhost:4317.</summary>
    public Uri OtlpEndpoint { get; set; } = new("http://localhost:4317");

    /// <summary>
    /// Path of this process's TLS certificate: a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>) holding the certificate and its
    /// private key. Null (the default) turns TLS off: silo-to-silo and client connections are plain TCP. When set,
    /// <see cref="TlsCaCertificate"/> must be set too, every silo-to-silo and gateway connection is TLS with mutual
    /// authentication, and plain connections are refused. A silo's certificate must allow server and client
    /// authentication (it accepts and opens connections), a console's client authentication (when the certificate
    /// has an Extended Key Usage extension at all).
    /// </summary>
    public string? TlsCertificate { get; set; }

    /// <summary>Password of the <see cref="TlsCertificate"/> file; null (the default) for a file without one.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>
    /// Path of the certificate (PEM or DER, no private key needed) that every peer's certificate must be issued by or
    /// equal to: silos accept only silos and clients whose certificate chains to it, and clients accept only silos
    /// whose certificate does. Host names are not checked (silos are reached by address): the CA should issue
    /// certificates for this cluster only. Required with <see cref="TlsCertificate"/>; null (the default) otherwise.
    /// </summary>
    public string? TlsCaCertificate { get; set; }

    /// <summary>
    /// Largest message body, identical on silos and clients. Default 32 MiB: every transfer is chunked
    /// to at most 8 MiB by construction (see FloatBlock), so this is a guard, not a way to send big frames.
    /// </summary>
    public int MaxMessageBodySize { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// How long an ended job (completed, failed, cancelled) stays listed, with its results and its shards' memory, before
    /// the job registry releases it. Default 24 hours.
    /// </summary>
    public TimeSpan JobRetention { get; set; } = JobRegistryGrain.DefaultRetention;

    /// <summary>Most points one job may hold, all its clouds together (<see cref="JobLimits.MaxPointsPerJob"/>). Default 50,000,000.</summary>
    public long MaxPointsPerJob { get; set; } = JobLimits.DefaultMaxPointsPerJob;

    /// <summary>Most points one shard may hold (<see cref="JobLimits.MaxPointsPerShard"/>). Default 4,000,000.</summary>
    public long MaxPointsPerShard { get; set; } = JobLimits.DefaultMaxPointsPerShard;

    /// <summary>Largest dimension of a job's points (<see cref="JobLimits.MaxDimension"/>). Default 4096.</summary>
    public int MaxDimension { get; set; } = JobLimits.DefaultMaxDimension;

    /// <summary>Most jobs created or running at once in the cluster (<see cref="JobLimits.MaxConcurrentJobs"/>). Default 64.</summary>
    public int MaxConcurrentJobs { get; set; } = JobLimits.DefaultMaxConcurrentJobs;

    /// <summary>
    /// Largest estimated memory of one job in bytes (<see cref="JobLimits.MaxJobMemory"/>). Default: half the memory
    /// available to the silo process (the GC's limit, which honours a container's memory limit).
    /// </summary>
    public long MaxJobMemory { get; set; } = JobLimits.DefaultMaxJobMemory;

    /// <summary>
    /// How long a created job waits for its next upload chunk before it fails as abandoned and frees its shards
    /// (<see cref="JobLimits.UploadLease"/>). Default 2 minutes.
    /// </summary>
    public TimeSpan UploadLease { get; set; } = JobLimits.DefaultUploadLease;

    /// <summary>
    /// Largest message installing a multiscale share on a shard (<see cref="JobLimits.InstallChunkBytes"/>): larger
    /// installs go in chunks. Default 8 MiB (8388608), at least 1024, at most that.
    /// </summary>
    public int InstallChunkBytes { get; set; } = Grains.Interfaces.FloatBlock.MaxBytes;

    /// <summary>The admission limits these settings configure for the silo's job coordinators.</summary>
    public JobLimits ToJobLimits() => new()
    {
        MaxPointsPerJob = MaxPointsPerJob,
        MaxPointsPerShard = MaxPointsPerShard,
        MaxDimension = MaxDimension,
        MaxConcurrentJobs = MaxConcurrentJobs,
        MaxJobMemory = MaxJobMemory,
        UploadLease = UploadLease,
        InstallChunkBytes = InstallChunkBytes,
    };
}
