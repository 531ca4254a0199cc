using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// The lifecycle every job coordinator shares (Sinkhorn, flow, sampling; key: the job id): create from a spec, upload
/// (kind-specific calls, in order, before the start), start, then status and cancel interleaved with the run, and the
/// result once completed. Creating again resets a job that is not running.
/// </summary>
/// <typeparam name="TSpec">The job kind's spec.</typeparam>
/// <typeparam name="TProgress">The job kind's progress record.</typeparam>
/// <typeparam name="TResult">The job kind's scalar result.</typeparam>
[Alias("Transport.IJobCoordinatorGrain`3")]
public interface IJobCoordinatorGrain<TSpec, TProgress, TResult> : IGrainWithStringKey
{
    /// <summary>Validates <paramref name="spec"/> (throws <see cref="JobInputException"/> naming the field) and lays out the shards.</summary>
    [Alias("Create")]
    Task CreateAsync(TSpec spec);

    /// <summary>Checks that every upload is complete and starts the run in the background.</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>Lifecycle state and progress (answered while the run is going).</summary>
    [Alias("GetStatus")]
    [AlwaysInterleave]
    Task<JobStatus<TProgress>> GetStatusAsync();

    /// <summary>
    /// Continues a failed job from its last checkpoint (a run that could not recover keeps it: its silos were lost more
    /// often than the cluster allows, or recovery timed out). Refused unless the job failed and the cluster keeps
    /// checkpoints.
    /// </summary>
    [Alias("Resume")]
    Task ResumeAsync();

    /// <summary>Requests cancellation; the run stops at its next step boundary.</summary>
    [Alias("Cancel")]
    [AlwaysInterleave]
    Task CancelAsync();

    /// <summary>The job's spec (as accepted: a client that did not submit the job reads its settings here).</summary>
    [Alias("GetSpec")]
    [AlwaysInterleave]
    Task<TSpec> GetSpecAsync();

    /// <summary>The scalar result of a completed job.</summary>
    [Alias("GetResult")]
    [AlwaysInterleave]
    Task<TResult> GetResultAsync();

    /// <summary>
    /// Frees the job: cancels it if it runs, releases its shards (their memory), removes it from the registry and
    /// deactivates the coordinator. Its results are gone afterwards.
    /// </summary>
    [Alias("Release")]
    [AlwaysInterleave]
    Task ReleaseAsync();
}
