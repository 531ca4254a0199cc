using System.Diagnostics;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The one job client, for every job kind: submits a job (create, the kind's uploads, start), waits for it with
/// progress (cancelling it in the cluster when the caller cancels), maps every terminal state the same way, and
/// downloads the kind's outputs. Terminal states: completed returns the outputs; failed on an input field throws
/// <see cref="JobInputException"/> (the console's exit code 2); cancelled by the caller throws
/// <see cref="OperationCanceledException"/> (130); cancelled by someone else or failed otherwise throws
/// <see cref="JobFailedException"/> (1).
/// </summary>
/// <param name="grains">The cluster's grain factory.</param>
public sealed class JobClient(IGrainFactory grains)
{
    /// <summary>How often <see cref="WaitAsync"/> asks for the status unless told otherwise.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often the status is polled.</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>How long one status poll may take before it is treated as a lost coordinator and asked again.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="WaitAsync"/> keeps polling a coordinator whose silo is unreachable.</summary>
    public static readonly TimeSpan CoordinatorLossWait = TimeSpan.FromMinutes(2);

    /// <summary>Runs job <paramref name="jobId"/> end to end and returns its downloaded outputs.</summary>
    /// <typeparam name="TGrain">The kind's coordinator interface.</typeparam>
    /// <typeparam name="TSpec">The kind's spec.</typeparam>
    /// <typeparam name="TProgress">The kind's progress record.</typeparam>
    /// <typeparam name="TResult">The kind's scalar result.</typeparam>
    /// <typeparam name="TOutput">What the kind downloads.</typeparam>
    /// <param name="jobId">The job id (the coordinator's key).</param>
    /// <param name="spec">The job's spec.</param>
    /// <param name="upload">The kind's uploads, in order, after the job is created.</param>
    /// <param name="download">The kind's downloads once the job has completed.</param>
    /// <param name="progress">Called with every polled status.</param>
    /// <param name="phase">Called when the client moves to another phase ("uploading", "running", "downloading").</param>
    /// <param name="cancellationToken">Cancels the job in the cluster, then throws <see cref="OperationCanceledException"/>.</param>
    public async Task<TOutput> RunAsync<TGrain, TSpec, TProgress, TResult, TOutput>(
        string jobId,
        TSpec spec,
        Func<TGrain, Task> upload,
        Func<TGrain, Task<TOutput>> download,
        Action<JobStatus<TProgress>>? progress = null,
        Action<string>? phase = null,
        CancellationToken cancellationToken = default)
        where TGrain : IJobCoordinatorGrain<TSpec, TProgress, TResult>
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(download);
        TGrain coordinator;
        try
        {
            phase?.Invoke("uploading");
            coordinator = await SubmitAsync<TGrain, TSpec, TProgress, TResult>(jobId, spec, upload).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TryCancelAsync(grains.GetGrain<TGrain>(jobId));
            throw;
        }

        phase?.Invoke("running");
        var status = await WaitAsync(coordinator, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureCompleted(jobId, status);
        phase?.Invoke("downloading");
        return await ClusterRetry.RunAsync(() => download(coordinator), cancellationToken);
    }

    /// <summary>
    /// Creates job <paramref name="jobId"/>, makes the kind's uploads and starts it; returns its coordinator. A submission
    /// interrupted by a silo's loss is made again from its creation (<see cref="ClusterRetry"/>).
    /// </summary>
    public async Task<TGrain> SubmitAsync<TGrain, TSpec, TProgress, TResult>(string jobId, TSpec spec, Func<TGrain, Task> upload)
        where TGrain : IJobCoordinatorGrain<TSpec, TProgress, TResult>
    {
        ArgumentNullException.ThrowIfNull(upload);
        var coordinator = grains.GetGrain<TGrain>(jobId);
        var attempts = 0;
        await ClusterRetry.RunAsync(async () =>
        {
            // An earlier attempt whose start landed but whose answer was lost with a silo: the job (under this
            // submission's own id) already runs, and creating it again would be refused.
            if (attempts++ > 0)
            {
                try
                {
                    if (await coordinator.GetStatusAsync() is { State: JobState.Running or JobState.Completed })
                    {
                        return;
                    }
                }
                catch (InvalidOperationException)
                {
                    // "call CreateAsync first": the first attempt did not get as far as creating the job.
                }
            }

            await coordinator.CreateAsync(spec);
            await upload(coordinator);
            await coordinator.StartAsync();
        });
        return coordinator;
    }

    /// <summary>
    /// Polls until the job ends, reporting every status; when <paramref name="cancellationToken"/> is cancelled, asks the
    /// coordinator to cancel once and keeps polling until the run has stopped.
    /// </summary>
    public async Task<JobStatus<TProgress>> WaitAsync<TSpec, TProgress, TResult>(
        IJobCoordinatorGrain<TSpec, TProgress, TResult> coordinator,
        Action<JobStatus<TProgress>>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var cancelRequested = false;
        var unreachable = new System.Diagnostics.Stopwatch();
        while (true)
        {
            JobStatus<TProgress> status;
            try
            {
                // Bounded: a call sent just before the coordinator's silo died may otherwise wait the whole response
                // timeout; a fresh call is routed to the coordinator's new activation once the silo is declared dead.
                status = await coordinator.GetStatusAsync().WaitAsync(StatusTimeout, CancellationToken.None);
                unreachable.Reset();
            }
            catch (Exception ex) when (SiloLoss.Explains(ex) && (!unreachable.IsRunning || unreachable.Elapsed < CoordinatorLossWait))
            {
                // The coordinator's silo died: a durable job is resumed by its next activation (this poll, or its
                // reminder); until the membership has settled, calls fail. Keep asking for a while.
                unreachable.Start();
                await Task.Delay(PollInterval, CancellationToken.None);
                continue;
            }

            progress?.Invoke(status);
            if (status.IsTerminal)
            {
                return status;
            }

            if (cancellationToken.IsCancellationRequested && !cancelRequested)
            {
                cancelRequested = true;
                await coordinator.CancelAsync();
            }

            await Task.Delay(PollInterval, CancellationToken.None);
        }
    }

    /// <summary>Throws unless <paramref name="status"/> is completed, mapping the terminal state (see the class summary).</summary>
    public static void EnsureCompleted<TProgress>(string jobId, JobStatus<TProgress> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        switch (status.State)
        {
            case JobState.Completed:
                return;
            case JobState.Failed when status.ErrorField is { } field:
                // The run found its input wanting (e.g. a solver this build lacks): bad input, exit 2.
                throw new JobInputException(field, status.Error ?? $"{field}: rejected by the cluster");
            case JobState.Cancelled:
                throw new JobFailedException($"job {jobId} was cancelled in the cluster");
            case JobState.Failed:
                throw new JobFailedException($"job {jobId} failed in the cluster: {status.Error ?? "no reason given"}");
            default:
                throw new InvalidOperationException($"job {jobId} is still {status.State}");
        }
    }

    private static async Task TryCancelAsync<TSpec, TProgress, TResult>(IJobCoordinatorGrain<TSpec, TProgress, TResult> coordinator)
    {
        try
        {
            await coordinator.CancelAsync().WaitAsync(CancelTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The user asked to stop: a cluster that cannot be told is not a reason to hang or to fail differently.
            Debug.WriteLine($"cancelling job {coordinator.GetPrimaryKeyString()} failed: {ex.Message}");
        }
    }
}
