using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Client;
using Transport.Grains.Interfaces;
using Transport.Numerics.IO;
using Transport.Silo;

namespace Transport.Cluster.Tests;

/// <summary>
/// <c>kill -9</c> of the silo running a Sinkhorn job's coordinator (and, as placed, some of its shards) while the job
/// runs: the job resumes on the survivors from its last checkpoint, with the console attached or after a detached
/// submission, and ends with the embedded run's numbers.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class SiloLossDuringJobTests(RedisClusterFixture cluster) : IDisposable
{
    private const int N = 1500;
    private const int Dimension = 2;
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sinkhorn_run_whose_coordinators_silo_is_killed_completes_with_the_embedded_result(bool detached)
    {
        var arguments = await ProblemAsync();
        var embedded = jobs.Out("silo-loss-embedded");
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            var code = await TransportCli.RunAsync([.. arguments, "--out", embedded], stdout, stderr, CancellationToken.None);
            Assert.True(code == 0, $"embedded run: exit {code}; {stderr}");
        }

        // One silo more, so that the cluster keeps three after the kill.
        await cluster.StartSiloAsync();
        using var host = await ClientAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        var label = $"silo-loss-{Guid.NewGuid():N}"[..24];
        string[] onCluster = [.. arguments, "--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId, "--label", label];
        var output = jobs.Out(detached ? "silo-loss-detached" : "silo-loss-attached");

        using var attached = detached ? null : ChildProcess.Start(Machine.Dotnet, [Machine.ClientDll, .. onCluster, "--out", output]);
        string id;
        if (detached)
        {
            var submitted = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. onCluster, "--detach"], TimeSpan.FromMinutes(2));
            Assert.True(submitted.ExitCode == 0, submitted.ToString());
            id = submitted.Stdout.Trim();
        }
        else
        {
            id = await RunningJobAsync(grains, label);
        }

        // Once the job is running and has checkpointed, kill the silo that runs its coordinator.
        var coordinator = grains.GetGrain<ISinkhornCoordinatorGrain>(id);
        await Machine.WaitUntilAsync(async () => (await coordinator.GetStatusAsync()) is { State: JobState.Running, Progress.Iteration: > 30 }, TimeSpan.FromMinutes(2), () => $"job {id} did not get going");
        var home = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(coordinator) ?? throw new InvalidOperationException($"job {id} has no activation");
        var victim = cluster.Live.Single(s => s.SiloPort == home.Endpoint.Port);
        RedisClusterFixture.KillHard(victim);

        if (detached)
        {
            string[] target = ["--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId];
            var waited = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, "runs", "wait", id, "--quiet", .. target], TimeSpan.FromMinutes(4));
            Assert.True(waited.ExitCode == 0, waited.ToString());
            var fetched = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, "runs", "fetch", id, "--out", output, .. target], TimeSpan.FromMinutes(2));
            Assert.True(fetched.ExitCode == 0, fetched.ToString());
        }
        else
        {
            var run = await attached!.WaitAsync(TimeSpan.FromMinutes(4));
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        Jobs.AssertSameResult(embedded, output);
        var result = Jobs.Json(Path.Combine(output, "result.json"));
        Assert.True(result.GetProperty("recoveries").GetInt32() >= 1, "the job did not record its recovery");
        Assert.True(result.GetProperty("checkpoints").GetInt32() >= 1);
    }

    /// <summary>A Sinkhorn divergence of a few seconds on this machine (the kill must land while it runs).</summary>
    private async Task<string[]> ProblemAsync()
    {
        var random = new Random(5);
        double Next() => (2 * random.NextDouble()) - 1;
        var x = jobs.Out("loss-x.npy");
        var y = jobs.Out("loss-y.npy");
        NpyArray.WriteFloat64(x, [.. Enumerable.Range(0, N * Dimension).Select(_ => Next())], N, Dimension);
        NpyArray.WriteFloat64(y, [.. Enumerable.Range(0, N * Dimension).Select(_ => 0.3 + Next())], N, Dimension);
        await Task.CompletedTask;
        return ["sinkhorn", "--source", x, "--target", y, "--epsilon", "0.002", "--tolerance", "1e-9", "--shards", "3", "--divergence", "--quiet"];
    }

    /// <summary>An Orleans client of the shared cluster (through its Redis membership), for the test's own questions.</summary>
    private async Task<IHost> ClientAsync()
    {
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseOrleansClient(client => client.AddTransportRedisClient(new TransportSiloOptions { ClusterId = cluster.ClusterId }, cluster.Redis.Connection))
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The id of the running job with <paramref name="label"/> (the attached console does not print it).</summary>
    private static async Task<string> RunningJobAsync(IClusterClient grains, string label)
    {
        string? id = null;
        await Machine.WaitUntilAsync(
            async () =>
            {
                var listed = await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync();
                id = listed.FirstOrDefault(j => j.Label == label && j.State == JobState.Running)?.Id;
                return id is not null;
            },
            TimeSpan.FromMinutes(2),
            () => $"no running job labelled {label}");
        return id!;
    }
}
