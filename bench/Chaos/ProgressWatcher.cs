using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Grains.Interfaces;
using Transport.Silo;

namespace Transport.Bench.Chaos;

/// <summary>
/// The driver's own Orleans client of the chaos cluster: every <see cref="Period"/> it lists the registry and asks each
/// created or running job for its status, and records, per job label (every chaos job has one), the times its progress
/// changed (Sinkhorn: the iteration and error; flow: the step; sampling study: its phase and lines), its first sighting
/// and its end (the registry listing it as ended) included. A kill's cost to
/// a job it hit is then read off this timeline: the time from the kill until the job's progress next changed (see
/// <see cref="ChaosReport"/>). Each job is asked on its own (one call out at a time), stamped when its answer arrives;
/// a call to a coordinator lost with its silo times out after 2 s and counts as no progress; a registry that cannot be
/// read (its silo just died) skips one round.
/// </summary>
internal sealed class ProgressWatcher : IAsyncDisposable
{
    /// <summary>Time between two rounds (the resolution of the recovery times).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);
    private readonly IHost host;
    private readonly IClusterClient grains;
    private readonly ChaosJournal journal;
    private readonly CancellationTokenSource stop = new();
    private readonly Dictionary<string, (string? Last, List<TimeSpan> Changes)> jobs = new(StringComparer.Ordinal);
    private Task polling = Task.CompletedTask;

    private ProgressWatcher(IHost host, ChaosJournal journal)
    {
        this.host = host;
        this.journal = journal;
        grains = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Connects to the cluster (through its Redis membership) and starts polling.</summary>
    public static async Task<ProgressWatcher> StartAsync(LoopbackCluster cluster, ChaosJournal journal, CancellationToken token)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.AddTransportRedisClient(
            new TransportSiloOptions { ClusterId = cluster.ClusterId },
            string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{cluster.RedisPort}")));
        var host = builder.Build();
        await host.StartAsync(token);
        var watcher = new ProgressWatcher(host, journal);
        watcher.polling = watcher.PollAsync();
        return watcher;
    }

    /// <summary>The times (on the run's clock) the progress of the job labelled <paramref name="label"/> changed, first sighting included.</summary>
    public IReadOnlyList<TimeSpan> Changes(string label)
    {
        lock (jobs)
        {
            return jobs.TryGetValue(label, out var job) ? [.. job.Changes] : [];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await polling;
        await host.StopAsync(CancellationToken.None);
        host.Dispose();
        stop.Dispose();
    }

    private async Task PollAsync()
    {
        var registry = grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);
        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var listed = await registry.ListAsync().WaitAsync(CallTimeout);
                foreach (var job in listed.Where(j => j.Label is not null))
                {
                    // Ended jobs are not asked (their state is the registry's): their end is the last change.
                    if (job.State is not (JobState.Created or JobState.Running))
                    {
                        Record(job.Label!, $"ended {job.State}", journal.Now);
                        continue;
                    }

                    // Each job is asked on its own, and not again while its last call is out: a coordinator lost
                    // with its silo delays only its own job's next answer, not the others'.
                    lock (inFlight)
                    {
                        if (!inFlight.Add(job.Label!))
                        {
                            continue;
                        }
                    }

                    _ = AskAsync(job, inFlight);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                // The registry's silo just died, or the client is between gateways: the next round asks again.
            }

            try
            {
                await Task.Delay(Period, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task AskAsync(JobRecord job, HashSet<string> inFlight)
    {
        try
        {
            if (await ProgressKeyAsync(job) is { } key)
            {
                Record(job.Label!, key, journal.Now);
            }
        }
        finally
        {
            lock (inFlight)
            {
                inFlight.Remove(job.Label!);
            }
        }
    }

    private void Record(string label, string key, TimeSpan now)
    {
        lock (jobs)
        {
            var seen = jobs.TryGetValue(label, out var known) ? known : (null, new List<TimeSpan>());
            if (seen.Last != key)
            {
                seen.Changes.Add(now);
            }

            jobs[label] = (key, seen.Changes);
        }
    }

    /// <summary>What the job's progress says now, as text (null when its coordinator does not answer in time).</summary>
    private async Task<string?> ProgressKeyAsync(JobRecord job)
    {
        try
        {
            return job.Kind switch
            {
                "sinkhorn" => Key(await grains.GetGrain<ISinkhornCoordinatorGrain>(job.Id).GetStatusAsync().WaitAsync(CallTimeout)),
                "flow" => Key(await grains.GetGrain<IFlowCoordinatorGrain>(job.Id).GetStatusAsync().WaitAsync(CallTimeout)),
                "sample" => Key(await grains.GetGrain<ISampleStudyCoordinatorGrain>(job.Id).GetStatusAsync().WaitAsync(CallTimeout)),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    private static string Key<TProgress>(JobStatus<TProgress> status) =>
        status.Progress is SampleStudyProgress study
            ? $"{status.State} {study.RunsDone} {study.Phase} {string.Join('|', study.Lines)}"
            : $"{status.State} {status.Progress}";
}
