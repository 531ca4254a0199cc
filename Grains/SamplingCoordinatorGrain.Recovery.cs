using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// Checkpoints and recovery of a sampling run: data and particle shards seal their blocks before the run, the driver
/// checkpoints after steps (<see cref="SamplingCheckpointSink"/>), and when a shard call fails because a silo died the
/// coordinator waits until every shard answers again (data shards first: the particles' denoiser queries them), rolls
/// every particle shard back to the committed checkpoint (counts checked) and resumes the driver from the state saved
/// with it. A lost coordinator is re-activated by its reminder or a client's poll and does the same from its record.
/// The finished particles go to a final slot, so that they can be downloaded after any silo's loss.
/// </summary>
public sealed partial class SamplingCoordinatorGrain
{
    private ShardSeal[] particleSeals = [];
    private ShardSeal[] dataSeals = [];
    private SamplingCommitted? committed;
    private bool finished;
    private int checkpointsWritten;

    /// <inheritdoc />
    protected override bool IsDurable(SamplingJobSpec spec) => true;

    /// <inheritdoc />
    protected override byte[]? CaptureRunState() =>
        NumericsJson.Serialize(new SamplingDurableRun(particleSeals, dataSeals, committed, finished, checkpointsWritten, Recoveries));

    /// <inheritdoc />
    protected override void RestoreRunState(SamplingJobSpec spec, byte[]? state)
    {
        Layout(spec);
        if (state is null)
        {
            return;
        }

        var run = NumericsJson.Deserialize<SamplingDurableRun>(state);
        (particleSeals, dataSeals, committed, finished, checkpointsWritten, Recoveries) = (run.ParticleSeals, run.DataSeals, run.Committed, run.Finished, run.CheckpointsWritten, run.Recoveries);
    }

    /// <summary>Seals every shard's block when checkpoints are on (after the shards are prepared).</summary>
    private async Task SealShardsAsync()
    {
        (committed, finished, checkpointsWritten, Recoveries) = (null, false, 0, 0);
        if (!Checkpointing.Enabled)
        {
            (particleSeals, dataSeals) = ([], []);
            return;
        }

        dataSeals = await Task.WhenAll(dataShards.Select(s => s.SealAsync()));
        particleSeals = await Task.WhenAll(particleShards.Select(s => s.SealAsync()));
    }

    /// <summary>
    /// Runs the sampler with checkpoints; when a silo dies under it, rolls back and resumes, at most
    /// <see cref="CheckpointOptions.MaxRecoveries"/> times over the job. Ends with the particles in the final slot.
    /// </summary>
    private async Task<SamplingReport> RunCheckpointedAsync(SamplingJobSpec spec, IProgress<SamplingProgress> progress, CancellationToken token)
    {
        var settings = Checkpointing;
        await RollBackIfResumedAsync(() => RollBackAsync(settings, token));

        return await WithRecoveryAsync(
            async () =>
            {
                var sink = new SamplingCheckpointSink(settings, particleShards, particleSeals, committed, OnCommittedAsync);
                var backend = new DistributedSamplingBackend(particleShards);
                var report = await SamplingDriver.RunAsync(backend, options!, SamplingModel.Schedule(spec), progress, sink, committed?.State, token);
                await Task.WhenAll(particleShards.Select(s => s.SaveCheckpointAsync(SamplingCheckpointSlots.Final)));
                finished = true;
                return report;
            },
            () => RollBackAsync(settings, token),
            token);

        async Task OnCommittedAsync(SamplingCommitted checkpoint)
        {
            committed = checkpoint;
            checkpointsWritten = checkpoint.Number;
            await PersistAsync();
        }
    }

    /// <summary>
    /// Waits until every shard answers again: data shards recovered (their blocks read back), particle shards rolled back to
    /// <paramref name="slot"/> (the committed checkpoint by default; the sealed start when there is none), counts and
    /// masses checked against the seals.
    /// </summary>
    private async Task RollBackAsync(CheckpointOptions settings, CancellationToken token, int? slot = null)
    {
        var clock = Stopwatch.StartNew();
        var target = slot ?? committed?.Slot;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            try
            {
                ShardSeals.Verify(await Task.WhenAll(dataShards.Select(s => s.RecoverAsync())), dataSeals, "data", "after recovery");
                ShardSeals.Verify(await Task.WhenAll(particleShards.Select(s => s.RestoreAsync(target))), particleSeals, "particles", "after recovery");
                return;
            }
            catch (Exception ex) when (SiloLoss.IsTransient(ex) && clock.Elapsed < settings.RecoveryTimeout)
            {
                // The membership has not settled yet (calls still reach the dead silo), or the storage did not answer: try again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(500), token);
            }
        }
    }

    /// <summary>The finished particles from the shards; a shard lost since the run ended gives them back from its final slot.</summary>
    private async Task<double[]> GatherFinishedAsync()
    {
        try
        {
            return await GatherSamplesAsync();
        }
        catch (Exception ex) when (SiloLoss.Explains(ex))
        {
            Recoveries++;
            await RollBackAsync(Checkpointing, CancellationToken.None, SamplingCheckpointSlots.Final);
            return await GatherSamplesAsync();
        }
    }

    /// <summary>
    /// The finished samples: gathered at the end of the run, or (by an activation that replaced the one that ran it, or
    /// after a shard's silo died) read back from the shards' final slots.
    /// </summary>
    private async Task<double[]> SamplesAsync()
    {
        if (samples.Length > 0 || !Checkpointing.Enabled || !finished)
        {
            return samples;
        }

        await RollBackAsync(Checkpointing, CancellationToken.None, SamplingCheckpointSlots.Final);
        samples = await GatherSamplesAsync();
        return samples;
    }
}
