using System.Diagnostics;
using System.Text.Json;

namespace Transport.Cluster.Tests;

/// <summary>
/// The README path of a newcomer, as processes: <c>cluster up 3</c> (a loopback Redis and three silos), <c>cluster
/// status</c>, a job, <c>kill -9</c> of the first silo started, another job on the survivors, the first job still listed
/// (the registry lives in Redis), <c>cluster down</c>, and nothing that <c>up</c> started left running. Every silo
/// serves the Orleans dashboard on loopback.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class ClusterCommandTests : IDisposable
{
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    [Fact]
    public async Task Up_status_a_job_kill_a_silo_another_job_and_down_leave_nothing_running()
    {
        var state = jobs.Out("cluster-state");
        var up = await TransportAsync("cluster", "up", "3", "--state", state);
        Assert.True(up.ExitCode == 0, up.ToString());
        var cluster = up.Stdout.Trim();
        Assert.StartsWith("redis://127.0.0.1:", cluster, StringComparison.Ordinal);
        var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "cluster.json"))).RootElement;
        var pids = recorded.GetProperty("Silos").EnumerateArray().Select(s => s.GetProperty("Pid").GetInt32()).Append(recorded.GetProperty("Redis").GetProperty("Pid").GetInt32()).ToArray();
        try
        {
            var status = await TransportAsync("cluster", "status", "--state", state);
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Equal(3, status.Stdout.Split('\n').Count(line => line.Contains(" Active ", StringComparison.Ordinal)));

            // Every silo serves the Orleans dashboard on loopback.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var silo in recorded.GetProperty("Silos").EnumerateArray())
            {
                var dashboard = $"http://127.0.0.1:{silo.GetProperty("Ports")[2].GetInt32()}/";
                var page = await http.GetStringAsync(dashboard);
                Assert.Contains("Orleans Dashboard", page, StringComparison.Ordinal);
            }

            var first = await jobs.OnClusterAsync(cluster, "transport", jobs.Out("first"), "--label", "first");
            Assert.True(first.ExitCode == 0, first.ToString());

            using (var silo = Process.GetProcessById(pids[0]))
            {
                silo.Kill();
                await silo.WaitForExitAsync();
            }

            var second = await jobs.OnClusterAsync(cluster, "transport", jobs.Out("second"));
            Assert.True(second.ExitCode == 0, second.ToString());
            Jobs.AssertSameResult(jobs.Out("first"), jobs.Out("second"));

            var listed = await TransportAsync("runs", "list", "--json", "--cluster", cluster);
            Assert.True(listed.ExitCode == 0, listed.ToString());
            var labels = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Select(j => j.GetProperty("label").GetString()).ToArray();
            Assert.Contains("first", labels);
            Assert.Equal(2, labels.Length);
        }
        finally
        {
            var down = await TransportAsync("cluster", "down", "--state", state);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Contains("stopped 2 of 3 silos and the loopback Redis", down.Stdout, StringComparison.Ordinal);
        }

        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"process {pid} started by 'cluster up' still runs"));
        Assert.False(File.Exists(Path.Combine(state, "cluster.json")));
    }

    private static Task<ProcessRun> TransportAsync(params string[] arguments) =>
        ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. arguments], TimeSpan.FromMinutes(3));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
