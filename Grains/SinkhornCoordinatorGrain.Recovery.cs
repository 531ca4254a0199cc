using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// Checkpoints and recovery of a dense run: the uploaded blocks are sealed in grain storage before the run, each solve
/// checkpoints its shards' potentials (<see cref="SinkhornCheckpointSink"/>), and when a shard call fails because a
/// silo died the coordinator waits until every shard answers again (a lost one is re-created on a survivor and reads
/// its block back, checked by count and mass), rolls every shard of the solve back to the last committed checkpoint
/// and resumes the loop from the state saved with it. The loop is deterministic, so the resumed run ends with the
/// numbers of the uninterrupted one.
/// </summary>
public sealed partial class SinkhornCoordinatorGrain
{
    private ShardSeal[] sourceSeals = [];
    private ShardSeal[] targetSeals = [];
    private readonly Dictionary<SinkhornTerm, MultiscaleOutput> finishedTerms = [];

    // The last committed checkpoint of the solve running now (null between solves or before its first checkpoint).
    private SinkhornCommitted? committed;
    private int checkpointsWritten;

    /// <inheritdoc />
    /// <remarks>
    /// A multiscale run keeps its cluster levels on this coordinator and writes no checkpoint of its iterations: after a
    /// loss it starts again from the sealed blocks (the solve is deterministic, so it ends with the same numbers), and once
    /// complete the shards store the potentials and map of their input rows.
    /// </remarks>
    protected override bool IsDurable(SinkhornJobSpec spec) => true;

    /// <inheritdoc />
    protected override byte[]? CaptureRunState() => NumericsJson.Serialize(new SinkhornDurableRun(
        sourceSeals, targetSeals, [.. finishedTerms.Select(t => new SinkhornFinishedTerm(t.Key, t.Value))], committed, checkpointsWritten, Recoveries, potentialShift, options?.CostScale));

    /// <inheritdoc />
    protected override void RestoreRunState(SinkhornJobSpec spec, byte[]? state)
    {
        Layout(spec);
        if (state is null)
        {
            return;
        }

        var run = NumericsJson.Deserialize<SinkhornDurableRun>(state);
        (sourceSeals, targetSeals) = (run.SourceSeals, run.TargetSeals);
        finishedTerms.Clear();
        foreach (var finished in run.Finished)
        {
            finishedTerms[finished.Term] = finished.Output;
        }

        (committed, checkpointsWritten, Recoveries, potentialShift) = (run.Committed, run.CheckpointsWritten, run.Recoveries, run.PotentialShift);

        // The options the run started with: the cost scale was measured on the clouds when the job started.
        options = options! with { CostScale = run.CostScale };
    }

    /// <summary>Seals every shard's block when checkpoints are on (before the run starts).</summary>
    private async Task SealShardsAsync()
    {
        finishedTerms.Clear();
        committed = null;
        (checkpointsWritten, Recoveries) = (0, 0);
        if (!Checkpointing.Enabled)
        {
            (sourceSeals, targetSeals) = ([], []);
            return;
        }

        sourceSeals = await Task.WhenAll(sourceShards.Select(s => s.SealAsync()));
        targetSeals = await Task.WhenAll(targetShards.Select(s => s.SealAsync()));
    }

    /// <summary>
    /// One dense solve of <paramref name="term"/> on the shards: with checkpoints on, it is checkpointed and, when a silo
    /// dies under it, resumed from its last checkpoint (from the start when it had none) at most
    /// <see cref="CheckpointOptions.MaxRecoveries"/> times over the job.
    /// </summary>
    private async Task<MultiscaleOutput> SolveDenseTermAsync(SinkhornTerm term, SinkhornOptions solveOptions, BoundingBox box, int sourceCount, int targetCount, bool evaluatePlan, CancellationToken token)
    {
        var settings = Checkpointing;
        var problemId = this.GetPrimaryKeyString();
        if (!settings.Enabled)
        {
            return await SolveDenseTermWithoutCheckpointsAsync(term, solveOptions, box, sourceCount, targetCount, evaluatePlan, token);
        }

        if (finishedTerms.TryGetValue(term, out var done))
        {
            // Finished before this coordinator was lost: its outputs are kept here and on the shards' final slots.
            return done;
        }

        // A resumed job continues this solve from its last checkpoint, if it had one, else from zero potentials.
        var sink = new SinkhornCheckpointSink(settings, committed is { } resume && resume.Term == term ? resume : null, OnCommittedAsync, SealsOf);
        var fresh = Resumed && sink.Committed is null;
        return await WithRecoveryAsync(
            async () =>
            {
                var last = sink.Committed;
                var backend = new DistributedSinkhornBackend(GrainFactory, problemId, sourceOffsets, targetOffsets, term) { ResumeSlot = last?.Slot };
                sink.Backend = backend;
                if (fresh)
                {
                    // Shards that survived hold this solve's potentials of an unknown iteration: start it over.
                    await backend.ReleaseAsync();
                    fresh = false;
                }

                var output = await SinkhornSolver.SolveOnBackendAsync(
                    backend, solveOptions, sourceCount, targetCount, box, term != SinkhornTerm.Cross, term.Name(), evaluatePlan, ReportProgress, sink, last?.State, token);

                // The finished solve's potentials and map, for a shard lost before the client has downloaded them.
                ShardSeals.Verify(await backend.SaveCheckpointAsync(CheckpointSlots.Final), SealsOf(term), term.Name(), "at the end of the solve");
                finishedTerms[term] = output;
                committed = null;
                checkpointsWritten += sink.Written;
                await PersistAsync();
                return output;
            },
            async () =>
            {
                await RecoverShardsAsync(settings, token);
                fresh = sink.Committed is null;
            },
            token);

        async Task OnCommittedAsync(SinkhornCommitted checkpoint)
        {
            committed = checkpoint;
            await PersistAsync();
        }
    }

    /// <summary>
    /// A dense solve on the shards that writes no checkpoint (checkpoints off).
    /// </summary>
    private Task<MultiscaleOutput> SolveDenseTermWithoutCheckpointsAsync(SinkhornTerm term, SinkhornOptions solveOptions, BoundingBox box, int sourceCount, int targetCount, bool evaluatePlan, CancellationToken token)
    {
        var plain = new DistributedSinkhornBackend(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, term);
        return SinkhornSolver.SolveOnBackendAsync(plain, solveOptions, sourceCount, targetCount, box, term != SinkhornTerm.Cross, term.Name(), evaluatePlan, ReportProgress, token);
    }

    /// <summary>
    /// The multiscale branch, restarted from the sealed blocks when a silo dies under it (at most
    /// <see cref="CheckpointOptions.MaxRecoveries"/> times); the finished potentials and map are stored by the shards that
    /// serve them.
    /// </summary>
    private async Task<SinkhornJobResult> SolveMultiscaleRecoveringAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        var settings = Checkpointing;
        if (!settings.Enabled)
        {
            return await SolveMultiscaleAsync(job, solveOptions, token);
        }

        await RecoverIfResumedAsync(token);
        return await WithRecoveryAsync(
            async () =>
            {
                var result = await SolveMultiscaleAsync(job, solveOptions, token);

                // Each shard stores the outputs of its input rows, so that one re-created elsewhere still serves them.
                await Task.WhenAll(sourceShards.Concat(targetShards).Select(s => s.SaveOutputsAsync(SinkhornTerm.Cross)));
                return result with { Recoveries = Recoveries };
            },
            () => RecoverShardsAsync(settings, token),
            token);
    }

    /// <summary>The seals of the shards a solve of <paramref name="term"/> runs on, in the backend's order.</summary>
    private ShardSeal[] SealsOf(SinkhornTerm term) => term switch
    {
        SinkhornTerm.Cross => [.. sourceSeals, .. targetSeals],
        SinkhornTerm.SelfSource => sourceSeals,
        _ => targetSeals,
    };

    /// <summary>A resumed job first waits for its shards (some may have been lost with the coordinator's silo).</summary>
    private Task RecoverIfResumedAsync(CancellationToken token) => RollBackIfResumedAsync(() => RecoverShardsAsync(Checkpointing, token));

    /// <summary>
    /// Waits until every shard answers (the membership has declared the dead silo dead and its shards were re-created on
    /// survivors, which read their blocks back), checks every shard's count and mass against what was sealed, and puts
    /// the finished solves' potentials and maps back where they were lost.
    /// </summary>
    private async Task RecoverShardsAsync(CheckpointOptions settings, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            token.ThrowIfCancellationRequested();
            try
            {
                ShardSeals.Verify(await Task.WhenAll(sourceShards.Select(s => s.RecoverAsync())), sourceSeals, "source", "after recovery");
                ShardSeals.Verify(await Task.WhenAll(targetShards.Select(s => s.RecoverAsync())), targetSeals, "target", "after recovery");
                foreach (var term in finishedTerms.Keys)
                {
                    var restored = new DistributedSinkhornBackend(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, term) { ResumeSlot = CheckpointSlots.Final };
                    await restored.InstallAsync(new SinkhornInstall(null, null, null, null, null, options!, term != SinkhornTerm.Cross), token);
                }

                return;
            }
            catch (Exception ex) when (SiloLoss.IsTransient(ex) && clock.Elapsed < settings.RecoveryTimeout)
            {
                // The membership has not settled yet (calls still reach the dead silo), or the storage did not answer: try again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(500), token);
            }
        }
    }

    /// <summary>
    /// A download from the shards of a completed run; when a shard was lost since (its silo died), the shards are
    /// recovered and the finished solves' potentials and maps put back from their final slots (a multiscale run's
    /// outputs a re-created shard reads back from its storage itself), then it is tried again.
    /// </summary>
    private async Task<T> WithShardRecoveryAsync<T>(Func<Task<T>> download)
    {
        try
        {
            return await download();
        }
        catch (Exception ex) when (SiloLoss.Explains(ex) && Checkpointing.Enabled && (finishedTerms.Count > 0 || Spec.Multiscale))
        {
            await RecoverShardsAsync(Checkpointing, CancellationToken.None);
            return await download();
        }
    }
}

/// <summary>A committed checkpoint of the solve running now: the loop's state and the slot holding the shards' potentials.</summary>
/// <param name="Term">The solve.</param>
/// <param name="State">The loop's state at the checkpoint.</param>
/// <param name="Slot">The slot holding the shards' potentials.</param>
/// <param name="Number">The checkpoint's number in its solve (1, 2, ...).</param>
internal sealed record SinkhornCommitted(SinkhornTerm Term, SinkhornRunCheckpoint State, int Slot, int Number);

/// <summary>A finished solve's scalars, kept with a durable job.</summary>
/// <param name="Term">The solve.</param>
/// <param name="Output">Its output (scalars and history: the arrays stay on the shards).</param>
internal sealed record SinkhornFinishedTerm(SinkhornTerm Term, MultiscaleOutput Output);

/// <summary>What a durable dense run keeps with its job record, to be resumed by a new coordinator activation.</summary>
internal sealed record SinkhornDurableRun(
    ShardSeal[] SourceSeals,
    ShardSeal[] TargetSeals,
    SinkhornFinishedTerm[] Finished,
    SinkhornCommitted? Committed,
    int CheckpointsWritten,
    int Recoveries,
    double PotentialShift,
    double? CostScale);
