namespace Transport.Grains.Interfaces;

/// <summary>Progress of a sampling run (<see cref="JobStatus{TProgress}"/>), readable at any time while it runs.</summary>
/// <param name="Steps">Accepted steps so far.</param>
/// <param name="Time">Time reached.</param>
/// <param name="Evaluations">Denoiser evaluations per particle so far (NFE).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingJobProgress")]
public sealed record SamplingJobProgress(
    [property: Id(0)] int Steps,
    [property: Id(1)] double Time,
    [property: Id(2)] int Evaluations);

/// <summary>Scalar results of a completed sampling run; the samples are fetched separately, in chunks.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SamplingJobResult")]
public sealed record SamplingJobResult
{
    /// <summary>Number of samples n.</summary>
    [Id(0)]
    public required int Count { get; init; }

    /// <summary>Dimension of a sample.</summary>
    [Id(1)]
    public required int Dimension { get; init; }

    /// <summary>Denoiser (or velocity) evaluations per particle (NFE), correctors, rejected stages and the snap included.</summary>
    [Id(2)]
    public required int Evaluations { get; init; }

    /// <summary>Accepted steps.</summary>
    [Id(3)]
    public required int Steps { get; init; }

    /// <summary>Rejected adaptive step attempts.</summary>
    [Id(4)]
    public required int RejectedSteps { get; init; }

    /// <summary>Mean over particles of the integral of |v|^2 dt along the paths (predictor steps only).</summary>
    [Id(5)]
    public required double KineticEnergy { get; init; }

    /// <summary>Particle shards that held the particles.</summary>
    [Id(6)]
    public required int ParticleShards { get; init; }

    /// <summary>Data shards that held the data (0 for an inline target).</summary>
    [Id(7)]
    public required int DataShards { get; init; }

    /// <summary>Wall-clock seconds of the run.</summary>
    [Id(8)]
    public required double Seconds { get; init; }

    /// <summary>Checkpoints committed during the run (0 when the cluster's storage does not outlive a silo).</summary>
    [Id(9)]
    public int Checkpoints { get; init; }

    /// <summary>Times the run recovered from the loss of a silo (rolled back to its last checkpoint and resumed).</summary>
    [Id(10)]
    public int Recoveries { get; init; }

    /// <summary>Messages and payload bytes the job's shard grains received, in all and per shard per iteration.</summary>
    [Id(11)]
    public JobTraffic Traffic { get; init; } = JobTraffic.None;
}
