namespace Transport.Numerics.Flows;

/// <summary>
/// A model whose stage preparation runs elsewhere and asynchronously: the Sinkhorn solves of a divergence flow on the
/// shard grains that hold the particles and the target, driven by the coordinator, which moves only scalars. The
/// driver (<see cref="FlowDriver"/>) awaits <see cref="PrepareStageAsync"/> in place of
/// <see cref="IFlowModel.PrepareStage"/>; the stage data it returns is what the coordinator's globals carry (for the
/// Sinkhorn flow only the divergence value: the per-particle maps stay on the shards).
/// </summary>
public interface IAsyncFlowStage
{
    /// <summary>Prepares the stage whose positions the backend has just formed (<see cref="IFlowBackend.BeginStageAsync"/>).</summary>
    ValueTask<ReadOnlyMemory<double>> PrepareStageAsync(FlowGlobals globals, CancellationToken cancellationToken);
}
