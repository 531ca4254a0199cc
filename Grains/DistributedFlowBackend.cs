using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// <see cref="IFlowBackend"/> over flow shard grains: each operation fans out to every shard with
/// <see cref="Task.WhenAll(IEnumerable{Task})"/> and combines the partial sums, energies, kinetic energies and
/// error partials in shard order in float64 (exactly as <see cref="LocalFlowBackend"/> combines its blocks), so
/// the result does not depend on which shard answers first. Stage positions are all-gathered on the coordinator in
/// chunks only when the model's stage preparation reads them (<see cref="IFlowModel.PrepareNeedsAllPositions"/>); the shards pull their own copies from their
/// peers, so the coordinator ships only the small globals. Awaits keep the caller's scheduler, so the coordinator
/// grain runs <see cref="FlowDriver"/> on its own activation.
/// </summary>
internal sealed class DistributedFlowBackend(IReadOnlyList<IFlowShardGrain> shards, int[] offsets, IFlowModel model, double[] allWeights) : IFlowBackend
{
    public async ValueTask<FlowStageInputs> BeginStageAsync(int stage, double time, double stepSize, CancellationToken cancellationToken)
    {
        var inline = await Task.WhenAll(shards.Select(s => s.BeginStageAsync(stage, time, stepSize)));
        var length = model.PartialLength;
        var partials = await Task.WhenAll(inline.Select((block, k) => block.Rows == length
            ? Task.FromResult(block.Values.ToArray())
            : BlockTransfer.GatherAsync([0, length], 1, (_, start, rows) => shards[k].GetPartialsAsync(start, rows))));
        var sums = new double[length];
        foreach (var values in partials)
        {
            for (var p = 0; p < sums.Length; p++)
            {
                sums[p] += values[p];
            }
        }

        if (!model.PrepareNeedsAllPositions)
        {
            // The shards pull their peers' positions themselves when their velocities need them.
            return new FlowStageInputs(sums, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);
        }

        var all = await BlockTransfer.GatherAsync(offsets, model.Dimension, (k, start, rows) => shards[k].GetStagePositionsAsync(stage, start, rows));
        return new FlowStageInputs(sums, all, allWeights);
    }

    public async ValueTask<FlowStageMeasure> VelocityAsync(int stage, FlowGlobals globals, bool measure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var sums = await BroadcastAsync(FlowGlobalsPart.Sums, globals.Sums);
        var stageData = await BroadcastAsync(FlowGlobalsPart.StageData, globals.StageData);
        var wire = new FlowStageGlobals(globals.Time, sums, stageData, globals.Sums.Length, globals.StageData.Length, globals.MeasureGrids);
        var partials = await Task.WhenAll(shards.Select(s => s.VelocityAsync(stage, wire, measure)));
        var total = new FlowStageMeasure(0, 0);
        foreach (var partial in partials)
        {
            total = total.Add(new FlowStageMeasure(partial.EnergyShare, partial.KineticEnergy, partial.Eulerian));
        }

        return total;
    }

    public async ValueTask<FlowErrorPartial> CompleteStepAsync(double stepSize, long stepIndex, double noiseAmplitude, CancellationToken cancellationToken)
    {
        var partials = await Task.WhenAll(shards.Select(s => s.CompleteStepAsync(stepSize, stepIndex, noiseAmplitude)));
        var total = FlowErrorPartial.Zero;
        foreach (var partial in partials)
        {
            total = total.Add(new FlowErrorPartial(partial.SumOfSquares, partial.Max, partial.Count));
        }

        return total;
    }

    public async ValueTask CommitStepAsync(bool accept, CancellationToken cancellationToken) =>
        await Task.WhenAll(shards.Select(s => s.CommitAsync(accept)));

    public async ValueTask<double[]> GatherPositionsAsync(CancellationToken cancellationToken) =>
        await BlockTransfer.GatherAsync(offsets, model.Dimension, (k, start, rows) => shards[k].GetPositionsAsync(start, rows));

    /// <summary>
    /// The vector as one inline block when it fits; otherwise sends it to every shard in chunks and returns an
    /// empty block (the shards then use their received copy).
    /// </summary>
    private async Task<FloatBlock> BroadcastAsync(FlowGlobalsPart part, ReadOnlyMemory<double> values)
    {
        if ((long)values.Length * sizeof(double) <= FloatBlock.MaxBytes)
        {
            return FloatBlock.FromVector(values.Span);
        }

        var chunk = FloatBlock.RowsPerChunk(1);
        for (var offset = 0; offset < values.Length; offset += chunk)
        {
            var block = FloatBlock.FromVector(values.Span.Slice(offset, Math.Min(chunk, values.Length - offset)));
            var start = offset;
            await Task.WhenAll(shards.Select(s => s.ReceiveGlobalsAsync(part, values.Length, start, block)));
        }

        return FloatBlock.Empty;
    }
}
