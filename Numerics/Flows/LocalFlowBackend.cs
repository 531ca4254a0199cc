namespace Transport.Numerics.Flows;

/// <summary>
/// The single-process backend: the population split into one or more contiguous in-process blocks
/// (<see cref="FlowPartition"/>), each a <see cref="FlowBlockState"/>. With one block it is the reference
/// path; with several it combines exactly as a distributed coordinator does (block order), so it also
/// checks that results do not depend on the split.
/// </summary>
public sealed class LocalFlowBackend : IFlowBackend
{
    private readonly FlowBlockState[] blocks;
    private readonly double[] allStagePositions;
    private readonly double[] allWeights;

    /// <summary>
    /// Copies <paramref name="positions"/> (row-major, n x model dimension) and <paramref name="weights"/>
    /// (n entries, or empty for uniform 1/n) into <paramref name="blockCount"/> blocks.
    /// </summary>
    public LocalFlowBackend(IFlowModel model, ReadOnlySpan<double> positions, ReadOnlySpan<double> weights, FlowOptions options, int blockCount = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var d = model.Dimension;
        if (d < 1 || positions.Length == 0 || positions.Length % d != 0)
        {
            throw new InvalidInputException("initial", $"needs a non-empty n x {d} array, got {positions.Length} values");
        }

        var n = positions.Length / d;
        if (!weights.IsEmpty && weights.Length != n)
        {
            throw new InvalidInputException("weights", $"needs {n} entries (one per particle), got {weights.Length}");
        }

        if (blockCount < 1 || blockCount > n)
        {
            throw new InvalidInputException("shards", $"must be between 1 and the number of particles {n}, got {blockCount}");
        }

        Model = model;
        Options = options;
        allWeights = weights.IsEmpty ? Enumerable.Repeat(1.0 / n, n).ToArray() : weights.ToArray();
        allStagePositions = model.NeedsAllPositions ? new double[positions.Length] : [];
        blocks = new FlowBlockState[blockCount];
        for (var b = 0; b < blockCount; b++)
        {
            var (start, count) = FlowPartition.Range(n, blockCount, b);
            var block = new ParticleBlock(positions.Slice(start * d, count * d).ToArray(), allWeights.AsSpan(start, count).ToArray(), d, start);
            blocks[b] = new FlowBlockState(model, block, options);
        }
    }

    /// <summary>The model.</summary>
    public IFlowModel Model { get; }

    /// <summary>The options of the run.</summary>
    public FlowOptions Options { get; }

    /// <summary>The blocks, in block order.</summary>
    public IReadOnlyList<FlowBlockState> Blocks => blocks;

    /// <inheritdoc />
    public ValueTask<FlowStageInputs> BeginStageAsync(int stage, double time, double stepSize, CancellationToken cancellationToken)
    {
        var sums = new double[Model.PartialLength];
        var partials = new double[Model.PartialLength];
        var offset = 0;
        foreach (var block in blocks)
        {
            block.PrepareStage(stage, stepSize);
            Array.Clear(partials);
            block.AccumulatePartials(stage, time, partials);
            for (var p = 0; p < sums.Length; p++)
            {
                sums[p] += partials[p];
            }

            if (Model.NeedsAllPositions)
            {
                var source = block.StageBlock(stage).PositionArray;
                source.CopyTo(allStagePositions, offset);
                offset += source.Length;
            }
        }

        var inputs = Model.NeedsAllPositions
            ? new FlowStageInputs(sums, allStagePositions, allWeights)
            : new FlowStageInputs(sums, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);
        return ValueTask.FromResult(inputs);
    }

    /// <inheritdoc />
    public ValueTask<FlowStageMeasure> VelocityAsync(int stage, FlowGlobals globals, bool measure, CancellationToken cancellationToken)
    {
        var total = new FlowStageMeasure(0, 0);
        foreach (var block in blocks)
        {
            total = total.Add(block.Velocity(stage, globals, measure));
        }

        return ValueTask.FromResult(total);
    }

    /// <inheritdoc />
    public ValueTask<FlowErrorPartial> CompleteStepAsync(double stepSize, long stepIndex, double noiseAmplitude, CancellationToken cancellationToken)
    {
        var total = FlowErrorPartial.Zero;
        foreach (var block in blocks)
        {
            total = total.Add(block.CompleteStep(stepSize, stepIndex, noiseAmplitude));
        }

        return ValueTask.FromResult(total);
    }

    /// <inheritdoc />
    public ValueTask CommitStepAsync(bool accept, CancellationToken cancellationToken)
    {
        foreach (var block in blocks)
        {
            block.Commit(accept);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<double[]> GatherPositionsAsync(CancellationToken cancellationToken)
    {
        var result = new double[blocks.Sum(b => b.Block.PositionArray.Length)];
        var offset = 0;
        foreach (var block in blocks)
        {
            block.Block.PositionArray.CopyTo(result, offset);
            offset += block.Block.PositionArray.Length;
        }

        return ValueTask.FromResult(result);
    }
}
