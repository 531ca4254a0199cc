using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Transport.Numerics;

namespace Transport.Client.Clusters;

/// <summary>
/// <c>transport cluster up N | down | status</c>: a cluster of silo processes on this machine over Redis membership
/// (no primary silo: any one may die). <c>up</c> starts a loopback Redis when none is given, then N silos on free
/// loopback ports, waits until all are active members and prints the <c>--cluster</c> value; <c>down</c> stops exactly
/// what <c>up</c> started (recorded pids); <c>status</c> lists the silos with their state, activations and memory, and
/// the jobs running (see <see cref="ClusterSnapshot"/>).
/// </summary>
internal static class ClusterCommand
{
    private const int MaxSilos = 64;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    /// <summary>The <c>cluster</c> command with its subcommands.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var state = new Option<string?>("--state") { Description = "Where 'up' records what it started (default ~/.transport/cluster)", HelpName = "DIR" };
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id", DefaultValueFactory = _ => "transport" };
        var verbose = new Option<bool>("--verbose") { Description = "Orleans logs on stderr" };

        var silos = new Argument<int>("N") { Description = "Number of silo processes (1 to 64)" };
        var redis = new Option<string?>("--redis") { Description = "Use this Redis (redis://HOST:PORT) instead of starting one on loopback", HelpName = "URL" };
        var up = new Command("up", "Start a loopback Redis (unless --redis) and N silo processes; print the --cluster value") { silos, redis, state, clusterId, verbose };
        up.SetAction((parse, token) => UpAsync(parse.GetValue(silos), parse.GetValue(redis), Directory(parse.GetValue(state)), parse.GetValue(clusterId)!, parse.GetValue(verbose), stdout, stderr, token));

        var down = new Command("down", "Stop what 'cluster up' started (by recorded pid)") { state };
        down.SetAction((parse, token) => DownAsync(Directory(parse.GetValue(state)), stdout, stderr));

        var cluster = new Option<string?>("--cluster") { Description = "The cluster to inspect (default: the one 'cluster up' recorded)", HelpName = "CLUSTER" };
        var collect = new Option<bool>("--gc") { Description = "Run a full garbage collection on every active silo before reading its memory" };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (activations per grain type included)" };
        var status = new Command("status", "Silos, their state, activations (all and of job grains) and memory, and the jobs running") { cluster, state, clusterId, collect, json, verbose };
        status.SetAction((parse, token) => StatusAsync(parse.GetValue(cluster), Directory(parse.GetValue(state)), parse.GetValue(clusterId)!, parse.GetValue(collect), parse.GetValue(json), parse.GetValue(verbose), stdout, stderr, token));

        return new Command("cluster", "A cluster of silo processes on this machine over Redis: up, down, status") { up, down, status };
    }

    private static string Directory(string? state) => Path.GetFullPath(state ?? LocalClusterState.DefaultDirectory);

    private static async Task<int> UpAsync(int count, string? redisUrl, string directory, string clusterId, bool verbose, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var started = new List<LocalProcess>();
        LocalProcess? ownRedis = null;
        try
        {
            if (count is < 1 or > MaxSilos)
            {
                throw new InvalidInputException("N", $"must be an integer in 1..{MaxSilos}, got {count.ToString(CultureInfo.InvariantCulture)}");
            }

            if (LocalClusterState.Read(directory) is { } recorded && recorded.Silos.Append(recorded.Redis).Any(p => p is not null && LocalProcesses.IsRunning(p)))
            {
                throw new InvalidInputException("state", $"a cluster is already up ({recorded.Cluster}, recorded in {directory}); run 'transport cluster down' first");
            }

            string redis;
            if (redisUrl is not null)
            {
                redis = ClusterEndpoint.Parse(redisUrl.StartsWith(ClusterEndpoint.RedisScheme, StringComparison.Ordinal) ? redisUrl : ClusterEndpoint.RedisScheme + redisUrl, clusterId, "transport-distributed").Redis!;
            }
            else
            {
                var server = LocalProcesses.OnPath("redis-server")
                    ?? throw new InvalidInputException("redis", "redis-server is not on the PATH: install it (apt-get install redis-server) or give --redis redis://HOST:PORT");
                var port = LoopbackPorts.Free();
                System.IO.Directory.CreateDirectory(directory);
                ownRedis = LocalProcesses.Start(server, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no"], Path.Combine(directory, "redis.log"), [port]);
                redis = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
                await WaitForPortAsync(port, ownRedis, token);
            }

            var cluster = ClusterEndpoint.RedisScheme + redis;
            System.IO.Directory.CreateDirectory(directory);
            var (fileName, prefix) = SiloCommand();
            for (var k = 0; k < count; k++)
            {
                var ports = LoopbackPorts.Distinct(3);
                int siloPort = ports[0], gatewayPort = ports[1], dashboardPort = ports[2];
                string[] arguments =
                [
                    .. prefix,
                    "--Transport:Clustering=redis", "--Transport:Storage=redis", $"--Transport:Redis={redis}", $"--Transport:ClusterId={clusterId}", "--Transport:AdvertisedAddress=127.0.0.1",
                    $"--Transport:SiloPort={siloPort.ToString(CultureInfo.InvariantCulture)}", $"--Transport:GatewayPort={gatewayPort.ToString(CultureInfo.InvariantCulture)}",
                    $"--Transport:DashboardPort={dashboardPort.ToString(CultureInfo.InvariantCulture)}",
                ];
                started.Add(LocalProcesses.Start(fileName, arguments, Path.Combine(directory, $"silo-{k.ToString(CultureInfo.InvariantCulture)}.log"), [siloPort, gatewayPort, dashboardPort]));
                new LocalClusterState(cluster, clusterId, ownRedis, started).Write(directory);
            }

            await WaitForMembersAsync(cluster, clusterId, started, verbose, token);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count} silos up over {(ownRedis is null ? "Redis " : "a loopback Redis ")}{redis} (gateways {string.Join(", ", started.Select(s => s.Ports[1]))}; dashboards http://127.0.0.1:{string.Join(", :", started.Select(s => s.Ports[2]))}; logs and pids in {directory})"));
            await stdout.WriteLineAsync(cluster);
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            // Nothing half-started stays behind.
            foreach (var process in started.Append(ownRedis).OfType<LocalProcess>())
            {
                await LocalProcesses.StopAsync(process, StopGrace);
            }

            File.Delete(LocalClusterState.FileIn(directory));
            return await CommandErrors.ReportAsync(ex, stderr, token, "cancelled: everything 'cluster up' started was stopped");
        }
    }

    private static async Task<int> DownAsync(string directory, TextWriter stdout, TextWriter stderr)
    {
        var recorded = LocalClusterState.Read(directory);
        if (recorded is null)
        {
            await stderr.WriteLineAsync($"no cluster recorded in {directory}: nothing to stop");
            return ExitCodes.Success;
        }

        var stopped = 0;
        foreach (var silo in recorded.Silos)
        {
            stopped += LocalProcesses.IsRunning(silo) ? 1 : 0;
            await LocalProcesses.StopAsync(silo, StopGrace);
        }

        if (recorded.Redis is { } redis)
        {
            await LocalProcesses.StopAsync(redis, StopGrace);
        }

        File.Delete(LocalClusterState.FileIn(directory));
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"stopped {stopped} of {recorded.Silos.Count} silos{(recorded.Redis is null ? string.Empty : " and the loopback Redis")} ({recorded.Cluster})"));
        return ExitCodes.Success;
    }

    private static async Task<int> StatusAsync(string? clusterText, string directory, string clusterId, bool collect, bool json, bool verbose, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        try
        {
            var recorded = LocalClusterState.Read(directory);
            var text = clusterText ?? recorded?.Cluster
                ?? throw new InvalidInputException("cluster", $"no --cluster given and no cluster recorded in {directory}");
            var endpoint = ClusterEndpoint.Parse(text, clusterText is null ? recorded!.ClusterId : clusterId, "transport-distributed");
            await using var connection = await ClusterConnection.OpenAsync(endpoint, verbose, token);
            var snapshot = await ClusterSnapshot.ReadAsync(connection.GrainFactory, text, endpoint.ClusterId, collect, token);
            await (json ? snapshot.WriteJsonAsync(stdout) : snapshot.WriteTextAsync(stdout));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, token);
        }
    }

    /// <summary>The silo program next to this console: its apphost, or <c>dotnet Transport.Silo.dll</c>.</summary>
    private static (string FileName, string[] Prefix) SiloCommand()
    {
        var directory = AppContext.BaseDirectory;
        var apphost = Path.Combine(directory, "Transport.Silo");
        if (File.Exists(apphost))
        {
            return (apphost, []);
        }

        var dll = Path.Combine(directory, "Transport.Silo.dll");
        return File.Exists(dll)
            ? (LocalProcesses.OnPath("dotnet") ?? "dotnet", [dll])
            : throw new InvalidOperationException($"the silo program (Transport.Silo) is not next to this console in {directory}");
    }

    private static async Task WaitForPortAsync(int port, LocalProcess process, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, token);
                return;
            }
            catch (SocketException)
            {
                if (!LocalProcesses.IsRunning(process))
                {
                    throw new InvalidOperationException($"redis-server exited at start: see {process.Log}");
                }

                await Task.Delay(100, token);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port} within 15 s: see {process.Log}");
    }

    private static async Task WaitForMembersAsync(string cluster, string clusterId, List<LocalProcess> silos, bool verbose, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (silos.FirstOrDefault(s => !LocalProcesses.IsRunning(s)) is { } dead)
            {
                var tail = File.Exists(dead.Log) ? File.ReadLines(dead.Log).TakeLast(3) : [];
                throw new InvalidOperationException($"a silo exited at start: {string.Join(" | ", tail)} (log {dead.Log})");
            }

            try
            {
                await using var connection = await ClusterConnection.OpenAsync(ClusterEndpoint.Parse(cluster, clusterId, "transport-distributed"), verbose, token);
                var hosts = await connection.GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(true, token);
                if (hosts.Count >= silos.Count)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException && DateTime.UtcNow < deadline)
            {
                // Not every silo has joined yet: look again.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"the {silos.Count} silos did not all become active members within {StartTimeout.TotalSeconds:F0} s (logs in {Path.GetDirectoryName(silos[0].Log)})");
            }

            await Task.Delay(500, token);
        }
    }
}
