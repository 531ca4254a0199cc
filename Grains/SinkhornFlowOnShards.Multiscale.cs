using Orleans.Serialization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// The multiscale Sinkhorn-divergence flow on Sinkhorn shards (issue 13): every stage the shards sort the particles
/// and the target along the Morton curve and the coordinator runs the coarse levels on cluster summaries only
/// (<see cref="ShardMultiscaleSolve"/>), as the in-process <c>SinkhornDivergenceFlowModel.PrepareMultiscaleStage</c>
/// does: the cross problem re-annealed with the previous stage's over-relaxation factor, the particles' self problem warm
/// from the previous stage's potentials and factor, the target's self problem once. The previous self potentials never
/// leave the shards: the sorted points pull them from the input rows' shards, which keep both solves' outputs; each
/// flow shard reads its own rows of the two maps there. What the coordinator moves is cluster summaries and scalars.
/// </summary>
internal sealed partial class SinkhornFlowOnShards
{
    // The previous stage's over-relaxation factors and the balancing shift of its self outputs (NaN / 0 before it).
    private double crossRelaxation = double.NaN;
    private double selfRelaxation = double.NaN;
    private double selfShift;

    /// <summary>The serializer of the staged shard requests (the multiscale solver's; set by the coordinator).</summary>
    public Serializer? Serializer { get; init; }

    /// <summary>The largest payload one message to or between the Sinkhorn shards may carry (the configured chunk).</summary>
    public int ChunkBytes { get; init; } = FloatBlock.MaxBytes;

    private async Task<ReadOnlyMemory<double>> PrepareMultiscaleStageAsync(MultiscaleOptions multiscale, CancellationToken token)
    {
        var n = sourceOffsets[^1];
        var particlesBox = await ShardBoundingBoxes.UnionAsync(sourceShards);
        var options = inner.StageOptions(particlesBox, targetBox, n);
        var solver = new ShardMultiscaleSolve(grains, problemId, sourceOffsets, targetOffsets, Serializer ?? throw new InvalidOperationException("the multiscale flow on shards needs the serializer"), ChunkBytes);

        // The cross problem re-anneals from cold potentials with the previous factor; its map stays on the input rows.
        var crossOptions = crossRelaxation is > 1.0 and var w ? multiscale with { Overrelaxation = w } : multiscale;
        var cross = await solver.SolveAsync(SinkhornTerm.Cross, options, crossOptions, new ShardSolveRequest(EvaluatePlan: true, KeepOutputs: true), null, token);

        // The self problem starts from the previous stage's outputs (a resumed run's from its checkpoint slot).
        if (selfWarm && ResumeSlot is { } slot)
        {
            await Task.WhenAll(sourceShards.Select(s => s.LoadOutputsCheckpointAsync(SinkhornTerm.SelfSource, slot)));
        }

        var warm = selfWarm ? new MultiscalePointsWarmStart(double.IsNaN(selfRelaxation) ? null : selfRelaxation) : null;
        var self = await solver.SolveAsync(SinkhornTerm.SelfSource, options, multiscale, new ShardSolveRequest(EvaluatePlan: true, KeepOutputs: true, warm, selfShift), null, token);
        (selfWarm, ResumeSlot) = (true, null);
        if (double.IsNaN(targetSelfValue))
        {
            var targetSelf = await solver.SolveAsync(SinkhornTerm.SelfTarget, options, multiscale, new ShardSolveRequest(EvaluatePlan: true, KeepOutputs: false), null, token);
            targetSelfValue = targetSelf.Dual;
        }

        (crossRelaxation, selfRelaxation) = (cross.Relaxation, self.Relaxation);
        selfShift = PotentialNormalisation.Shift(self.SourceDual, self.TargetDual);
        inner.RecordStage(cross, self);
        return new[] { DebiasedDivergence.Combine(cross.Dual, self.Dual, targetSelfValue) };
    }

    /// <summary>[cross factor, self factor, self shift] (NaN factors before the first stage); empty for the dense solver.</summary>
    private double[] MultiscaleState() => inner.Multiscale is null ? [] : [crossRelaxation, selfRelaxation, selfShift];

    private void RestoreMultiscaleState(double[] state) =>
        (crossRelaxation, selfRelaxation, selfShift) = state is [var c, var s, var shift] ? (c, s, shift) : (double.NaN, double.NaN, 0);
}
