namespace Transport.Grains.Interfaces;

/// <summary>Progress of a flow run (<see cref="JobStatus{TProgress}"/>), readable at any time while it runs.</summary>
/// <param name="Step">Accepted steps taken so far.</param>
/// <param name="Time">Time reached.</param>
/// <param name="Energy">The model's energy (or risk) at the last recorded state; NaN when it has none or before the first step.</param>
/// <param name="KineticEnergy">sum_i a_i |v_i|^2 at the last recorded state.</param>
/// <param name="StepSize">Size of the last accepted step.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowJobProgress")]
public sealed record FlowJobProgress(
    [property: Id(0)] long Step,
    [property: Id(1)] double Time,
    [property: Id(2)] double Energy,
    [property: Id(3)] double KineticEnergy,
    [property: Id(4)] double StepSize)
{
    /// <summary>Before the first step.</summary>
    public static FlowJobProgress None { get; } = new(0, 0, double.NaN, double.NaN, 0);
}

/// <summary>Scalar results of a completed flow run; snapshots and diagnostics are fetched separately, in chunks.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowJobResult")]
public sealed record FlowJobResult
{
    /// <summary>Number of particles.</summary>
    [Id(0)]
    public required int Count { get; init; }

    /// <summary>Dimension of a particle.</summary>
    [Id(1)]
    public required int Dimension { get; init; }

    /// <summary>Accepted steps.</summary>
    [Id(2)]
    public required long Steps { get; init; }

    /// <summary>Rejected adaptive attempts.</summary>
    [Id(3)]
    public required long RejectedSteps { get; init; }

    /// <summary>Time reached (t_end).</summary>
    [Id(4)]
    public required double FinalTime { get; init; }

    /// <summary>Number of snapshots (initial, every <c>snapshot_every</c> steps, final).</summary>
    [Id(5)]
    public required int SnapshotCount { get; init; }

    /// <summary>Number of diagnostics rows (one per accepted step plus the final state).</summary>
    [Id(6)]
    public required int DiagnosticsCount { get; init; }

    /// <summary>Shards that held the particles.</summary>
    [Id(7)]
    public required int Shards { get; init; }

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

    /// <summary>
    /// Eulerian values every diagnostics row holds (moments and test functions; 0 when the run measures no density),
    /// served by <see cref="IFlowCoordinatorGrain.GetEulerianAsync"/> with <c>grids</c> false.
    /// </summary>
    [Id(12)]
    public int EulerianHeadColumns { get; init; }

    /// <summary>Grid values (histogram then density) each snapshot row holds, served with <c>grids</c> true.</summary>
    [Id(13)]
    public int EulerianGridColumns { get; init; }

    /// <summary>Diagnostics rows with grids (the snapshot states, in order).</summary>
    [Id(14)]
    public int EulerianGridRows { get; init; }
}

/// <summary>Column layout of the diagnostics block served by <see cref="IFlowCoordinatorGrain.GetDiagnosticsAsync"/>.</summary>
public static class FlowDiagnosticsColumns
{
    /// <summary>Number of columns: step, time, step size, energy, kinetic energy, rejected attempts, error norm.</summary>
    public const int Count = 7;
}
