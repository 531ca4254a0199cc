using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;
using Transport.Silo;

namespace Transport.Bench.Chaos;

/// <summary>
/// A loopback redis-server and silo processes over its membership, started by the chaos driver itself (so that it
/// owns every pid, the replacements included). Each silo runs with the settings <c>transport cluster up</c> gives
/// (Redis clustering and grain storage, loopback address, free ports), plus failure detection shortened to 2 s probes
/// x 3 misses (a killed silo is declared dead in seconds, as in tests/Cluster.Tests), checkpoints every
/// <see cref="CheckpointInterval"/> (a resumed job redoes little work) and <c>JobRetention</c> of
/// <see cref="JobRetention"/> (attached runs are never released by their console: the registry frees them).
/// </summary>
internal sealed class LoopbackCluster : IAsyncDisposable
{
    /// <summary>Work between two checkpoints of a running Sinkhorn job.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long an ended job stays listed before the registry releases its shards.</summary>
    public static readonly TimeSpan JobRetention = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(180);
    private static readonly IReadOnlyDictionary<string, string> QuietLogs = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };

    private readonly ProcessSet processes;
    private readonly string siloDll;
    private readonly string directory;
    private readonly List<ChaosSilo> silos = [];
    private readonly IConnectionMultiplexer membership;
    private int started;

    private LoopbackCluster(ProcessSet processes, string siloDll, string directory, int redisPort, IConnectionMultiplexer membership)
    {
        this.processes = processes;
        this.siloDll = siloDll;
        this.directory = directory;
        this.membership = membership;
        RedisPort = redisPort;
    }

    public int RedisPort { get; }

    /// <summary>The console's <c>--cluster</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"redis://127.0.0.1:{RedisPort}");

    /// <summary>The console's <c>--cluster-id</c>: a fresh id, so that no earlier cluster's state in a Redis is read.</summary>
    public string ClusterId { get; } = $"chaos-{Guid.NewGuid():N}"[..18];

    /// <summary>The silos started and not killed.</summary>
    public IReadOnlyList<ChaosSilo> Live
    {
        get
        {
            lock (silos)
            {
                return [.. silos.Where(s => !s.Process.HasExited)];
            }
        }
    }

    /// <summary>Starts Redis and <paramref name="count"/> silos, and waits until every silo is an active member.</summary>
    public static async Task<LoopbackCluster> StartAsync(ProcessSet processes, string siloDll, string directory, int count, CancellationToken token)
    {
        var server = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: apt-get install -y redis-server");
        var port = LoopbackPort.Free();
        processes.Start(server, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no"], directory, Path.Combine(directory, "redis.log"));
        await WaitListeningAsync(port, token);
        var connection = await TransportRedis.ConnectAsync($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "redis");
        var cluster = new LoopbackCluster(processes, siloDll, directory, port, connection);
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => cluster.StartSiloAsync(token)));
        return cluster;
    }

    /// <summary>Starts one more silo with the cluster's settings on fresh ports and waits until it is an active member.</summary>
    public async Task<ChaosSilo> StartSiloAsync(CancellationToken token)
    {
        int siloPort = LoopbackPort.Free(), gatewayPort = LoopbackPort.Free();
        var number = Interlocked.Increment(ref started);
        var log = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"silo-{number}.log"));
        string[] arguments =
        [
            siloDll,
            "--Transport:Clustering=redis", "--Transport:Storage=redis", $"--Transport:Redis=127.0.0.1:{RedisPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Transport:ClusterId={ClusterId}", "--Transport:AdvertisedAddress=127.0.0.1",
            $"--Transport:SiloPort={siloPort.ToString(CultureInfo.InvariantCulture)}", $"--Transport:GatewayPort={gatewayPort.ToString(CultureInfo.InvariantCulture)}",
            "--Transport:ProbeTimeout=2", "--Transport:MissedProbes=3",
            $"--Transport:CheckpointInterval={CheckpointInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}",
            $"--Transport:JobRetention={JobRetention:c}",
        ];
        var silo = new ChaosSilo(processes.Start(Dotnet.Host, arguments, directory, log, QuietLogs), number, siloPort, gatewayPort, log);
        lock (silos)
        {
            silos.Add(silo);
        }

        var deadline = DateTime.UtcNow + JoinTimeout;
        while (!(await ActiveGatewaysAsync()).Contains(silo.Gateway))
        {
            if (silo.Process.HasExited)
            {
                throw new InvalidOperationException($"silo {silo.Number} (pid {silo.Process.Pid}) exited at start: {Tail(log)}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"silo {silo.Number} (pid {silo.Process.Pid}) did not become active within {JoinTimeout.TotalSeconds:F0} s: {Tail(log)}");
            }

            await Task.Delay(250, token);
        }

        return silo;
    }

    /// <summary>The gateways (<c>127.0.0.1:PORT</c>) the Redis membership lists as active: what <c>transport cluster status</c> shows as Active.</summary>
    public async Task<IReadOnlySet<string>> ActiveGatewaysAsync() =>
        (await TransportRedis.ReadMembershipAsync(membership, "transport-distributed", ClusterId)).Gateways.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether the membership lists exactly the running silos as active: every killed silo has been declared dead and
    /// every replacement has joined.
    /// </summary>
    public async Task<bool> HealedAsync()
    {
        var active = await ActiveGatewaysAsync();
        var live = Live.Select(s => s.Gateway).ToHashSet(StringComparer.Ordinal);
        return active.SetEquals(live);
    }

    public async ValueTask DisposeAsync()
    {
        // The processes themselves are the ProcessSet's to kill: only the driver's own connection is closed here.
        await membership.CloseAsync();
        membership.Dispose();
    }

    private static string Tail(string log) =>
        File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(3)) : "(no log)";

    private static async Task WaitListeningAsync(int port, CancellationToken token)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, token);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port}");
    }
}

/// <summary>One silo process of the chaos cluster.</summary>
/// <param name="Process">The process (its pid is what gets killed).</param>
/// <param name="Number">1, 2, ... in start order (replacements continue the count).</param>
/// <param name="SiloPort">Silo-to-silo port.</param>
/// <param name="GatewayPort">Client port.</param>
/// <param name="Log">Its stdout and stderr.</param>
internal sealed record ChaosSilo(ChildProcess Process, int Number, int SiloPort, int GatewayPort, string Log)
{
    /// <summary>How the membership lists its gateway.</summary>
    public string Gateway => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{GatewayPort}");
}
