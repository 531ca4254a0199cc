namespace Transport.Numerics.Flows;

/// <summary>
/// What a model sees about the whole population at one integrator stage, assembled by the caller: the
/// single-process driver builds it from its one block; a distributed coordinator from all-gathered
/// positions, partial sums added in block order, and the model's stage data.
/// </summary>
public sealed class FlowGlobals
{
    /// <summary>Creates the globals of a stage.</summary>
    /// <param name="time">Time of the stage.</param>
    /// <param name="allPositions">Every particle's position in global-id order (empty unless <see cref="IFlowModel.NeedsAllPositions"/>).</param>
    /// <param name="allWeights">Every particle's weight (empty unless <see cref="IFlowModel.NeedsAllPositions"/>).</param>
    /// <param name="sums">Partial sums of all blocks added together (length <see cref="IFlowModel.PartialLength"/>).</param>
    /// <param name="stageData">The result of <see cref="IFlowModel.PrepareStage"/> (empty when the model has none).</param>
    public FlowGlobals(double time, ReadOnlyMemory<double> allPositions, ReadOnlyMemory<double> allWeights, ReadOnlyMemory<double> sums, ReadOnlyMemory<double> stageData)
    {
        Time = time;
        AllPositions = allPositions;
        AllWeights = allWeights;
        Sums = sums;
        StageData = stageData;
    }

    /// <summary>Time of the stage.</summary>
    public double Time { get; }

    /// <summary>All positions in global-id order, when the model needs them.</summary>
    public ReadOnlyMemory<double> AllPositions { get; }

    /// <summary>All weights in global-id order, when the model needs them.</summary>
    public ReadOnlyMemory<double> AllWeights { get; }

    /// <summary>Combined partial sums (R1 reductions) of the stage.</summary>
    public ReadOnlyMemory<double> Sums { get; }

    /// <summary>Model-specific data prepared once per stage (for example Sinkhorn potentials).</summary>
    public ReadOnlyMemory<double> StageData { get; }

    /// <summary>
    /// Whether a measured stage also sums the Eulerian grids (histogram and density): at the states the run keeps a
    /// snapshot of, the only ones whose grids it keeps.
    /// </summary>
    public bool MeasureGrids { get; init; }

    /// <summary>A copy with <see cref="StageData"/> set.</summary>
    public FlowGlobals WithStageData(ReadOnlyMemory<double> stageData) => new(Time, AllPositions, AllWeights, Sums, stageData) { MeasureGrids = MeasureGrids };
}
