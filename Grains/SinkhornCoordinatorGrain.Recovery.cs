using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
    private SinkhornShardSeal[] sourceSeals = [];
    private SinkhornShardSeal[] targetSeals = [];
    private readonly List<SinkhornTerm> finishedTerms = [];
    private int checkpointsWritten;
    private int recoveries;

    private CheckpointOptions Checkpointing => ServiceProvider.GetService<IOptions<CheckpointOptions>>()?.Value ?? new CheckpointOptions();

    /// <summary>Seals every shard's block when checkpoints are on (before the run starts).</summary>
    private async Task SealShardsAsync()
    {
        finishedTerms.Clear();
        (checkpointsWritten, recoveries) = (0, 0);
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
            var plain = new DistributedSinkhornBackend(GrainFactory, problemId, sourceOffsets, targetOffsets, term);
            return await SinkhornSolver.SolveOnBackendAsync(plain, solveOptions, sourceCount, targetCount, box, term != SinkhornTerm.Cross, term.Name(), evaluatePlan, ReportProgress, token);
        }

        var sink = new SinkhornCheckpointSink(settings);
        while (true)
        {
            var committed = sink.Committed;
            var backend = new DistributedSinkhornBackend(GrainFactory, problemId, sourceOffsets, targetOffsets, term) { ResumeSlot = committed?.Slot };
            sink.Backend = backend;
            try
            {
                var output = await SinkhornSolver.SolveOnBackendAsync(
                    backend, solveOptions, sourceCount, targetCount, box, term != SinkhornTerm.Cross, term.Name(), evaluatePlan, ReportProgress, sink, committed?.State, token);

                // The finished solve's potentials and map, for a shard lost before the client has downloaded them.
                await backend.SaveCheckpointAsync(CheckpointSlots.Final);
                finishedTerms.Add(term);
                checkpointsWritten += sink.Written;
                return output;
            }
            catch (Exception ex) when (SiloLoss.Explains(ex) && !token.IsCancellationRequested && recoveries < settings.MaxRecoveries)
            {
                recoveries++;
                await RecoverShardsAsync(settings, token);
                if (sink.Committed is null)
                {
                    // No checkpoint yet: the solve restarts from zero potentials on every shard, as the first attempt did.
                    await backend.ReleaseAsync();
                }
            }
        }
    }

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
                Verify(await Task.WhenAll(sourceShards.Select(s => s.RecoverAsync())), sourceSeals, "source");
                Verify(await Task.WhenAll(targetShards.Select(s => s.RecoverAsync())), targetSeals, "target");
                foreach (var term in finishedTerms)
                {
                    var restored = new DistributedSinkhornBackend(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, term) { ResumeSlot = CheckpointSlots.Final };
                    await restored.InstallAsync(new SinkhornInstall(null, null, null, null, null, options!, term != SinkhornTerm.Cross), token);
                }

                return;
            }
            catch (Exception ex) when (SiloLoss.Explains(ex) && clock.Elapsed < settings.RecoveryTimeout)
            {
                // The membership has not settled yet (calls still reach the dead silo): try again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(500), token);
            }
        }
    }

    /// <summary>Every shard holds the rows and the mass it sealed (bit for bit: the same weights summed in the same order).</summary>
    private static void Verify(SinkhornShardSeal[] found, SinkhornShardSeal[] sealedSeals, string cloud)
    {
        for (var k = 0; k < found.Length; k++)
        {
            if (found[k] != sealedSeals[k])
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{cloud} shard {k} holds {found[k].Count} rows of mass {found[k].Mass:R} after recovery, but sealed {sealedSeals[k].Count} rows of mass {sealedSeals[k].Mass:R}"));
            }
        }
    }
}
