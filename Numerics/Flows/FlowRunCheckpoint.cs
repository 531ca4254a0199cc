namespace Transport.Numerics.Flows;

/// <summary>
/// The driver's side of a flow checkpoint, taken after an accepted step: the counters, the clock, the next step size
/// (adaptive), the diagnostics rows and the snapshots so far, and the model's own state when it keeps one between
/// stages (<see cref="IFlowModelState"/>). The particles at that step are the backend's side, saved with it by whoever
/// saves this (<see cref="IFlowCheckpoints"/>); together they let a run resume exactly where the uninterrupted one was.
/// </summary>
/// <param name="Steps">Accepted steps so far.</param>
/// <param name="Rejected">Rejected attempts so far.</param>
/// <param name="Time">The time reached.</param>
/// <param name="NextStep">The step size the adaptive controller chose for the next step (the fixed step otherwise).</param>
/// <param name="Diagnostics">Every diagnostics row so far.</param>
/// <param name="Snapshots">Every snapshot so far (the first is the initial state).</param>
/// <param name="ModelState">The model's state (null when it keeps none).</param>
public sealed record FlowRunCheckpoint(
    long Steps,
    long Rejected,
    double Time,
    double NextStep,
    IReadOnlyList<FlowStepDiagnostics> Diagnostics,
    IReadOnlyList<FlowSnapshot> Snapshots,
    double[]? ModelState);

/// <summary>
/// Where a flow run saves its checkpoints: asked after every accepted step whether one is due, then given the driver's
/// state, and saves the backend's particles with it.
/// </summary>
public interface IFlowCheckpoints
{
    /// <summary>Whether a checkpoint is due after <paramref name="steps"/> accepted steps.</summary>
    bool Due(long steps);

    /// <summary>Saves <paramref name="state"/> with the backend's particles; returns once the checkpoint is complete.</summary>
    Task SaveAsync(FlowRunCheckpoint state, CancellationToken cancellationToken);
}

/// <summary>
/// A model that carries state from one stage to the next (warm-start potentials): a resumed run restores it, so that it
/// prepares its next stage from the same start as the uninterrupted run did.
/// </summary>
public interface IFlowModelState
{
    /// <summary>The state as one array (null when there is none yet).</summary>
    double[]? CaptureState();

    /// <summary>Takes back a state <see cref="CaptureState"/> returned (null: none).</summary>
    void RestoreState(double[]? state);
}
