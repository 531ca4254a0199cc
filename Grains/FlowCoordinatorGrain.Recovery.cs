using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// Checkpoints and recovery of a flow run: the shards seal their blocks before the run, the driver checkpoints after
/// accepted steps (<see cref="FlowCheckpointSink"/>), and when a shard call fails because a silo died the coordinator
/// waits until every shard answers again (a lost one is re-created on a survivor and reads its block back), rolls every
/// shard back to the committed checkpoint (checked by count and mass) and resumes the driver from the state saved with
/// it. A coordinator lost with its silo is re-activated by its reminder or a client's poll and does the same from its
/// job record. The integrators and the noise are deterministic (counter-based), so the resumed run ends with the
/// uninterrupted run's numbers.
/// </summary>
public sealed partial class FlowCoordinatorGrain
{
    private ShardSeal[] seals = [];
    private FlowCommitted? committed;
    private FlowCommittedRecord? storedCommitted;
    private FlowFinishedRecord? finished;
    private FlowCoordinatorStore? coordinatorStore;
    private int checkpointsWritten;

    // Whether an attempt of this activation's run has started (its model then carries that attempt's warm starts).
    private bool attempted;

    /// <inheritdoc />
    protected override bool IsDurable(FlowJobSpec spec) => true;

    private FlowCoordinatorStore CoordinatorStore => coordinatorStore ??= new FlowCoordinatorStore(DurableStore, Spec.Count, Spec.Dimension);

    /// <inheritdoc />
    protected override byte[]? CaptureRunState() =>
        NumericsJson.Serialize(new FlowDurableRun(seals, committed?.Describe() ?? storedCommitted, finished, checkpointsWritten, Recoveries, coordinatorStore?.SnapshotsStored ?? 0));

    /// <inheritdoc />
    protected override void RestoreRunState(FlowJobSpec spec, byte[]? state)
    {
        IFlowModel? built;
        (options, built) = Validate(spec);
        offsets = ShardLayout.Split(spec.Count, spec.Shards);
        (model, sinkhornShards) = (null, null);
        if (built is not null)
        {
            // Else its data was uploaded in chunks: EnsureModelAsync builds it from storage when the run continues.
            UseModel(built);
        }

        var runId = this.GetPrimaryKeyString();
        shards = [.. Enumerable.Range(0, offsets.Length - 1).Select(k => GrainFactory.GetGrain<IFlowShardGrain>(FlowLayout.ShardKey(runId, k)))];
        if (state is null)
        {
            return;
        }

        var run = NumericsJson.Deserialize<FlowDurableRun>(state);
        (seals, storedCommitted, finished, checkpointsWritten, Recoveries) = (run.Seals, run.Committed, run.Finished, run.CheckpointsWritten, run.Recoveries);
        coordinatorStore = new FlowCoordinatorStore(DurableStore, spec.Count, spec.Dimension) { SnapshotsStored = run.SnapshotsStored };
    }

    /// <summary>Seals every shard's block when checkpoints are on (before the run starts).</summary>
    private async Task SealShardsAsync()
    {
        (committed, storedCommitted, finished, checkpointsWritten, Recoveries) = (null, null, null, 0, 0);
        if (!Checkpointing.Enabled)
        {
            seals = [];
            return;
        }

        await CoordinatorStore.ClearAsync();
        seals = await Task.WhenAll(shards.Select(s => s.SealAsync()));
    }

    /// <summary>
    /// Runs the flow with checkpoints; when a silo dies under it, rolls back and resumes, at most
    /// <see cref="CheckpointOptions.MaxRecoveries"/> times over the job.
    /// </summary>
    private async Task<FlowTrajectory> RunCheckpointedAsync(CancellationToken token)
    {
        var settings = Checkpointing;
        await RollBackIfResumedAsync(() => RollBackAsync(settings, token));

        return await WithRecoveryAsync(
            async () =>
            {
                var resume = await ResumePointAsync();
                var sink = new FlowCheckpointSink(settings, shards, seals, CoordinatorStore, committed, OnCommittedAsync) { AlsoSave = sinkhornShards is null ? null : sinkhornShards.SaveCheckpointAsync };
                var flowModel = model!;
                var backend = new DistributedFlowBackend(shards, offsets, flowModel, flowModel.PrepareNeedsAllPositions ? allWeights : []);
                var run = await FlowDriver.RunAsync(backend, flowModel, options!, ReportProgress, sink, resume, token);

                // The trajectory outlives this activation: a client may download it after the coordinator's silo died.
                await CoordinatorStore.SaveSnapshotsAsync(run.Snapshots);
                finished = new FlowFinishedRecord([.. run.Diagnostics], [.. run.Snapshots.Select(FlowSnapshotTime.Of)], run.Steps, run.RejectedSteps, run.FinalTime);
                return run;
            },
            () => RollBackAsync(settings, token),
            token);

        async Task OnCommittedAsync(FlowCommitted checkpoint)
        {
            committed = checkpoint;
            checkpointsWritten = checkpoint.Number;
            await PersistAsync();
        }
    }

    /// <summary>
    /// The checkpoint the next attempt starts from: the committed one (read back from storage by a new activation), or
    /// none (from t = 0, with a model built afresh: the old one carries the failed attempt's warm starts).
    /// </summary>
    private async Task<FlowRunCheckpoint?> ResumePointAsync()
    {
        if (committed is null && storedCommitted is { } record)
        {
            var snapshots = await CoordinatorStore.LoadSnapshotsAsync(record.Snapshots);
            var modelState = record.HasModelState ? await CoordinatorStore.LoadModelStateAsync(record.Slot) : null;
            var state = new FlowRunCheckpoint(record.Steps, record.Rejected, record.Time, record.NextStep, record.Diagnostics, snapshots, modelState);
            committed = new FlowCommitted(state, record.Slot, record.Number);
        }

        if (committed is null && attempted)
        {
            (model, sinkhornShards) = (null, null);
            await EnsureModelAsync();
        }

        if (sinkhornShards is not null)
        {
            // The self solve's warm start is in the Sinkhorn shards' slot of the committed checkpoint.
            sinkhornShards.ResumeSlot = committed?.Slot;
        }

        attempted = true;
        return committed?.State;
    }

    /// <summary>
    /// Waits until every shard answers again, rolls each back to the committed checkpoint (the sealed block when there is
    /// none), checks count and mass against the seals, and rebuilds the integrator state.
    /// </summary>
    private async Task RollBackAsync(CheckpointOptions settings, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var slot = committed?.Slot ?? storedCommitted?.Slot;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            try
            {
                ShardSeals.Verify(await Task.WhenAll(shards.Select(s => s.RestoreAsync(slot))), seals, "particles", "after recovery");
                await Task.WhenAll(shards.Select(s => s.PrepareAsync()));
                if (sinkhornShards is not null)
                {
                    await sinkhornShards.InitializeShardsAsync();
                }

                if (model!.PrepareNeedsAllPositions && allWeights.Length != Spec.Count)
                {
                    allWeights = await BlockTransfer.GatherAsync(offsets, 1, (k, start, rows) => shards[k].GetWeightsAsync(start, rows));
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

    /// <summary>The finished trajectory, read back from storage by an activation that replaced the one that ran it.</summary>
    private async Task<FlowTrajectory> CompletedAsync()
    {
        if (trajectory is { } run)
        {
            return run;
        }

        if (State != JobState.Completed || finished is not { } record)
        {
            throw new InvalidOperationException($"no result: the run is {State}");
        }

        var snapshots = await CoordinatorStore.LoadSnapshotsAsync(record.Snapshots);
        trajectory = new FlowTrajectory(Spec.Count, Spec.Dimension, snapshots, record.Diagnostics, record.Steps, record.Rejected, record.FinalTime);
        return trajectory;
    }
}
