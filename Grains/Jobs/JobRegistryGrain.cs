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

    private readonly IPersistentState<JobRegistryState> state;
    private readonly TimeSpan retention;

    /// <summary>Reads the retention from the silo's configuration; the list from the default grain storage.</summary>
    public JobRegistryGrain(IConfiguration configuration, [PersistentState("jobs")] IPersistentState<JobRegistryState> state)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        this.state = state;
        var text = configuration["Transport:JobRetention"];
        retention = string.IsNullOrWhiteSpace(text)
            ? DefaultRetention
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero
                ? parsed
                : throw new InvalidOperationException($"Transport:JobRetention: '{text}' is not a positive time span (e.g. 24:00:00)");
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
    public Task ForgetAsync(string id) => Jobs.Remove(id) ? state.WriteStateAsync() : Task.CompletedTask;

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
