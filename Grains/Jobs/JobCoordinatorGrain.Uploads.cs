using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The created job's side of the lifecycle: uploads are accepted only before the start and each renews the upload lease;
/// a job whose client stops uploading for <see cref="JobLimits.UploadLease"/> (killed mid-upload) fails as abandoned and
/// frees its shards, and so does a job whose start is refused for good.
/// </summary>
public abstract partial class JobCoordinatorGrain<TSpec, TProgress, TResult>
{
    /// <summary>How the error of a job failed by its upload lease begins.</summary>
    private const string AbandonedUpload = "upload abandoned";

    // The upload lease: when the created job last heard from its client, and the timer that watches it.
    private DateTimeOffset lastUpload;
    private IGrainTimer? leaseTimer;

    /// <summary>
    /// Fails the created job for input it can never start with once its uploads are complete (eps outside the clouds'
    /// range, say): the job ends <see cref="JobState.Failed"/> naming the field, its shards' memory goes now rather than
    /// at its release, and the refusal is returned for <see cref="PrepareRunAsync"/> to throw. An incomplete upload is
    /// not such a refusal: the client may still complete it (and the upload lease frees the job if it does not).
    /// </summary>
    protected async Task<JobInputException> FailAtStartAsync(JobInputException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        StopWatchingUploads();
        SetStatus(status! with { State = JobState.Failed, Error = refusal.Message, ErrorField = refusal.Field });

        // The registry first: GetStatusAsync interleaves, so a client could see the job failed while the registry (and
        // so 'runs list') still said Created for as long as the shards took to go.
        await RecordAsync();
        await ReleaseShardsAsync();
        return refusal;
    }

    /// <summary>
    /// Throws unless the job is created and not started (uploads are accepted only then); an accepted call renews the
    /// upload lease.
    /// </summary>
    protected TSpec RequireUploadable()
    {
        var job = Spec;
        switch (State)
        {
            case JobState.Created:
                lastUpload = DateTimeOffset.UtcNow;
                return job;
            case JobState.Failed or JobState.Cancelled:
                throw new InvalidOperationException($"the job is {State} ({status?.Error}); create it again to upload");
            default:
                throw new InvalidOperationException("uploads are accepted only before the job starts");
        }
    }

    /// <summary>
    /// Starts the upload lease of a created job: a timer checks, a few times per lease, that a chunk (or the start) came
    /// within <see cref="JobLimits.UploadLease"/>; a client killed mid-upload never sends one, so its job would hold its
    /// shards' memory forever.
    /// </summary>
    private void WatchUploads()
    {
        StopWatchingUploads();
        lastUpload = DateTimeOffset.UtcNow;
        var lease = Limits.UploadLease;
        var period = TimeSpan.FromTicks(Math.Clamp(lease.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks));

        // Not interleaved: a check never runs in the middle of an upload or a start.
        leaseTimer = this.RegisterGrainTimer(CheckLeaseAsync, new GrainTimerCreationOptions(period, period));
    }

    private void StopWatchingUploads()
    {
        leaseTimer?.Dispose();
        leaseTimer = null;
    }

    private async Task CheckLeaseAsync(CancellationToken cancellationToken)
    {
        if (State != JobState.Created || status is null)
        {
            // Started, cancelled or released: nothing more to watch.
            StopWatchingUploads();
            return;
        }

        var idle = DateTimeOffset.UtcNow - lastUpload;
        if (idle <= Limits.UploadLease)
        {
            return;
        }

        StopWatchingUploads();
        SetStatus(status with
        {
            State = JobState.Failed,
            Error = string.Create(CultureInfo.InvariantCulture, $"{AbandonedUpload}: no chunk for {idle.TotalSeconds:F1} s ({JobLimits.Name(nameof(JobLimits.UploadLease))} is {Limits.UploadLease})"),
        });

        // The registry first, as in FailAtStartAsync: the status (read interleaved) and the listing agree from now on.
        await RecordAsync();
        await ReleaseShardsAsync();
    }
}
