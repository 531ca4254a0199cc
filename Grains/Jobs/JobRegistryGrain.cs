using System.Globalization;
using Microsoft.Extensions.Configuration;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The cluster's list of jobs (see <see cref="IJobRegistryGrain"/>), kept in the cluster's default grain storage
/// (<c>Transport:Storage</c>: Redis in a cluster, so the list survives the loss of the silo that held it) and on its
/// activation, which a timer keeps alive. Every minute it releases the jobs that ended longer than the retention ago (<c>Transport:JobRetention</c>, a
/// TimeSpan such as <c>24:00:00</c>; default 24 hours), which frees their shards.
/// </summary>
public sealed class JobRegistryGrain : Grain, IJobRegistryGrain
{
    /// <summary>Retention of ended jobs when <c>Transport:JobRetention</c> is not set.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(24);

    /// <summary>How long admission waits for a counted job's coordinator to say its state.</summary>
    private static readonly TimeSpan ReconcileTimeout = TimeSpan.FromSeconds(5);

    private readonly IPersistentState<JobRegistryState> state;
    private readonly TimeSpan retention;

    /// <summary>Reads the retention from the silo's configuration; the list from the default grain storage.</summary>
    public JobRegistryGrain(IConfiguration configuration, [PersistentState("jobs")] IPersistentState<JobRegistryState> state)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        this.state = state;
        var text = configuration["Transport:JobRetention"];

        // As the silo's settings read it: plain seconds ("30") or a time span ("24:00:00").
        retention = string.IsNullOrWhiteSpace(text)
            ? DefaultRetention
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero
                    ? parsed
                    : throw new InvalidOperationException($"Transport:JobRetention: '{text}' is not a positive duration (30 or 24:00:00)");
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, Math.Max(TimeSpan.FromSeconds(1).Ticks, retention.Ticks / 4)));
        this.RegisterGrainTimer(ExpireAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = true });
        return base.OnActivateAsync(cancellationToken);
    }

    private Dictionary<string, JobRecord> Jobs => state.State.Jobs;

    /// <inheritdoc />
    public async Task AdmitAsync(string id, string kind, int maxConcurrent)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(kind);
        if (Jobs.TryGetValue(id, out var listed) && listed.Kind != kind)
        {
            // The coordinators of each kind are grains of their own under the same ids: admitting a flow "x" while a
            // Sinkhorn "x" is listed replaced its record, leaving that job (and its shards) unlisted, uncounted and out
            // of reach of 'runs release'.
            throw new JobInputException("id", $"id: '{id}' is listed as a {listed.Kind} job ({listed.State}); release it or use another id");
        }

        if (Holding(id).Count >= maxConcurrent)
        {
            // At the limit: make sure the places are really held (a coordinator lost with its silo reports nothing).
            await ReconcileAsync(Holding(id));
        }

        var holding = Holding(id);
        if (holding.Count >= maxConcurrent)
        {
            var field = JobLimits.Name(nameof(JobLimits.MaxConcurrentJobs));
            throw new JobInputException(field, $"{field}: {holding.Count} jobs are created or running ({string.Join(", ", holding.Take(5).Select(j => j.Id))}{(holding.Count > 5 ? ", ..." : string.Empty)}), the configured limit is {maxConcurrent}; retry when one ends");
        }

        var now = DateTimeOffset.UtcNow;
        Jobs[id] = new JobRecord(id, kind, null, "admitted", JobState.Created, now, now);
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task RecordAsync(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Jobs[record.Id] = Jobs.TryGetValue(record.Id, out var known) && known.Kind == record.Kind
            ? record with { Created = known.Created }
            : record;
        return state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ListAsync() =>
        Task.FromResult<IReadOnlyList<JobRecord>>([.. Jobs.Values.OrderBy(j => j.Created).ThenBy(j => j.Id, StringComparer.Ordinal)]);

    /// <inheritdoc />
    public Task<JobRecord?> GetAsync(string id) => Task.FromResult(Jobs.GetValueOrDefault(id));

    /// <inheritdoc />
    public Task ForgetAsync(string id, string kind) =>
        Jobs.TryGetValue(id, out var listed) && listed.Kind == kind && Jobs.Remove(id) ? state.WriteStateAsync() : Task.CompletedTask;

    /// <summary>The jobs that hold a place among the concurrent ones (created or running), <paramref name="except"/> excluded.</summary>
    private List<JobRecord> Holding(string except) =>
        [.. Jobs.Values.Where(j => (j.State is JobState.Created or JobState.Running) && j.Id != except).OrderBy(j => j.Created)];

    /// <summary>
    /// Asks each job's coordinator for its state and records it: an ended job frees its place, and a coordinator that no
    /// longer holds its job (reactivated after its silo died) marks it failed. A coordinator that does not answer within
    /// <see cref="ReconcileTimeout"/> keeps its place (it may be busy; the limit stays conservative).
    /// </summary>
    private async Task ReconcileAsync(List<JobRecord> holding)
    {
        var changed = false;
        foreach (var job in holding)
        {
            var current = await JobGrains.StateAsync(GrainFactory, job, ReconcileTimeout);
            if (current is { } known && known == job.State)
            {
                continue;
            }

            Jobs[job.Id] = current is { } ended
                ? job with { State = ended, Updated = DateTimeOffset.UtcNow }
                : job with { State = JobState.Failed, Updated = DateTimeOffset.UtcNow, Error = "lost: its coordinator no longer holds it (a silo was lost)" };
            changed = true;
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    private async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var expired = Jobs.Values
            .Where(j => j.State is JobState.Completed or JobState.Failed or JobState.Cancelled && now - j.Updated > retention)
            .ToList();
        foreach (var job in expired)
        {
            // The coordinator releases its shards and forgets itself here.
            await JobGrains.ReleaseAsync(GrainFactory, job);
            Jobs.Remove(job.Id);
        }

        if (expired.Count > 0)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }
}

/// <summary>The registry's stored state: every listed job by id.</summary>
[GenerateSerializer]
[Alias("Transport.JobRegistryState")]
public sealed class JobRegistryState
{
    /// <summary>Every listed job by id.</summary>
    [Id(0)]
    public Dictionary<string, JobRecord> Jobs { get; set; } = new(StringComparer.Ordinal);
}
