namespace Transport.Grains.Interfaces;

/// <summary>What a flow shard needs to know about its run and the layout of the population.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowShardSetup")]
public sealed record FlowShardSetup
{
    /// <summary>The run (coordinator key).</summary>
    [Id(0)]
    public required string RunId { get; init; }

    /// <summary>The validated job (model description and integrator options).</summary>
    [Id(1)]
    public required FlowJobSpec Job { get; init; }

    /// <summary>Block offsets: shard k holds particles [Offsets[k], Offsets[k + 1]).</summary>
    [Id(2)]
    public required int[] Offsets { get; init; }
}

/// <summary>
/// The stage globals a coordinator sends to its shards: everything but the all-gathered positions, which shards
/// pull from their peers. A vector longer than one <see cref="FloatBlock"/> is not inline: it was sent before in
/// chunks (<see cref="IFlowShardGrain.ReceiveGlobalsAsync"/>) and its block here is empty.
/// </summary>
/// <param name="Time">Time of the stage.</param>
/// <param name="Sums">Combined partial sums (SumsLength x 1), or empty when sent in chunks.</param>
/// <param name="StageData">The model's stage data (StageDataLength x 1), or empty when sent in chunks.</param>
/// <param name="SumsLength">Length of the combined partial sums.</param>
/// <param name="StageDataLength">Length of the stage data.</param>
/// <param name="MeasureGrids">Whether a measured stage also sums the Eulerian grids (<see cref="Numerics.Flows.FlowGlobals.MeasureGrids"/>).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowStageGlobals")]
public sealed record FlowStageGlobals(
    [property: Id(0)] double Time,
    [property: Id(1)] FloatBlock Sums,
    [property: Id(2)] FloatBlock StageData,
    [property: Id(3)] int SumsLength,
    [property: Id(4)] int StageDataLength,
    [property: Id(5)] bool MeasureGrids = false);

/// <summary>Which vector of the stage globals a chunk belongs to.</summary>
public enum FlowGlobalsPart
{
    /// <summary>The combined partial sums.</summary>
    Sums,

    /// <summary>The model's stage data.</summary>
    StageData,
}

/// <summary>The wire form of a block's energy share and kinetic energy at a stage.</summary>
/// <param name="EnergyShare">The block's energy share (NaN when the model has none; 0 when not measured).</param>
/// <param name="KineticEnergy">sum_i a_i |v_i|^2 over the block.</param>
/// <param name="Eulerian">The block's Eulerian partial sums (moments, test functions, grids), or null when the run measures none.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowMeasurePartial")]
public sealed record FlowMeasurePartial(
    [property: Id(0)] double EnergyShare,
    [property: Id(1)] double KineticEnergy,
    [property: Id(2)] double[]? Eulerian = null);

/// <summary>The wire form of a block's part of the adaptive error norm.</summary>
/// <param name="SumOfSquares">Sum of squared scaled errors.</param>
/// <param name="Max">Largest scaled error.</param>
/// <param name="Count">Number of coordinates.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowErrorPartialWire")]
public sealed record FlowErrorPartialWire(
    [property: Id(0)] double SumOfSquares,
    [property: Id(1)] double Max,
    [property: Id(2)] long Count);
