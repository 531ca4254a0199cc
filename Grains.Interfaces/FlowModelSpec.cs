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

    /// <summary>Total bytes of <see cref="Data"/>.</summary>
    public long DataBytes => Data.Sum(b => (long)b.Bytes.Length);
}
