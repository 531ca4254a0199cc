using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Client;
using Transport.Grains.Interfaces;
using Transport.Numerics.IO;
using Transport.Silo;

namespace Transport.Cluster.Tests;

/// <summary>
/// <c>kill -9</c> of the silo running a job's coordinator (and, as placed, some of its shards) while the job runs, for a
/// Sinkhorn divergence, a flow and a sampling study: the job resumes on the survivors from its last checkpoint, with the
/// console attached or after a detached submission, and ends with the embedded run's numbers.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class SiloLossDuringJobTests(RedisClusterFixture cluster) : IDisposable
{
    private const int N = 1500;
    private const int Dimension = 2;
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    /// <summary>Each kind, with the console attached or after a detached submission collected by <c>runs wait</c> and <c>runs fetch</c>.</summary>
    [Theory]
    [InlineData("sinkhorn", false)]
    [InlineData("sinkhorn", true)]
    [InlineData("flow", false)]
    [InlineData("flow", true)]
    [InlineData("sample", false)]
    [InlineData("sample", true)]
    public async Task A_run_whose_coordinators_silo_is_killed_completes_with_the_embedded_result(string kind, bool detached)
    {
        var arguments = Problem(kind);
        var embedded = jobs.Out($"silo-loss-{kind}-embedded");
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
        var output = jobs.Out($"silo-loss-{kind}-{(detached ? "detached" : "attached")}");

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

        // Once the job is running and has checkpointed (the silos checkpoint every second), kill the silo that runs its
        // coordinator (and, as placed, some of its shards).
        var (coordinator, progressed) = Coordinator(grains, kind, id);
        await Machine.WaitUntilAsync(progressed, TimeSpan.FromMinutes(2), () => $"job {id} did not get going");
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

        switch (kind)
        {
            case "sinkhorn":
                Jobs.AssertSameResult(embedded, output);
                var result = Jobs.Json(Path.Combine(output, "result.json"));
                Assert.True(result.GetProperty("recoveries").GetInt32() >= 1, "the job did not record its recovery");
                Assert.True(result.GetProperty("checkpoints").GetInt32() >= 1);
                break;
            case "flow":
                Jobs.AssertSameArray(Path.Combine(embedded, "final.npy"), Path.Combine(output, "final.npy"));
                var summary = Jobs.Json(Path.Combine(output, "summary.json"));
                var reference = Jobs.Json(Path.Combine(embedded, "summary.json"));
                Assert.Equal(reference.GetProperty("steps").GetInt64(), summary.GetProperty("steps").GetInt64());
                Assert.Equal(reference.GetProperty("snapshots").GetInt32(), summary.GetProperty("snapshots").GetInt32());
                var (e, a) = (reference.GetProperty("final_energy").GetDouble(), summary.GetProperty("final_energy").GetDouble());
                Assert.True(Math.Abs(e - a) <= 1e-9 * Math.Abs(e), $"final energy: expected {e:R}, got {a:R}");
                Assert.True(summary.GetProperty("recoveries").GetInt32() >= 1, "the flow did not record its recovery");
                Assert.True(summary.GetProperty("checkpoints").GetInt32() >= 1);
                break;
            default:
                // The study's coordinator was on the victim: it was resumed (from its sealed inputs) on a survivor.
                Jobs.AssertSameArray(Path.Combine(embedded, "samples.npy"), Path.Combine(output, "samples.npy"));
                break;
        }
    }

    /// <summary>A run of <paramref name="kind"/> of a few seconds on this machine (the kill must land while it runs).</summary>
    private string[] Problem(string kind)
    {
        var random = new Random(5);
        double Next() => (2 * random.NextDouble()) - 1;
        switch (kind)
        {
            case "sinkhorn":
                var x = jobs.Out("loss-x.npy");
                var y = jobs.Out("loss-y.npy");
                NpyArray.WriteFloat64(x, [.. Enumerable.Range(0, N * Dimension).Select(_ => Next())], N, Dimension);
                NpyArray.WriteFloat64(y, [.. Enumerable.Range(0, N * Dimension).Select(_ => 0.3 + Next())], N, Dimension);
                return ["sinkhorn", "--source", x, "--target", y, "--epsilon", "0.002", "--tolerance", "1e-9", "--shards", "3", "--divergence", "--quiet"];
            case "flow":
                var spec = jobs.Out("loss-flow.json");
                File.WriteAllText(spec, """
                    {"model": "sinkhorn-flow", "epsilon": 0.02,
                     "initial": {"generator": "gaussian", "n": 300, "dim": 2, "mean": [-1.0, 0.0], "std": 0.3, "seed": 3},
                     "target": {"generator": "ring", "n": 250, "radius": 1.0, "noise": 0.05, "center": [1.0, 0.0], "seed": 4},
                     "integrator": "euler", "step": 0.04, "t_end": 1.2, "snapshot_every": 5, "shards": 3}
                    """);
                return ["flow", "--spec", spec, "--quiet"];
            default:
                var data = jobs.Out("loss-data.npy");
                NpyArray.WriteFloat64(data, [.. Enumerable.Range(0, 1500 * Dimension).Select(_ => Next())], 1500, Dimension);
                return ["sample", "--target", data, "--schedule", "linear", "--sampler", "sde", "--steps", "100,200", "--n", "2000", "--shards", "2", "--particle-shards", "3", "--quiet"];
        }
    }

    /// <summary>The coordinator of job <paramref name="id"/> and a check that it has run long enough to have checkpointed.</summary>
    private static (IGrain Coordinator, Func<Task<bool>> Progressed) Coordinator(IClusterClient grains, string kind, string id)
    {
        switch (kind)
        {
            case "sinkhorn":
                var sinkhorn = grains.GetGrain<ISinkhornCoordinatorGrain>(id);
                return (sinkhorn, async () => (await sinkhorn.GetStatusAsync()) is { State: JobState.Running, Progress.Iteration: > 30 });
            case "flow":
                var flow = grains.GetGrain<IFlowCoordinatorGrain>(id);
                // 30 steps, each three Sinkhorn solves driven over the shards: killed a third of the way in.
                return (flow, async () => (await flow.GetStatusAsync()) is { State: JobState.Running, Progress.Step: > 10 });
            default:
                // A study reports a line per run; its runs checkpoint on their own. Two seconds of running covers a checkpoint.
                var study = grains.GetGrain<ISampleStudyCoordinatorGrain>(id);
                var running = System.Diagnostics.Stopwatch.StartNew();
                return (study, async () =>
                {
                    var status = await study.GetStatusAsync();
                    Assert.False(status.IsTerminal, $"the study ended ({status.State}) before the silo could be killed");
                    if (status.State != JobState.Running)
                    {
                        running.Restart();
                    }

                    return running.Elapsed > TimeSpan.FromSeconds(2);
                });
        }
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
