using System.Text.Json;

namespace Transport.Cluster.Tests;

/// <summary>
/// SIGTERM, as a service manager or <c>kill</c> sends it. The console stops like on Ctrl+C (the job is cancelled in the
/// cluster, nothing is written) and exits 143; a silo stops gracefully: it exits 0 and leaves the membership itself
/// (its row is no longer Active when it is gone), so the next job is placed on the survivors without waiting for the
/// failure detector to vote it dead.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class SignalTests(RedisClusterFixture cluster) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    [Fact]
    public async Task Sigterm_stops_an_embedded_sinkhorn_run_with_exit_143_writing_nothing()
    {
        var output = jobs.Out("terminated");
        using var console = StartLongRun(output);
        await WaitRunningAsync(console);

        await console.TerminateAsync();

        Assert.True(await console.WaitForExitAsync(Patience), $"the console still runs after SIGTERM; stderr: {console.Errors}");
        Assert.True(console.ExitCode == 143, $"exit {console.ExitCode}; stderr: {console.Errors}");
        Assert.Empty(console.Output);
        Assert.Contains("cancelled", console.Errors, StringComparison.Ordinal);
        AssertNothingWritten(output);
    }

    [Fact]
    public async Task Sigterm_stops_an_attached_cluster_run_and_cancels_its_job_in_the_cluster()
    {
        var output = jobs.Out("terminated-on-cluster");
        var label = $"sigterm-{Guid.NewGuid():N}";
        using var console = StartLongRun(output, "--shards", "2", "--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId, "--label", label);
        await WaitRunningAsync(console);

        await console.TerminateAsync();

        Assert.True(await console.WaitForExitAsync(Patience), $"the console still runs after SIGTERM; stderr: {console.Errors}");
        Assert.True(console.ExitCode == 143, $"exit {console.ExitCode}; stderr: {console.Errors}");
        Assert.Empty(console.Output);
        AssertNothingWritten(output);

        // The console waits for the cancellation to reach the job before it exits.
        var listed = await TransportAsync("runs", "list", "--json", "--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var job = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Single(j => j.GetProperty("label").GetString() == label);
        Assert.Equal("Cancelled", job.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Sigterm_stops_a_silo_with_exit_0_it_leaves_the_membership_and_the_next_job_runs_on_the_survivors()
    {
        var embedded = await jobs.EmbeddedAsync();

        // A silo of its own, so that the silos the other tests of the collection count on stay up.
        var silo = await cluster.StartSiloAsync();
        Assert.Equal(SiloStatus.Active, await cluster.MembershipStatusAsync(silo.SiloPort));

        await silo.Process.TerminateAsync();

        Assert.True(await silo.Process.WaitForExitAsync(Patience), $"the silo still runs after SIGTERM; stderr: {silo.Process.Errors}");
        Assert.True(silo.Process.ExitCode == 0, $"silo exit {silo.Process.ExitCode}; stderr: {silo.Process.Errors}");

        // Read as soon as the process is gone: a killed silo would still be Active here (until probes time out).
        Assert.Equal(SiloStatus.Dead, await cluster.MembershipStatusAsync(silo.SiloPort));
        Assert.DoesNotContain(silo.Gateway, await cluster.ActiveGatewaysAsync());
        var status = await TransportAsync("cluster", "status", "--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId, "--state", jobs.Out("no-state"));
        Assert.True(status.ExitCode == 0, status.ToString());
        var line = Assert.Single(status.Stdout.Split('\n'), l => l.Contains($"127.0.0.1:{silo.SiloPort}:", StringComparison.Ordinal));
        Assert.DoesNotContain(" Active ", line, StringComparison.Ordinal);

        var next = await jobs.OnClusterAsync(cluster.Redis.Url, cluster.ClusterId, jobs.Out("after-sigterm"));
        Assert.True(next.ExitCode == 0, next.ToString());
        Jobs.AssertSameResult(embedded, jobs.Out("after-sigterm"));
    }

    /// <summary>
    /// A Sinkhorn run that takes minutes (10,000 points a side, eps 1e-3, tolerance 1e-12), with its progress on stderr.
    /// </summary>
    private static ChildProcess StartLongRun(string output, params string[] extra) => ChildProcess.Start(
        Machine.Dotnet,
        [Machine.ClientDll, "sinkhorn", "--demo", "--points", "10000", "--epsilon", "1e-3", "--tolerance", "1e-12", "--max-iterations", "1000000", "--out", output, .. extra]);

    /// <summary>Until the progress shows iterations of the cross problem: the job is running in the cluster.</summary>
    private static Task WaitRunningAsync(ChildProcess console) => Machine.WaitUntilAsync(
        () => console.HasExited
            ? throw new InvalidOperationException($"the console exited before the job ran: exit {console.ExitCode}; stderr: {console.Errors}")
            : Task.FromResult(console.Errors.Contains("sinkhorn cross", StringComparison.Ordinal)),
        Patience,
        () => $"the job did not start; stderr: {console.Errors}");

    /// <summary>No --out folder, and no staging folder beside it.</summary>
    private static void AssertNothingWritten(string output)
    {
        Assert.False(Directory.Exists(output), $"{output} was created");
        var name = Path.GetFileName(output);
        var strays = Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!, $".{name}*").ToArray();
        Assert.True(strays.Length == 0, $"left behind: {string.Join(", ", strays)}");
    }

    private static Task<ProcessRun> TransportAsync(params string[] arguments) =>
        ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. arguments], Patience);
}
