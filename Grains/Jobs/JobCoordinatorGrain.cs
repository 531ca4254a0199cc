using System.Diagnostics;
using Microsoft.Extensions.Options;
using Transport.Grains.Interfaces;
using Transport.Numerics;

namespace Transport.Grains;

/// <summary>
/// The lifecycle every job coordinator shares, written once: the state and progress, the result, cancellation, the
/// deactivation policy while a job lives, and the run wrapper (a telemetry activity per run; a cancelled run ends
/// <see cref="JobState.Cancelled"/>, an input error found by the run ends <see cref="JobState.Failed"/> with the field to
/// blame, any other failure ends <see cref="JobState.Failed"/> with its message), and admission (issue 12): a job is
/// checked against the silo's <see cref="JobLimits"/> and admitted by the job registry (concurrent jobs) after its spec is
/// validated and before anything is allocated; a created job whose uploads stop for <see cref="JobLimits.UploadLease"/>
/// fails as abandoned and frees its shards; a start refused for good (<see cref="FailAtStartAsync"/>) does too. A
/// concrete coordinator validates its spec (<see cref="ValidateJob"/>), states its demand (<see cref="Demand"/>), lays
/// out its shards (<see cref="CreateJobAsync"/>), checks its uploads and prepares its shards
/// (<see cref="PrepareRunAsync"/>), and runs (<see cref="RunJobAsync"/>), reporting progress with <see cref="Report"/>.
/// </summary>
/// <typeparam name="TSpec">The job kind's spec.</typeparam>
/// <typeparam name="TProgress">The job kind's progress record.</typeparam>
/// <typeparam name="TResult">The job kind's scalar result.</typeparam>
/// <param name="limits">The silo's admission limits and upload lease.</param>
public abstract partial class JobCoordinatorGrain<TSpec, TProgress, TResult>(IOptions<JobLimits> limits) : Grain, IJobCoordinatorGrain<TSpec, TProgress, TResult>, IDisposable, IRemindable
    where TSpec : class
    where TProgress : class
    where TResult : class
{
    /// <summary>How long a coordinator (and so its job's results) stays active without calls once it holds a job.</summary>
    protected static readonly TimeSpan JobLifetime = TimeSpan.FromHours(24);

    /// <summary>Longest label of a job: one line of <c>transport runs list</c>, kept in the registry with every record.</summary>
    public const int MaxLabelLength = 256;

    // Volatile: some runs report progress from off the grain scheduler (Task.Run).
    private volatile JobStatus<TProgress>? status;
    private TSpec? spec;
    private TResult? result;
    private CancellationTokenSource? cancellation;
    private Stopwatch runClock = new();
    private DateTimeOffset created;
    private DateTimeOffset updated;

    /// <summary>The silo's admission limits and upload lease.</summary>
    protected JobLimits Limits { get; } = limits?.Value ?? throw new ArgumentNullException(nameof(limits));

    /// <summary>The job kind, as in activity names ("sinkhorn", "flow", "sampling").</summary>
    protected abstract string Kind { get; }

    /// <summary>The job's spec (after <see cref="CreateAsync"/>).</summary>
    protected TSpec Spec => spec ?? throw new InvalidOperationException("call CreateAsync first");

    /// <summary>The current lifecycle state.</summary>
    protected JobState State => status?.State ?? JobState.Created;

    /// <summary>The latest progress (the initial one before the run).</summary>
    protected TProgress Progress => status?.Progress ?? throw new InvalidOperationException("call CreateAsync first");

    /// <summary>Time the run has taken so far, across activations (for the result's seconds).</summary>
    protected TimeSpan RunElapsed => elapsedBefore + runClock.Elapsed;

    /// <summary>The result of the completed run.</summary>
    protected TResult CompletedResult => result ?? throw new InvalidOperationException($"no result: the job is {State}");

    /// <inheritdoc />
    public void Dispose()
    {
        cancellation?.Dispose();
        leaseTimer?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public async Task CreateAsync(TSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (State == JobState.Running)
        {
            throw new InvalidOperationException($"job '{this.GetPrimaryKeyString()}' is running; cancel it or use another id");
        }

        // Admission, before anything is allocated: the spec's own checks, the silo's limits, then a place among the
        // cluster's concurrent jobs (the registry counts them; a refusal there leaves nothing behind).
        var validated = ValidateJob(spec);
        CheckLabel(Describe(validated).Label);
        Demand(validated).CheckAgainst(Limits);
        var id = this.GetPrimaryKeyString();
        await Registry.AdmitAsync(id, Kind, Limits.MaxConcurrentJobs);
        TSpec accepted;
        try
        {
            if (this.spec is not null)
            {
                // The id held a job: its shards go before the new layout is made, else those the new one does not reuse
                // (fewer shards, another kind of run) would hold their memory until their own idle timeout.
                await ReleaseShardsAsync();
            }

            accepted = await CreateJobAsync(validated);
        }
        catch
        {
            // Not created: the registry lists what this coordinator holds (a previous job under this id), or nothing.
            await (status is null ? Registry.ForgetAsync(id, Kind) : RecordAsync());
            throw;
        }

        this.spec = accepted;
        result = null;
        created = DateTimeOffset.UtcNow;
        SetStatus(new JobStatus<TProgress>(JobState.Created, InitialProgress(accepted)));
        (Resumed, elapsedBefore) = (false, TimeSpan.Zero);
        await RecordAsync();
        await PersistAsync();
        DelayDeactivation(JobLifetime);
        WatchUploads();
    }

    /// <inheritdoc />
    public async Task StartAsync()
    {
        var job = Spec;
        if (State != JobState.Created)
        {
            throw new InvalidOperationException($"the job is {State}; create it again to rerun");
        }

        await PrepareRunAsync(job);
        if (State != JobState.Created)
        {
            // Cancelled while the shards were preparing: do not start.
            return;
        }

        cancellation?.Dispose();
        cancellation = new CancellationTokenSource();
        SetStatus(status! with { State = JobState.Running });
        runClock = Stopwatch.StartNew();
        DelayDeactivation(JobLifetime);
        await RecordAsync();
        await PersistAsync();
        await KeepAliveAsync(running: true);
        _ = RunAsync(job, cancellation.Token);
    }

    /// <inheritdoc />
    public Task<JobStatus<TProgress>> GetStatusAsync() =>
        Task.FromResult(status ?? throw new InvalidOperationException("call CreateAsync first"));

    /// <inheritdoc />
    public async Task CancelAsync()
    {
        if (status is { State: JobState.Created } waiting)
        {
            SetStatus(waiting with { State = JobState.Cancelled, Error = "cancelled" });
            await RecordAsync();
            await PersistAsync();
        }

        cancellation?.Cancel();
    }

    /// <inheritdoc />
    public async Task ReleaseAsync()
    {
        cancellation?.Cancel();
        StopWatchingUploads();
        if (spec is not null)
        {
            await ReleaseShardsAsync();
        }

        await Registry.ForgetAsync(this.GetPrimaryKeyString(), Kind);
        await ForgetDurableAsync();
        spec = null;
        result = null;
        status = null;
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public Task<TResult> GetResultAsync() => Task.FromResult(CompletedResult);

    /// <inheritdoc />
    public Task<TSpec> GetSpecAsync() => Task.FromResult(Spec);

    /// <summary>
    /// Validates the spec (throws <see cref="JobInputException"/> naming the field) without allocating anything or
    /// changing the job this coordinator holds; returns the spec to admit.
    /// </summary>
    protected abstract TSpec ValidateJob(TSpec spec);

    /// <summary>What the validated <paramref name="spec"/> would take (points, shard blocks, dimension, memory), checked against <see cref="Limits"/>.</summary>
    protected abstract JobDemand Demand(TSpec spec);

    /// <summary>Lays out and resets the shards of the validated, admitted <paramref name="spec"/>; returns the spec to keep.</summary>
    protected abstract Task<TSpec> CreateJobAsync(TSpec spec);

    /// <summary>The progress before the run starts.</summary>
    protected abstract TProgress InitialProgress(TSpec spec);

    /// <summary>Checks that every upload is complete (throws <see cref="JobInputException"/>) and prepares the shards.</summary>
    protected abstract Task PrepareRunAsync(TSpec spec);

    /// <summary>The run itself; returns the result (progress goes through <see cref="Report"/>).</summary>
    protected abstract Task<TResult> RunJobAsync(TSpec spec, Activity? activity, CancellationToken cancellationToken);

    /// <summary>Releases every shard of the job (see <see cref="ReleaseAsync"/>).</summary>
    protected abstract Task ReleaseShardsAsync();

    /// <summary>The label and the one-line summary the registry lists for <paramref name="spec"/>.</summary>
    protected abstract (string? Label, string Summary) Describe(TSpec spec);

    /// <summary>Publishes the run's progress (ignored once the run has ended).</summary>
    protected void Report(TProgress progress)
    {
        if (status is { State: JobState.Running } running)
        {
            status = running with { Progress = progress };
        }
    }

    private async Task RunAsync(TSpec job, CancellationToken token)
    {
        using var activity = TransportTelemetry.ActivitySource.StartActivity($"{Kind}.run");
        activity?.SetTag("transport.job", this.GetPrimaryKeyString());
        try
        {
            var done = await RunJobAsync(job, activity, token);
            result = done;
            End(current => current with { State = JobState.Completed });
            activity?.SetStatus(ActivityStatusCode.Ok);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            End(current => current with { State = JobState.Cancelled, Error = "cancelled" });
        }
        catch (Exception ex) when (ex is JobInputException or InvalidInputException)
        {
            // Input the run itself found wanting: the client reports it as bad input (exit 2), naming the field.
            var field = ex is JobInputException input ? input.Field : ((InvalidInputException)ex).Field;
            End(current => current with { State = JobState.Failed, Error = ex.Message, ErrorField = field });
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
        catch (Exception ex)
        {
            End(current => current with { State = JobState.Failed, Error = ex.Message });
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }

        if (status is null)
        {
            // Released while it ran: nothing to record.
            return;
        }

        try
        {
            await PersistAsync();
            await KeepAliveAsync(running: false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outcome stays in this activation; only a later loss of this silo would forget it.
            activity?.AddEvent(new ActivityEvent($"job record not written: {ex.Message}"));
        }

        try
        {
            await RecordAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The listing lags; the job's own status is right.
            activity?.AddEvent(new ActivityEvent($"registry not updated: {ex.Message}"));
        }
    }

    private IJobRegistryGrain Registry => GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);

    /// <summary>Throws for a label longer than <see cref="MaxLabelLength"/> or holding a control character (a line break would split its listing).</summary>
    private static void CheckLabel(string? label)
    {
        if (label is null)
        {
            return;
        }

        if (label.Length > MaxLabelLength)
        {
            throw new JobInputException("label", $"label: {label.Length} characters, above the limit of {MaxLabelLength}");
        }

        var control = label.IndexOfAny([.. Enumerable.Range(0, 32).Select(c => (char)c), (char)127]);
        if (control >= 0)
        {
            throw new JobInputException("label", $"label: character {control} is a control character (U+{(int)label[control]:X4}); a label is one line of text");
        }
    }

    /// <summary>The end state of a run, unless the job was released while it ran (then there is no status to end).</summary>
    private void End(Func<JobStatus<TProgress>, JobStatus<TProgress>> change)
    {
        if (status is { } current)
        {
            SetStatus(change(current));
        }
    }

    private void SetStatus(JobStatus<TProgress> next)
    {
        if (next.State != status?.State)
        {
            updated = DateTimeOffset.UtcNow;
        }

        status = next;
    }

    /// <summary>Lists the job with its current state in the registry.</summary>
    private Task RecordAsync()
    {
        var current = status!;
        var (label, summary) = Describe(Spec);
        return Registry.RecordAsync(new JobRecord(this.GetPrimaryKeyString(), Kind, label, summary, current.State, created, updated, current.Error));
    }
}
