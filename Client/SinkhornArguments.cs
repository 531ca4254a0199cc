namespace Transport.Client;

/// <summary>The options of <c>transport sinkhorn</c> as typed, before validation.</summary>
internal sealed record SinkhornArguments
{
    /// <summary>Source positions file (.npy or .csv).</summary>
    public string? Source { get; init; }

    /// <summary>Target positions file (.npy or .csv).</summary>
    public string? Target { get; init; }

    /// <summary>Optional source weights file.</summary>
    public string? SourceWeights { get; init; }

    /// <summary>Optional target weights file.</summary>
    public string? TargetWeights { get; init; }

    /// <summary>Regularisation; required unless <see cref="Demo"/>.</summary>
    public double? Epsilon { get; init; }

    /// <summary>Cost name.</summary>
    public string Cost { get; init; } = "sqeuclidean";

    /// <summary>L1 marginal tolerance.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Iteration cap.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Annealing factor.</summary>
    public double Scaling { get; init; } = 0.5;

    /// <summary>Convergence check period.</summary>
    public int CheckEvery { get; init; } = 1;

    /// <summary>Precision name.</summary>
    public string Precision { get; init; } = "double";

    /// <summary>Shards per cloud.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>Also compute the Sinkhorn divergence.</summary>
    public bool Divergence { get; init; }

    /// <summary>Solve coarse-to-fine with the multiscale solver.</summary>
    public bool Multiscale { get; init; }

    /// <summary>Multiscale levels as typed (only with <see cref="Multiscale"/>); null when absent.</summary>
    public int? Levels { get; init; }

    /// <summary>Multiscale truncation TAU as typed (only with <see cref="Multiscale"/>); null when absent.</summary>
    public double? Truncate { get; init; }

    /// <summary>Multiscale memory budget in bytes as typed (only with <see cref="Multiscale"/>); null when absent.</summary>
    public long? MemoryBudget { get; init; }

    /// <summary>Multiscale leaf size (points per finest cluster) as typed (only with <see cref="Multiscale"/>); null when absent.</summary>
    public int? Leaf { get; init; }

    /// <summary>HOST:PORT of a cluster gateway, or null for an embedded silo.</summary>
    public string? Cluster { get; init; }

    /// <summary>Orleans cluster id of the remote cluster.</summary>
    public string ClusterId { get; init; } = "transport";

    /// <summary>Orleans service id of the remote cluster.</summary>
    public string ServiceId { get; init; } = "transport-distributed";

    /// <summary>Output directory.</summary>
    public string? Out { get; init; }

    /// <summary>Replace a non-empty <see cref="Out"/> folder whole.</summary>
    public bool Force { get; init; }

    /// <summary>Generate two clouds instead of reading files.</summary>
    public bool Demo { get; init; }

    /// <summary>Seed of the demo generator.</summary>
    public int Seed { get; init; }

    /// <summary>Points per demo cloud.</summary>
    public int Points { get; init; } = DemoClouds.DefaultPoints;

    /// <summary>No progress line.</summary>
    public bool Quiet { get; init; }

    /// <summary>Orleans logs on stderr.</summary>
    public bool Verbose { get; init; }

    /// <summary>--detach: submit to the --cluster and print the job id instead of waiting.</summary>
    public bool Detach { get; init; }

    /// <summary>--label: the job's label in <c>transport runs list</c>.</summary>
    public string? Label { get; init; }

    /// <summary>--telemetry: none, console (spans on stderr) or otlp.</summary>
    public string Telemetry { get; init; } = "none";

    /// <summary><c>--plan-topk</c>: write the K largest plan entries of every source point; null: not written.</summary>
    public int? PlanTopK { get; init; }

    /// <summary><c>--plan-threshold</c>: write every plan entry above this mass as a COO triple; null: not written.</summary>
    public double? PlanThreshold { get; init; }
}
