namespace Transport.Grains.Interfaces;

/// <summary>
/// A serializable description of a flow model, from which every silo (the coordinator and each shard)
/// builds the same <see cref="Transport.Numerics.Flows.IFlowModel"/> through the registered model factory.
/// <para>
/// Size limit: the spec travels whole to every shard, so each data block must fit in one
/// <see cref="FloatBlock"/> (<see cref="FloatBlock.MaxBytes"/>) and all blocks together must not exceed
/// <see cref="MaxDataBytes"/>; larger inputs (for example a big dataset) must be split into several named blocks
/// or uploaded as particles instead.
/// </para>
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowModelSpec")]
public sealed record FlowModelSpec
{
    /// <summary>Largest total payload of <see cref="Data"/> (8 MiB), keeping every message below 16 MB.</summary>
    public const long MaxDataBytes = FloatBlock.MaxBytes;

    /// <summary>The model's name as run specifications spell it (e.g. <c>mmd-flow</c>); the factory's lookup key.</summary>
    [Id(0)]
    public required string Name { get; init; }

    /// <summary>The model's parameters as a JSON object (<c>{}</c> when it has none); interpreted by the model's builder.</summary>
    [Id(1)]
    public string ParametersJson { get; init; } = "{}";

    /// <summary>Packed data the model needs (for example a target cloud, dataset inputs and targets), in the order its builder expects.</summary>
    [Id(2)]
    public FloatBlock[] Data { get; init; } = [];

    /// <summary>
    /// Dimension of the particles the model is built for. 0 in a client's spec means "the run's dimension": the
    /// coordinator fills in <see cref="FlowJobSpec.Dimension"/> before any builder runs, so builders always see it.
    /// </summary>
    [Id(3)]
    public int Dimension { get; init; }

    /// <summary>Optional names of the <see cref="Data"/> blocks (same length as <see cref="Data"/>, or empty), e.g. <c>target</c>, <c>target-weights</c>, <c>inputs</c>, <c>targets</c>.</summary>
    [Id(4)]
    public string[] DataNames { get; init; } = [];

    /// <summary>Total bytes of <see cref="Data"/>.</summary>
    public long DataBytes => Data.Sum(b => (long)b.Bytes.Length);

    /// <summary>The data block named <paramref name="name"/> (see <see cref="DataNames"/>), or null.</summary>
    public FloatBlock? FindData(string name)
    {
        var index = Array.IndexOf(DataNames, name);
        return index >= 0 && index < Data.Length ? Data[index] : null;
    }
}
