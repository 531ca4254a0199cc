namespace Transport.Cluster.Tests;

/// <summary>
/// Jobs from the console process on three silo processes clustered through Redis: the same results as the
/// embedded runs, through Redis membership or static gateways, and no primary silo: any silo may be killed between
/// jobs and the next job succeeds on the survivors.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class ClusterJobTests(RedisClusterFixture cluster) : IDisposable
{
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    [Fact]
    public async Task Jobs_through_redis_membership_and_static_gateways_equal_the_embedded_run()
    {
        var embedded = await jobs.EmbeddedAsync();

        var redis = await jobs.OnClusterAsync(cluster.Redis.Url, cluster.ClusterId, jobs.Out("redis"));
        Assert.True(redis.ExitCode == 0, redis.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("redis"));
        Assert.Equal(cluster.Redis.Url, Jobs.Json(Path.Combine(jobs.Out("redis"), "history.json")).GetProperty("cluster").GetString());

        var gateways = string.Join(",", cluster.Live.Select(s => s.Gateway));
        var listed = await jobs.OnClusterAsync(gateways, cluster.ClusterId, jobs.Out("static"));
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("static"));
    }

    [Fact]
    public async Task Flow_and_sample_jobs_on_three_silo_processes_equal_the_embedded_runs()
    {
        var flowSpec = jobs.Out("flow.json");
        File.WriteAllText(flowSpec, """
            {"model": "sinkhorn-flow", "epsilon": 0.05,
             "initial": {"generator": "gaussian", "n": 60, "dim": 2, "mean": [-1.0, 0.0], "std": 0.3, "seed": 3},
             "target": {"generator": "ring", "n": 50, "radius": 1.0, "noise": 0.05, "center": [1.0, 0.0], "seed": 4},
             "integrator": "euler", "step": 0.25, "t_end": 1, "shards": 3}
            """);
        var target = jobs.Out("gaussian.json");
        File.WriteAllText(target, """{"kind": "gaussian", "mean": [1.0, -0.5], "covariance": [[0.8, 0.2], [0.2, 0.5]]}""");
        string[] flow = ["flow", "--spec", flowSpec, "--quiet"];
        string[] sample = ["sample", "--target", target, "--schedule", "trig", "--sampler", "rk4", "--steps", "6,12", "--n", "300", "--shards", "2", "--particle-shards", "3", "--quiet"];

        foreach (var (arguments, array) in new[] { (flow, "final.npy"), (sample, "samples.npy") })
        {
            var name = arguments[0];
            var embedded = jobs.Out($"{name}-embedded");
            using (var stdout = new StringWriter())
            using (var stderr = new StringWriter())
            {
                var code = await Client.TransportCli.RunAsync([.. arguments, "--out", embedded], stdout, stderr, CancellationToken.None);
                Assert.True(code == 0, $"embedded {name}: exit {code}; {stderr}");
            }

            var onCluster = jobs.Out($"{name}-cluster");
            var run = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. arguments, "--out", onCluster, "--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId], TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.ToString());
            Jobs.AssertSameArray(Path.Combine(embedded, array), Path.Combine(onCluster, array));
        }
    }

    [Fact]
    public async Task Any_silo_including_the_first_may_be_killed_between_jobs_and_the_next_job_runs_on_the_survivors()
    {
        var embedded = await jobs.EmbeddedAsync();

        // Other tests of the shared cluster kill silos too: top it up to three, then kill the oldest still running (the
        // first one started, unless an earlier test killed it).
        while (cluster.Live.Count < 3)
        {
            await cluster.StartSiloAsync();
        }

        var first = cluster.Live[0];

        // kill -9 of the first silo started, then at once the next job from the console through Redis membership.
        RedisClusterFixture.KillHard(first);
        Assert.True(first.Process.HasExited);
        var afterFirst = await jobs.OnClusterAsync(cluster.Redis.Url, cluster.ClusterId, jobs.Out("after-first"));
        Assert.True(afterFirst.ExitCode == 0, afterFirst.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("after-first"));

        // A new silo joins although the first is gone (nothing is primary), then another original silo is killed.
        var joined = await cluster.StartSiloAsync();
        var second = cluster.Live.First(s => s != joined);
        RedisClusterFixture.KillHard(second);
        var afterSecond = await jobs.OnClusterAsync(cluster.Redis.Url, cluster.ClusterId, jobs.Out("after-second"));
        Assert.True(afterSecond.ExitCode == 0, afterSecond.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("after-second"));

        // Static gateways that include the dead ones: the console skips them and uses a survivor.
        var allGateways = string.Join(",", cluster.Silos.Select(s => s.Gateway));
        var listed = await jobs.OnClusterAsync(allGateways, cluster.ClusterId, jobs.Out("static-with-dead"));
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("static-with-dead"));

        // The dead silos are out of the membership; the survivors are in it.
        var active = await cluster.ActiveGatewaysAsync();
        Assert.DoesNotContain(first.Gateway, active);
        Assert.DoesNotContain(second.Gateway, active);
        Assert.Contains(joined.Gateway, active);

        // Every silo still running is a member (other tests of the shared cluster may have killed or added some).
        Assert.All(cluster.Live, silo => Assert.Contains(silo.Gateway, active));
    }
}
