using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// <see cref="IFlowBackend"/> over flow shard grains: each operation fans out to every shard with
/// <see cref="Task.WhenAll(IEnumerable{Task})"/> and combines the partial sums, energies, kinetic energies and
/// error partials in shard order in float64 (exactly as <see cref="LocalFlowBackend"/> combines its blocks), so
/// the result does not depend on which shard answers first. Stage positions are all-gathered in chunks only when
/// the model needs them (for <see cref="IFlowModel.PrepareStage"/>); the shards pull their own copies from their
/// peers, so the coordinator ships only the small globals. Awaits keep the caller's scheduler, so the coordinator
/// grain runs <see cref="FlowDriver"/> on its own activation.
/// </summary>
internal sealed class DistributedFlowBackend(IReadOnlyList<IFlowShardGrain> shards, int[] offsets, IFlowModel model, double[] allWeights) : IFlowBackend
{
    public async ValueTask<FlowStageInputs> BeginStageAsync(int stage, double time, double stepSize, CancellationToken cancellationToken)
    {
        var partials = await Task.WhenAll(shards.Select(s => s.BeginStageAsync(stage, time, stepSize)));
        var sums = new double[model.PartialLength];
        foreach (var partial in partials)
        {
            var values = partial.Values;
            if (values.Length != sums.Length)
            {
                throw new InvalidOperationException($"a shard returned {values.Length} partial sums, the model has {sums.Length}");
            }

            for (var p = 0; p < sums.Length; p++)
            {
                sums[p] += values[p];
            }
        }

        if (!model.NeedsAllPositions)
        {
            return new FlowStageInputs(sums, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);
        }

        var all = await BlockTransfer.GatherAsync(offsets, model.Dimension, (k, start, rows) => shards[k].GetStagePositionsAsync(stage, start, rows));
        return new FlowStageInputs(sums, all, allWeights);
    }

    public async ValueTask<FlowStageMeasure> VelocityAsync(int stage, FlowGlobals globals, bool measure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var stageData = globals.StageData.Span;
        if ((long)stageData.Length * sizeof(double) > FloatBlock.MaxBytes)
        {
            throw new InvalidOperationException($"model '{model.Name}' prepared {stageData.Length} values of stage data; at most {FloatBlock.MaxBytes / sizeof(double)} can be sent to shards");
        }

        var wire = new FlowStageGlobals(globals.Time, FloatBlock.FromVector(globals.Sums.Span), FloatBlock.FromVector(stageData));
        var partials = await Task.WhenAll(shards.Select(s => s.VelocityAsync(stage, wire, measure)));
        var total = new FlowStageMeasure(0, 0);
        foreach (var partial in partials)
        {
            total = total.Add(new FlowStageMeasure(partial.EnergyShare, partial.KineticEnergy));
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
}
