namespace Transport.Numerics.Transport;

/// <summary>Checkpoints of a dense solve on a backend that holds the points, and resuming from one.</summary>
internal sealed partial class SinkhornRun
{
    /// <summary>Where checkpoints go (null: none); only a dense solve on a backend holding the points takes them.</summary>
    public ISinkhornCheckpoints? Checkpoints { get; init; }

    /// <summary>Whether this run is a dense solve whose points and potentials live on the backend only.</summary>
    private bool OnBackendOnly => source is null && levelCount == 1;

    /// <summary>
    /// Continues from <paramref name="checkpoint"/> instead of the start: the schedule and the counters return to it;
    /// the backend must hold the checkpoint's potentials once installed (its install restores them).
    /// </summary>
    public void Resume(SinkhornRunCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!OnBackendOnly)
        {
            throw new InvalidOperationException("only a dense solve on a backend holding the points resumes from a checkpoint");
        }

        schedule.Restore(checkpoint.Schedule);
        evaluations[0] = checkpoint.KernelEvaluations;
        bytesExchanged[0] = checkpoint.BytesExchanged;
        iterationsPerLevel[0] = checkpoint.Iterations;
        sourceDual = checkpoint.SourceDual;
        report = checkpoint.Report;
    }

    /// <summary>After a committed iteration: saves a checkpoint when one is due.</summary>
    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (Checkpoints is { } checkpoints && OnBackendOnly && checkpoints.Due(schedule.Iterations))
        {
            await checkpoints.SaveAsync(new SinkhornRunCheckpoint(schedule.Capture(), evaluations[0], bytesExchanged[0], sourceDual, report), cancellationToken);
        }
    }
}
