namespace Transport.Numerics.Transport;

/// <summary>
/// The state of <see cref="RelaxationPolicy"/> at a checkpoint: everything it has measured, so that a resumed solve
/// chooses the same factors as the uninterrupted one.
/// </summary>
/// <param name="PlainErrors">Errors of the plain iterations at the target eps, in order.</param>
/// <param name="RelaxedErrors">Errors of the relaxed iterations, in order.</param>
/// <param name="Restarts">Divergence restarts so far.</param>
/// <param name="Relaxation">The factor.</param>
/// <param name="Estimated">Whether the factor has been estimated.</param>
/// <param name="Disabled">Whether relaxation is off for good.</param>
/// <param name="Polishing">Whether a plain polishing step is due.</param>
/// <param name="Best">Smallest error seen under relaxation.</param>
public sealed record RelaxationState(double[] PlainErrors, double[] RelaxedErrors, int Restarts, double Relaxation, bool Estimated, bool Disabled, bool Polishing, double Best);

/// <summary>The state of <see cref="SinkhornSchedule"/> at a checkpoint (annealing stage, counters, guards, history).</summary>
/// <param name="Stage">Annealing stage.</param>
/// <param name="StageIterations">Iterations in the current stage.</param>
/// <param name="PolishNext">Whether a plain polishing step is due.</param>
/// <param name="BestRelaxed">Smallest error under relaxation (stall guard).</param>
/// <param name="SinceBest">Relaxed iterations since that best.</param>
/// <param name="ExtraIterations">Iterations allowed beyond the cap.</param>
/// <param name="Iterations">Iterations recorded.</param>
/// <param name="History">Checked iterations at the target eps so far.</param>
/// <param name="Relaxation">The relaxation policy's state.</param>
public sealed record SinkhornScheduleState(int Stage, int StageIterations, bool PolishNext, double BestRelaxed, int SinceBest, int ExtraIterations, int Iterations, SinkhornProgress[] History, RelaxationState Relaxation);

/// <summary>
/// The loop's side of a checkpoint of a dense solve on a backend that holds the points (a cluster's shards): the
/// schedule and the counters after a committed iteration. The potentials at that iteration are the backend's side,
/// saved by whoever saves this (<see cref="ISinkhornCheckpoints"/>); together they let a solve resume exactly where
/// the uninterrupted one was, so that it ends with the same numbers.
/// </summary>
/// <param name="Schedule">The schedule's state.</param>
/// <param name="KernelEvaluations">Kernel evaluations so far.</param>
/// <param name="BytesExchanged">Bytes the backend reported exchanged so far.</param>
/// <param name="SourceDual">The source half of the dual after the last iteration.</param>
/// <param name="Report">The marginal report of the last iteration.</param>
public sealed record SinkhornRunCheckpoint(SinkhornScheduleState Schedule, long KernelEvaluations, long BytesExchanged, double SourceDual, MarginalReport Report)
{
    /// <summary>The committed iterations this checkpoint is at.</summary>
    public int Iterations => Schedule.Iterations;
}

/// <summary>
/// Where a dense solve on a backend saves its checkpoints: asked after every committed iteration whether one is due,
/// then given the loop's state, and saves the backend's potentials with it (the backend is the implementation's).
/// </summary>
public interface ISinkhornCheckpoints
{
    /// <summary>Whether a checkpoint is due after <paramref name="iterations"/> committed iterations.</summary>
    bool Due(int iterations);

    /// <summary>Saves <paramref name="state"/> with the backend's potentials; returns once the checkpoint is complete.</summary>
    Task SaveAsync(SinkhornRunCheckpoint state, CancellationToken cancellationToken);
}
