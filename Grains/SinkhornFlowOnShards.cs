using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// The dense Sinkhorn-divergence flow with its solves on shard grains, as the flow coordinator runs it: the particles'
/// stage positions go from each flow shard straight to its Sinkhorn source shard (the same rows), the target lives on
/// Sinkhorn target shards, and every stage the coordinator drives the cross solve (cold, re-annealed), the particles'
/// self solve (warm from the previous stage's potentials, which never leave the shards) and, once, the target's self
/// solve, each the one Sinkhorn loop (<see cref="SinkhornSolver.SolveOnBackendAsync(ISinkhornBackend, SinkhornOptions, int, int, BoundingBox, bool, string, bool, bool, Action{SinkhornProgress}?, ISinkhornCheckpoints?, SinkhornRunCheckpoint?, CancellationToken)"/>)
/// on a <see cref="DistributedSinkhornBackend"/>. The shards keep T_ab (the cross solve's map) and T_aa (the self map
/// with the symmetric potential); each flow shard pulls its own rows of both for its velocities. What the coordinator
/// holds and moves is O(shards): bounding boxes, duals, marginal reports and the divergence value, its stage data.
/// The same options, schedule and arithmetic as the in-process <see cref="SinkhornDivergenceFlowModel.PrepareStage"/>:
/// only float64 sums of per-shard partials are grouped differently. The multiscale flow takes the same route with the
/// multiscale solver on the shards (<c>SinkhornFlowOnShards.Multiscale.cs</c>).
/// </summary>
internal sealed partial class SinkhornFlowOnShards : IFlowModel, IFlowModelState, IAsyncFlowStage
{
    private readonly SinkhornDivergenceFlowModel inner;
    private readonly IGrainFactory grains;
    private readonly string problemId;
    private readonly int[] sourceOffsets;
    private readonly int[] targetOffsets;
    private readonly ISinkhornShardGrain[] sourceShards;
    private readonly ISinkhornShardGrain[] targetShards;
    private readonly BoundingBox targetBox;
    private double targetSelfValue = double.NaN;

    // Whether the source shards hold the previous stage's self potentials (then the self solve starts warm).
    private bool selfWarm;

    /// <summary>Wraps <paramref name="inner"/> for run <paramref name="runId"/>, whose flow shards hold rows <paramref name="flowOffsets"/>.</summary>
    public SinkhornFlowOnShards(SinkhornDivergenceFlowModel inner, IGrainFactory grains, string runId, int[] flowOffsets)
    {
        this.inner = inner;
        this.grains = grains;
        problemId = ProblemId(runId);
        sourceOffsets = flowOffsets;
        targetOffsets = ShardLayout.Split(inner.Target.Count, Math.Min(inner.Target.Count, flowOffsets.Length - 1));
        sourceShards = [.. Enumerable.Range(0, sourceOffsets.Length - 1).Select(k => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Source, k)))];
        targetShards = [.. Enumerable.Range(0, targetOffsets.Length - 1).Select(k => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Target, k)))];
        targetBox = BoundingBox.Of(inner.Target);
    }

    /// <summary>The Sinkhorn problem id of a flow run's shards (their keys: <see cref="ShardLayout.ShardKey"/>).</summary>
    public static string ProblemId(string runId) => $"{runId}/sinkhorn";

    /// <summary>Whether a model's stages run on Sinkhorn shards on the cluster (the Sinkhorn-divergence flow, dense or multiscale).</summary>
    public static bool Applies(IFlowModel model) => model is SinkhornDivergenceFlowModel;

    /// <summary>
    /// The checkpoint slot the next self solve restores its potentials from (set by a coordinator resuming a checkpoint;
    /// null: the shards' own).
    /// </summary>
    public int? ResumeSlot { get; set; }

    /// <summary>Every Sinkhorn shard of the run, source then target.</summary>
    public IEnumerable<ISinkhornShardGrain> Shards => sourceShards.Concat(targetShards);

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public int Dimension => inner.Dimension;

    /// <inheritdoc />
    public FlowManifold Manifold => inner.Manifold;

    /// <summary>False: the particles never come to the coordinator; the shards exchange them among themselves.</summary>
    public bool NeedsAllPositions => false;

    /// <inheritdoc />
    public int PartialLength => inner.PartialLength;

    /// <summary>
    /// Lays the Sinkhorn shards out and loads the target onto its shards in chunks (the source rows arrive from the flow
    /// shards at every stage). Also after a recovery: a re-initialised shard keeps what it checkpointed.
    /// </summary>
    public async Task InitializeShardsAsync()
    {
        var setup = new SinkhornShardSetup
        {
            ProblemId = problemId,
            SourceOffsets = sourceOffsets,
            TargetOffsets = targetOffsets,
            Dimension = Dimension,
            Cost = inner.Options.Cost.Name(),
            Precision = inner.Options.Precision.Name(),
        };
        await Task.WhenAll(
            sourceShards.Select((s, k) => s.InitializeAsync(setup, CloudSide.Source, k))
                .Concat(targetShards.Select((s, k) => s.InitializeAsync(setup, CloudSide.Target, k))));
        var target = inner.Target;
        var d = Dimension;
        var chunk = Math.Max(1, Math.Min(FloatBlock.RowsPerChunk(d + 1), ChunkBytes / (sizeof(double) * (d + 1))));
        for (var offset = 0; offset < target.Count; offset += chunk)
        {
            var rows = Math.Min(chunk, target.Count - offset);
            var positions = FloatBlock.From(target.Positions.Slice(offset * d, rows * d), rows, d);
            var weights = FloatBlock.FromVector(target.Weights.Slice(offset, rows));
            await UploadChecks.RouteAsync(targetOffsets, offset, positions, weights, (k, row, p, w) => targetShards[k].LoadAsync(row, p, w));
        }
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<double>> PrepareStageAsync(FlowGlobals globals, CancellationToken cancellationToken)
    {
        if (inner.Multiscale is { } multiscale)
        {
            return await PrepareMultiscaleStageAsync(multiscale, cancellationToken);
        }

        var n = sourceOffsets[^1];
        var m = targetOffsets[^1];
        var particlesBox = await ShardBoundingBoxes.UnionAsync(sourceShards);
        var options = inner.StageOptions(particlesBox, targetBox, n);

        // The cross problem re-anneals from cold potentials (see SinkhornDivergenceFlowModel.PrepareStage); its plan's
        // map stays on the source shards.
        var crossBackend = new DistributedSinkhornBackend(grains, problemId, sourceOffsets, targetOffsets, SinkhornTerm.Cross);
        await crossBackend.ReleaseAsync();
        var cross = await SinkhornSolver.SolveOnBackendAsync(
            crossBackend, options, n, m, particlesBox.Union(targetBox), selfProblem: false, SinkhornTerm.Cross.Name(), evaluatePlan: true, warm: false, null, null, null, cancellationToken);

        // The self problem continues from the potentials its shards kept (or a checkpoint's), without annealing.
        var selfBackend = new DistributedSinkhornBackend(grains, problemId, sourceOffsets, targetOffsets, SinkhornTerm.SelfSource) { ResumeSlot = selfWarm ? ResumeSlot : null };
        if (!selfWarm)
        {
            await selfBackend.ReleaseAsync();
        }

        var self = await SinkhornSolver.SolveOnBackendAsync(
            selfBackend, options, n, n, particlesBox, selfProblem: true, SinkhornTerm.SelfSource.Name(), evaluatePlan: false, warm: selfWarm, null, null, null, cancellationToken);
        (selfWarm, ResumeSlot) = (true, null);
        await Task.WhenAll(sourceShards.Select(s => s.SymmetricMapAsync(SinkhornTerm.SelfSource, options.Epsilon)));

        if (double.IsNaN(targetSelfValue))
        {
            var targetBackend = new DistributedSinkhornBackend(grains, problemId, sourceOffsets, targetOffsets, SinkhornTerm.SelfTarget);
            var targetSelf = await SinkhornSolver.SolveOnBackendAsync(
                targetBackend, options, m, m, targetBox, selfProblem: true, SinkhornTerm.SelfTarget.Name(), evaluatePlan: false, warm: false, null, null, null, cancellationToken);
            targetSelfValue = targetSelf.Dual;
            await targetBackend.ReleaseAsync();
        }

        inner.RecordStage(cross.Iterations, self.Iterations, cross.Converged && self.Converged);
        return new[] { DebiasedDivergence.Combine(cross.Dual, self.Dual, targetSelfValue) };
    }

    /// <summary>
    /// Every source shard writes the self solve's potentials (the next stage's warm start) to checkpoint slot
    /// <paramref name="slot"/>; returns the count and mass each holds, which are the flow shards' (the same rows).
    /// </summary>
    public Task<ShardSeal[]> SaveCheckpointAsync(int slot) => inner.Multiscale is null
        ? Task.WhenAll(sourceShards.Select(s => s.SaveCheckpointAsync(SinkhornTerm.SelfSource, slot)))
        : Task.WhenAll(sourceShards.Select(s => s.SaveOutputsCheckpointAsync(SinkhornTerm.SelfSource, slot)));

    /// <summary>Drops everything the Sinkhorn shards hold (the run is released).</summary>
    public Task ReleaseAsync() => Task.WhenAll(Shards.Select(s => s.ReleaseShardAsync()));

    /// <summary>
    /// [OT_eps(beta, beta), whether the shards hold warm self potentials], and with the multiscale solver the previous
    /// stage's factors and self shift (<see cref="MultiscaleState"/>).
    /// </summary>
    public double[]? CaptureState() => double.IsNaN(targetSelfValue) ? null : [targetSelfValue, selfWarm ? 1 : 0, .. MultiscaleState()];

    /// <inheritdoc />
    public void RestoreState(double[]? state)
    {
        (targetSelfValue, selfWarm) = state is [var value, var warm, ..] ? (value, warm != 0) : (double.NaN, false);
        RestoreMultiscaleState(state is { Length: > 2 } ? state[2..] : []);
    }

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials) => inner.AccumulatePartials(time, block, partials);

    /// <summary>Not used: the coordinator prepares stages through <see cref="PrepareStageAsync"/>.</summary>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) =>
        throw new InvalidOperationException("the stages of a flow on Sinkhorn shards are prepared asynchronously (PrepareStageAsync)");

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity) => inner.Velocity(block, globals, velocity);

    /// <inheritdoc />
    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => inner.EnergyShare(block, globals);

    /// <inheritdoc />
    public double GlobalEnergy(FlowGlobals globals) => inner.GlobalEnergy(globals);

    /// <inheritdoc />
    public double Diffusion(double time) => inner.Diffusion(time);
}
