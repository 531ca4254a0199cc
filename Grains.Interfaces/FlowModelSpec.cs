namespace Transport.Grains.Interfaces;

/// <summary>
/// A serializable description of a flow model, from which every silo (the coordinator and each shard)
/// builds the same <see cref="Transport.Numerics.Flows.IFlowModel"/> through the registered model factory.
/// <para>
/// Size: the blocks in <see cref="Data"/> travel inside the spec (at most <see cref="MaxDataBytes"/> together). Larger
/// model data (a big target cloud or data set) is not in the spec: <see cref="Uploaded"/> lists its blocks' names and
/// shapes, and the client uploads their rows in chunks after creating the job
/// (<see cref="IFlowCoordinatorGrain.UploadModelDataAsync"/>), which the coordinator streams on to its shards; no
/// size cap but the job's admission limits. The flow job client switches to that path by itself above
/// <see cref="InlineDataBytes"/> (<see cref="ForUpload"/>).
/// </para>
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.FlowModelSpec")]
public sealed record FlowModelSpec
{
    /// <summary>Largest total payload of <see cref="Data"/> (8 MiB), keeping every message below 16 MB.</summary>
    public const long MaxDataBytes = FloatBlock.MaxBytes;

    /// <summary>Above this much model data (4 MiB) a client uploads the blocks in chunks instead of inside the spec.</summary>
    public const long InlineDataBytes = FloatBlock.MaxBytes / 2;

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

    /// <summary>
    /// Data blocks uploaded in chunks after the job is created (names and shapes; their values are not in the spec).
    /// Builders never see them: the coordinator and the shards build the model from the spec completed with the uploaded
    /// rows (<see cref="WithUploadedData"/>).
    /// </summary>
    [Id(5)]
    public FlowDataShape[] Uploaded { get; init; } = [];

    /// <summary>
    /// This spec with the uploaded blocks in <see cref="Data"/> (after the inline ones, named as announced) and
    /// <see cref="Uploaded"/> empty: the spec a builder takes. <paramref name="values"/> holds each block's rows x columns
    /// values, in the order of <see cref="Uploaded"/>.
    /// </summary>
    public FlowModelSpec WithUploadedData(IReadOnlyList<double[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Uploaded.Length)
        {
            throw new ArgumentException($"{values.Count} uploaded blocks for {Uploaded.Length} announced", nameof(values));
        }

        var blocks = Uploaded.Select((shape, k) => FloatBlock.From(values[k], shape.Rows, shape.Columns));
        return this with { Data = [.. Data, .. blocks], DataNames = [.. DataNames, .. Uploaded.Select(shape => shape.Name)], Uploaded = [] };
    }

    /// <summary>
    /// The spec a client creates the job with when its data exceeds <paramref name="inlineLimit"/> bytes: every named
    /// block moved to <see cref="Uploaded"/> (returned with its values, to upload in chunks); this spec unchanged otherwise.
    /// </summary>
    public (FlowModelSpec Spec, FloatBlock[] ToUpload) ForUpload(long inlineLimit = InlineDataBytes)
    {
        if (DataBytes <= inlineLimit || DataNames.Length != Data.Length || Data.Length == 0)
        {
            return (this, []);
        }

        var shapes = Data.Select((block, k) => new FlowDataShape(DataNames[k], block.Rows, block.Columns)).ToArray();
        return (this with { Data = [], DataNames = [], Uploaded = [.. Uploaded, .. shapes] }, Data);
    }

    /// <summary>Total bytes of <see cref="Data"/>.</summary>
    public long DataBytes => Data.Sum(b => (long)b.Bytes.Length);

    /// <summary>The data block named <paramref name="name"/> (see <see cref="DataNames"/>), or null.</summary>
    public FloatBlock? FindData(string name)
    {
        var index = Array.IndexOf(DataNames, name);
        return index >= 0 && index < Data.Length ? Data[index] : null;
    }
}
