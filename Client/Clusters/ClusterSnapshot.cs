using System.Globalization;
using System.Text.Json;
using Transport.Grains;
using Transport.Grains.Interfaces;

namespace Transport.Client.Clusters;

/// <summary>
/// What <c>transport cluster status</c> shows of a running cluster: every silo the membership lists with its state,
/// its activations (all, and those of job grains: coordinators and shards, see <see cref="JobGrainTypes"/>), the
/// managed memory its garbage collector holds, and the jobs listed and running. Memory is Orleans' own runtime
/// statistic (<c>EnvironmentStatistics.RawMemoryUsageBytes</c>): the GC heap's committed bytes minus its
/// fragmentation, as of the silo's last collection; with <c>--gc</c> every active silo first runs a full
/// blocking collection (<c>IManagementGrain.ForceGarbageCollection</c>), so the figure is what survives a collection
/// rather than what the last one happened to leave.
/// </summary>
internal sealed record ClusterSnapshot(string Cluster, string ClusterId, IReadOnlyList<SiloSnapshot> Silos, int JobsListed, IReadOnlyList<string> Running)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Reads the snapshot through <paramref name="grains"/> (a client of the cluster).</summary>
    public static async Task<ClusterSnapshot> ReadAsync(IGrainFactory grains, string cluster, string clusterId, bool collect, CancellationToken token)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(false, token);
        var active = hosts.Where(h => h.Value == SiloStatus.Active).Select(h => h.Key).ToArray();
        if (collect)
        {
            await management.ForceGarbageCollection(active, token);
        }

        var statistics = await management.GetSimpleGrainStatistics(active, token);
        var runtime = await management.GetRuntimeStatistics(active, token);
        var memory = active.Zip(runtime).ToDictionary(p => p.First, p => (long?)p.Second.EnvironmentStatistics.RawMemoryUsageBytes);
        var jobs = await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync();
        var silos = hosts.OrderBy(h => h.Key.ToString(), StringComparer.Ordinal).Select(h =>
        {
            var grainTypes = statistics.Where(s => s.SiloAddress.Equals(h.Key))
                .GroupBy(s => s.GrainType, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
            return new SiloSnapshot(
                h.Key.ToString(),
                h.Value.ToString(),
                grainTypes.Values.Sum(),
                grainTypes.Where(t => JobGrainTypes.Contains(t.Key)).Sum(t => t.Value),
                memory.GetValueOrDefault(h.Key),
                grainTypes);
        }).ToList();
        return new ClusterSnapshot(cluster, clusterId, silos, jobs.Count, [.. jobs.Where(j => j.State == JobState.Running).Select(j => j.Id)]);
    }

    /// <summary>The table <c>cluster status</c> prints.</summary>
    public async Task WriteTextAsync(TextWriter stdout)
    {
        await stdout.WriteLineAsync($"cluster {Cluster} (cluster id {ClusterId})");
        await stdout.WriteLineAsync($"{"SILO",-28} {"STATE",-10} {"ACTIVATIONS",11} {"JOB GRAINS",10} {"MEMORY MB",9}");
        foreach (var silo in Silos)
        {
            var memory = silo.MemoryBytes is { } bytes ? (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "-";
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{silo.Address,-28} {silo.State,-10} {silo.Activations,11} {silo.JobGrains,10} {memory,9}"));
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Silos.Count(s => s.State == nameof(SiloStatus.Active))} active silos; {JobsListed} jobs listed, {Running.Count} running{(Running.Count == 0 ? string.Empty : ": " + string.Join(", ", Running))}"));
    }

    /// <summary>The same as JSON (<c>--json</c>): <c>silos</c> with <c>address</c>, <c>state</c>, <c>activations</c>, <c>job_grains</c>, <c>memory_bytes</c> (null for a silo that is not active) and <c>grains</c> (activations per grain type), then <c>jobs_listed</c> and <c>jobs_running</c>.</summary>
    public async Task WriteJsonAsync(TextWriter stdout)
    {
        var json = new Dictionary<string, object?>
        {
            ["cluster"] = Cluster,
            ["cluster_id"] = ClusterId,
            ["silos"] = Silos.Select(s => new Dictionary<string, object?>
            {
                ["address"] = s.Address,
                ["state"] = s.State,
                ["activations"] = s.Activations,
                ["job_grains"] = s.JobGrains,
                ["memory_bytes"] = s.MemoryBytes,
                ["grains"] = s.GrainTypes,
            }),
            ["jobs_listed"] = JobsListed,
            ["jobs_running"] = Running,
        };
        await stdout.WriteLineAsync(JsonSerializer.Serialize(json, Json));
    }
}

/// <summary>One silo in a <see cref="ClusterSnapshot"/>.</summary>
/// <param name="Address">Its Orleans address (<c>IP:PORT@GENERATION</c>).</param>
/// <param name="State">Its membership state (Active, Dead, ...).</param>
/// <param name="Activations">Grain activations it holds.</param>
/// <param name="JobGrains">Of them, activations of job grains (coordinators and shards).</param>
/// <param name="MemoryBytes">Managed memory its GC holds (null when it is not active).</param>
/// <param name="GrainTypes">Activations per grain type.</param>
internal sealed record SiloSnapshot(string Address, string State, int Activations, int JobGrains, long? MemoryBytes, IReadOnlyDictionary<string, int> GrainTypes);
