namespace Transport.Grains.Interfaces;

/// <summary>A model data block uploaded in chunks after the job is created (see <see cref="FlowModelSpec.Uploaded"/>).</summary>
/// <param name="Name">The block's name, as <see cref="FlowModelSpec.DataNames"/> spells it (e.g. <c>target</c>).</param>
/// <param name="Rows">Rows.</param>
/// <param name="Columns">Columns.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowDataShape")]
public sealed record FlowDataShape(
    [property: Id(0)] string Name,
    [property: Id(1)] int Rows,
    [property: Id(2)] int Columns);
