namespace Transport.Numerics.Flows;

/// <summary>
/// The operations the flow schedule (<see cref="FlowDriver"/>) needs, whether the blocks live in this process
/// (<see cref="LocalFlowBackend"/>) or on shard grains across a cluster. Every block runs the same
/// <see cref="FlowBlockState"/> code; a backend only fans calls out and combines results in a fixed block order
/// (partial sums and measures added in block order, positions concatenated in global-id order).
/// A distributed backend may keep the all-gathered positions on its shards and ship the globals to them
/// without <see cref="FlowGlobals.AllPositions"/>, letting each shard restore its own copy before
/// <see cref="FlowBlockState.Velocity"/>: the driver only needs them for <see cref="IFlowModel.PrepareStage"/>.
/// </summary>
public interface IFlowBackend
{
    /// <summary>
    /// On every block: forms the positions of <paramref name="stage"/> for step size <paramref name="stepSize"/>
    /// (<see cref="FlowBlockState.PrepareStage"/>) and accumulates the partial sums at <paramref name="time"/>.
    /// Returns the partial sums added in block order and, when the model needs them, all stage positions and
    /// weights in global-id order.
    /// </summary>
    ValueTask<FlowStageInputs> BeginStageAsync(int stage, double time, double stepSize, CancellationToken cancellationToken);

    /// <summary>
    /// On every block: computes the velocities of <paramref name="stage"/> from <paramref name="globals"/>
    /// (already completed by <see cref="IFlowModel.PrepareStage"/>). With <paramref name="measure"/>, returns the
    /// blocks' energy shares and kinetic energies added in block order.
    /// </summary>
    ValueTask<FlowStageMeasure> VelocityAsync(int stage, FlowGlobals globals, bool measure, CancellationToken cancellationToken);

    /// <summary>
    /// On every block: forms the step's candidate (<see cref="FlowBlockState.CompleteStep"/>); returns the error
    /// partials combined in block order (zero for fixed-step integrators).
    /// </summary>
    ValueTask<FlowErrorPartial> CompleteStepAsync(double stepSize, long stepIndex, double noiseAmplitude, CancellationToken cancellationToken);

    /// <summary>On every block: accepts or rejects the candidate (<see cref="FlowBlockState.Commit"/>).</summary>
    ValueTask CommitStepAsync(bool accept, CancellationToken cancellationToken);

    /// <summary>All current positions in global-id order (a fresh array).</summary>
    ValueTask<double[]> GatherPositionsAsync(CancellationToken cancellationToken);
}
