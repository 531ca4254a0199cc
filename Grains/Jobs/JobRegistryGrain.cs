using System.Globalization;
using Microsoft.Extensions.Configuration;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// The cluster's list of jobs (see <see cref="IJobRegistryGrain"/>), in memory on its activation, which a timer keeps
/// alive. Every minute it releases the jobs that ended longer than the retention ago (<c>Transport:JobRetention</c>, a
/// TimeSpan such as <c>24:00:00</c>; default 24 hours), which frees their shards.
/// </summary>
public sealed class JobRegistryGrain : Grain, IJobRegistryGrain
{
    /// <summary>Retention of ended jobs when <c>Transport:JobRetention</c> is not set.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(24);

    private readonly Dictionary<string, JobRecord> jobs = new(StringComparer.Ordinal);
    private readonly TimeSpan retention;

    /// <summary>Reads the retention from the silo's configuration.</summary>
    public JobRegistryGrain(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
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

    /// <inheritdoc />
    public Task RecordAsync(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        jobs[record.Id] = jobs.TryGetValue(record.Id, out var known) && known.Kind == record.Kind
            ? record with { Created = known.Created }
            : record;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ListAsync() =>
        Task.FromResult<IReadOnlyList<JobRecord>>([.. jobs.Values.OrderBy(j => j.Created).ThenBy(j => j.Id, StringComparer.Ordinal)]);

    /// <inheritdoc />
    public Task<JobRecord?> GetAsync(string id) => Task.FromResult(jobs.GetValueOrDefault(id));

    /// <inheritdoc />
    public Task ForgetAsync(string id)
    {
        jobs.Remove(id);
        return Task.CompletedTask;
    }

    private async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var expired = jobs.Values
            .Where(j => j.State is JobState.Completed or JobState.Failed or JobState.Cancelled && now - j.Updated > retention)
            .ToList();
        foreach (var job in expired)
        {
            // The coordinator releases its shards and forgets itself here.
            await JobGrains.ReleaseAsync(GrainFactory, job);
            jobs.Remove(job.Id);
        }
    }
}
