namespace Transport.Grains.Interfaces;

/// <summary>Progress of a Sinkhorn job (<see cref="JobStatus{TProgress}"/>), readable at any time while it runs.</summary>
/// <param name="Problem">"cross", "self-source" or "self-target" (the problem being iterated); "none" before the run.</param>
/// <param name="Iteration">Iterations done in that problem.</param>
/// <param name="Epsilon">Current regularisation (NaN before the first iteration).</param>
/// <param name="MarginalError">Latest L1 marginal error (NaN before the first iteration).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornJobProgress")]
public sealed record SinkhornJobProgress(
    [property: Id(0)] string Problem,
    [property: Id(1)] int Iteration,
    [property: Id(2)] double Epsilon,
    [property: Id(3)] double MarginalError)
{
    /// <summary>Before the first iteration.</summary>
    public static SinkhornJobProgress None { get; } = new("none", 0, double.NaN, double.NaN);
}

/// <summary>One convergence check of a job.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornHistoryPoint")]
public sealed record SinkhornHistoryPoint(
    [property: Id(0)] string Problem,
    [property: Id(1)] int Iteration,
    [property: Id(2)] double Epsilon,
    [property: Id(3)] double MarginalError,
    [property: Id(4)] double MarginalError2);

/// <summary>Scalar results of a completed job (arrays are fetched separately, in chunks).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornJobResult")]
public sealed record SinkhornJobResult
{
    /// <summary>Iterations of the cross problem.</summary>
    [Id(0)]
    public required int Iterations { get; init; }

    /// <summary>Whether the cross problem (and, with the divergence, the self problems) converged.</summary>
    [Id(1)]
    public required bool Converged { get; init; }

    /// <summary>Final L1 column-marginal error of the cross problem.</summary>
    [Id(2)]
    public required double MarginalError { get; init; }

    /// <summary>Final 2-norm column-marginal error.</summary>
    [Id(3)]
    public required double MarginalError2 { get; init; }

    /// <summary>Transport cost &lt;P, C&gt;.</summary>
    [Id(4)]
    public required double Cost { get; init; }

    /// <summary>Entropic objective &lt;P, C&gt; + eps KL(P | a x b).</summary>
    [Id(5)]
    public required double Objective { get; init; }

    /// <summary>Dual objective &lt;f, a&gt; + &lt;g, b&gt;.</summary>
    [Id(6)]
    public required double Dual { get; init; }

    /// <summary>Sinkhorn divergence, or null when not requested.</summary>
    [Id(7)]
    public double? Divergence { get; init; }

    /// <summary>Wall-clock seconds from start to completion (inside the cluster).</summary>
    [Id(8)]
    public required double Seconds { get; init; }

    /// <summary>Every convergence check, in order.</summary>
    [Id(9)]
    public required IReadOnlyList<SinkhornHistoryPoint> History { get; init; }

    /// <summary>Shards actually used per cloud.</summary>
    [Id(10)]
    public required int Shards { get; init; }

    /// <summary>
    /// Point-pair cost evaluations of the whole run, summed over shards: every soft c-transform of n queries
    /// against m keys counts n m (iterations, annealing stages, convergence checks, self problems and the final
    /// evaluation of the plan), so that dense and multiscale runs can be compared.
    /// </summary>
    [Id(11)]
    public required long KernelEvaluations { get; init; }

    /// <summary>Mass of the plan the solver left out by truncation; 0 for a dense run, which drops nothing.</summary>
    [Id(12)]
    public double NeglectedMass { get; init; }

    /// <summary>Levels of the multiscale hierarchy that were solved; 1 for a dense run.</summary>
    [Id(13)]
    public int Levels { get; init; } = 1;

    /// <summary>
    /// Bytes of potentials the shards of a multiscale run pulled from each other (8 per value, every half step and
    /// the final evaluation; cross and self problems). The one-off install of each pattern (points, partner keys,
    /// starting potentials, sent by the coordinator) is not counted. 0 for a dense run, whose all-gather is not
    /// counted here.
    /// </summary>
    [Id(14)]
    public long BytesExchanged { get; init; }

    /// <summary>Per level of the multiscale cross problem, finest first; empty for a dense run.</summary>
    [Id(15)]
    public IReadOnlyList<SinkhornLevelReport> LevelReports { get; init; } = [];

    /// <summary>
    /// Why a multiscale run solved densely on the points (too few points, collapsed geometry, or a block pattern that
    /// kept missing mass); null when it did not, and for a dense run.
    /// </summary>
    [Id(16)]
    public string? DenseReason { get; init; }

    /// <summary>Checkpoints committed during the run (0 when the cluster's storage does not outlive a silo).</summary>
    [Id(17)]
    public int Checkpoints { get; init; }

    /// <summary>Times the run lost shards (a silo died) and resumed from its last checkpoint.</summary>
    [Id(18)]
    public int Recoveries { get; init; }

    /// <summary>Messages and payload bytes the job's shard grains received, in all and per shard per iteration.</summary>
    [Id(19)]
    public JobTraffic Traffic { get; init; } = JobTraffic.None;

    /// <summary>
    /// The leaf size the multiscale cross problem used (points per finest cluster: given, or chosen from the memory
    /// budget); null for a dense run.
    /// </summary>
    [Id(20)]
    public int? LeafClusterSize { get; init; }

    /// <summary>
    /// Array values the coordinator held at most during a multiscale run (cluster levels, their potentials, block patterns,
    /// shard layouts): O(clusters + shards), never O(points), since the points stay on the shards; null for a dense run.
    /// </summary>
    [Id(21)]
    public long? CoordinatorValues { get; init; }
}
