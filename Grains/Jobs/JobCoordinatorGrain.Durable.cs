using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// A durable job: where checkpoints are on (a storage that outlives a silo), a job whose kind says so
/// (<see cref="IsDurable"/>) keeps its lifecycle in grain storage (spec, state, progress, result, and the kind's run
/// state: <see cref="CaptureRunState"/>) and a reminder while it runs. When its coordinator's silo dies, the next
/// activation (a client's poll, or the reminder with no client attached) reads the record back and, if the job was
/// running, resumes it (<see cref="Resumed"/>): the kind rebuilds its shards and continues from its last checkpoint.
/// </summary>
public abstract partial class JobCoordinatorGrain<TSpec, TProgress, TResult>
{
    private const string RecordName = "job";
    private const string ReminderName = "running-job";

    // The reminder's period: it only has to reactivate a lost coordinator, so once a minute is plenty.
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private GrainStore? durableStore;
    private TimeSpan elapsedBefore;

    // Recoveries made before a client last resumed the failed job.
    private int recoveriesBeforeResume;

    /// <summary>Whether the current run continues one that an earlier activation started (its silo was lost).</summary>
    protected bool Resumed { get; private set; }

    /// <summary>The cluster's checkpoint settings (off unless the silo host turned them on).</summary>
    protected CheckpointOptions Checkpointing => ServiceProvider.GetService<IOptions<CheckpointOptions>>()?.Value ?? new CheckpointOptions();

    /// <summary>Whether a job of <paramref name="spec"/> is kept in storage and resumed after its coordinator's loss.</summary>
    protected virtual bool IsDurable(TSpec spec) => false;

    /// <summary>The kind's run state to keep with the job (null: none).</summary>
    protected virtual byte[]? CaptureRunState() => null;

    /// <summary>Takes back the run state of a job read from storage by a new activation.</summary>
    protected virtual void RestoreRunState(TSpec spec, byte[]? state)
    {
    }

    private bool Durable => spec is { } job && Checkpointing.Enabled && IsDurable(job);

    /// <summary>The coordinator's own records in grain storage (the job record, and what the kind keeps beside it).</summary>
    private protected GrainStore DurableStore => durableStore ??= new GrainStore(ServiceProvider, this.GetGrainId());

    private Serializer Serializer => ServiceProvider.GetRequiredService<Serializer>();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (!Checkpointing.Enabled || await DurableStore.ReadBytesAsync(RecordName) is not { } bytes)
        {
            return;
        }

        var record = Serializer.Deserialize<DurableJob<TSpec, TProgress, TResult>>(bytes)
            ?? throw new InvalidDataException($"the stored record of job '{this.GetPrimaryKeyString()}' is empty");
        spec = record.Spec;
        result = record.Result;
        created = record.Created;
        updated = record.Updated;
        status = new JobStatus<TProgress>(record.State, record.Progress, record.Error, record.ErrorField);
        elapsedBefore = record.Elapsed;
        RestoreRunState(record.Spec, record.RunState);
        DelayDeactivation(JobLifetime);
        if (record.State == JobState.Running)
        {
            // The silo running this job died: continue it here, from its last checkpoint.
            Resumed = true;
            cancellation?.Dispose();
            cancellation = new CancellationTokenSource();
            runClock = Stopwatch.StartNew();
            _ = RunAsync(record.Spec, cancellation.Token);
        }
    }

    /// <inheritdoc />
    public async Task ResumeAsync()
    {
        var job = Spec;
        if (State != JobState.Failed)
        {
            throw new JobInputException("id", $"id: only a failed job can be resumed; job '{this.GetPrimaryKeyString()}' is {State}");
        }

        if (status!.ErrorField is not null || (status.Error?.StartsWith(AbandonedUpload, StringComparison.Ordinal) ?? false))
        {
            // Failed on its input (at its start or while running) or before its uploads were complete: there is nothing to
            // continue (the shards were freed when it failed), and the same input would fail again.
            throw new JobInputException("id", $"id: job '{this.GetPrimaryKeyString()}' failed on its input ({status.Error}); a resume would not change that: create it again with the input fixed");
        }

        if (!Durable)
        {
            throw new JobInputException("id", $"id: job '{this.GetPrimaryKeyString()}' has no checkpoint to resume from: this cluster keeps none (Transport:Storage=memory)");
        }

        // The same path as an activation that replaced a lost one: the kind rolls its shards back to the last checkpoint.
        // Each resume grants the job MaxRecoveries more.
        Resumed = true;
        recoveriesBeforeResume = Recoveries;
        cancellation?.Dispose();
        cancellation = new CancellationTokenSource();
        elapsedBefore = RunElapsed;
        runClock = Stopwatch.StartNew();
        SetStatus(status! with { State = JobState.Running, Error = null, ErrorField = null });
        DelayDeactivation(JobLifetime);
        await RecordAsync();
        await PersistAsync();
        await KeepAliveAsync(running: true);
        _ = RunAsync(job, cancellation.Token);
    }

    /// <summary>Times the run recovered from the loss of a silo (kept with the kind's run state).</summary>
    protected int Recoveries { get; set; }

    /// <summary>Whether the job may recover once more (each client's resume grants <see cref="CheckpointOptions.MaxRecoveries"/> more).</summary>
    protected bool RecoveriesLeft => Recoveries - recoveriesBeforeResume < Checkpointing.MaxRecoveries;

    /// <summary>
    /// In an activation that resumes a job (its predecessor was lost with its silo, or a client resumed the failed job):
    /// counts a recovery and runs <paramref name="rollBack"/> (the shards, some possibly lost too, back to the last
    /// checkpoint) before the run continues.
    /// </summary>
    protected async Task RollBackIfResumedAsync(Func<Task> rollBack)
    {
        ArgumentNullException.ThrowIfNull(rollBack);
        if (Resumed && Checkpointing.Enabled)
        {
            Recoveries++;
            await rollBack();
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> to its end; when a silo's loss fails it (see <see cref="SiloLoss"/>) and the job has
    /// recoveries left, counts a recovery, runs <paramref name="rollBack"/> (shards back to the last checkpoint) and tries
    /// again. Other failures, cancellation and a loss with no recovery left end the run.
    /// </summary>
    protected async Task<T> WithRecoveryAsync<T>(Func<Task<T>> attempt, Func<Task> rollBack, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(rollBack);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception ex) when (SiloLoss.Explains(ex) && !token.IsCancellationRequested && RecoveriesLeft)
            {
                Recoveries++;
                await rollBack();
            }
        }
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        // Its only purpose is to activate the coordinator of a running job (done by the time it is delivered).
        Task.CompletedTask;

    /// <summary>Writes the job's record when it is durable (after every change of state and every checkpoint).</summary>
    protected async Task PersistAsync()
    {
        if (!Durable || status is not { } current)
        {
            return;
        }

        var record = new DurableJob<TSpec, TProgress, TResult>
        {
            Spec = spec!,
            State = current.State,
            Progress = current.Progress,
            Error = current.Error,
            ErrorField = current.ErrorField,
            Result = result,
            Created = created,
            Updated = updated,
            Elapsed = RunElapsed,
            RunState = CaptureRunState(),
        };
        await DurableStore.WriteBytesAsync(RecordName, Serializer.SerializeToArray(record));
    }

    /// <summary>Keeps a reminder while a durable job runs, so that it is resumed even with no client attached.</summary>
    private async Task KeepAliveAsync(bool running)
    {
        if (!Durable)
        {
            return;
        }

        if (running)
        {
            await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        }
        else if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Deletes the job's record (it is being released).</summary>
    private async Task ForgetDurableAsync()
    {
        if (!Durable)
        {
            return;
        }

        await KeepAliveAsync(running: false);
        await DurableStore.ClearAsync(RecordName);
    }
}

/// <summary>A durable job's record in grain storage.</summary>
[GenerateSerializer]
[Alias("Transport.DurableJob`3")]
public sealed class DurableJob<TSpec, TProgress, TResult>
{
    /// <summary>The spec.</summary>
    [Id(0)]
    public TSpec Spec { get; set; } = default!;

    /// <summary>The lifecycle state.</summary>
    [Id(1)]
    public JobState State { get; set; }

    /// <summary>The latest progress.</summary>
    [Id(2)]
    public TProgress Progress { get; set; } = default!;

    /// <summary>Why it failed or was cancelled.</summary>
    [Id(3)]
    public string? Error { get; set; }

    /// <summary>The input field at fault.</summary>
    [Id(4)]
    public string? ErrorField { get; set; }

    /// <summary>The result once completed.</summary>
    [Id(5)]
    public TResult? Result { get; set; }

    /// <summary>When the job was created.</summary>
    [Id(6)]
    public DateTimeOffset Created { get; set; }

    /// <summary>When its state last changed.</summary>
    [Id(7)]
    public DateTimeOffset Updated { get; set; }

    /// <summary>Run time so far (across activations).</summary>
    [Id(8)]
    public TimeSpan Elapsed { get; set; }

    /// <summary>The kind's run state.</summary>
    [Id(9)]
    public byte[]? RunState { get; set; }
}
