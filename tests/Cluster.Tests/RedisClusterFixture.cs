using System.Globalization;
using System.Text.Json;
using Transport.Silo;

namespace Transport.Cluster.Tests;

/// <summary>A redis-server started by the tests on a free loopback port, without persistence; stopped by its pid.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly ChildProcess process;

    private RedisServer(ChildProcess process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string the silos get (<c>Transport:Redis</c>).</summary>
    public string Connection => $"127.0.0.1:{Port}";

    /// <summary>The console's <c>--cluster</c> for this Redis.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var executable = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run .ci/run, or apt-get install -y redis-server");
        var port = Machine.FreePort();
        var directory = Path.Combine(Path.GetTempPath(), $"transport-cluster-tests-redis-{port}");
        Directory.CreateDirectory(directory);
        var process = ChildProcess.Start(executable, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", directory]);
        var server = new RedisServer(process, port);
        try
        {
            await Machine.WaitUntilAsync(() => Task.FromResult(process.HasExited || Machine.Listening(port)), TimeSpan.FromSeconds(20), () => $"redis-server on port {port} did not start: {process.Output}");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited: {process.Output} {process.Errors}");
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await process.StopAsync(TimeSpan.FromSeconds(5));
        process.Dispose();
    }
}

/// <summary>One silo process of the test cluster.</summary>
internal sealed record SiloProcess(ChildProcess Process, int SiloPort, int GatewayPort)
{
    public string Gateway => $"127.0.0.1:{GatewayPort}";
}

/// <summary>
/// One Redis and a cluster of three silo processes over Redis membership (Redis grain storage and reminders), shared
/// by the tests of the <see cref="SharedCluster"/>. Failure detection is shortened (2 s probes, 3 misses) so that
/// a killed silo is declared dead within seconds. Derived fixtures start another number of silos with more settings
/// (<see cref="TlsClusterFixture"/>).
/// </summary>
public class RedisClusterFixture : IAsyncLifetime
{
    private readonly List<SiloProcess> silos = [];

    internal RedisServer Redis { get; private set; } = null!;

    public string ClusterId { get; } = $"cluster-tests-{Guid.NewGuid():N}";

    internal IReadOnlyList<SiloProcess> Silos => silos;

    /// <summary>The silos still running.</summary>
    internal IReadOnlyList<SiloProcess> Live => [.. silos.Where(s => !s.Process.HasExited)];

    /// <summary>How many silos the cluster starts with.</summary>
    protected virtual int InitialSilos => 3;

    /// <summary>Settings every silo of the cluster gets in addition to the cluster's own.</summary>
    protected virtual IReadOnlyList<string> ExtraSiloArguments => [];

    public virtual async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();

        // No primary: the silos start together and find each other through Redis.
        await Task.WhenAll(Enumerable.Range(0, InitialSilos).Select(_ => StartSiloAsync()));
    }

    /// <summary>Starts one more silo of the cluster and waits until the membership lists it as active.</summary>
    internal async Task<SiloProcess> StartSiloAsync()
    {
        var siloPort = Machine.FreePort();
        var gatewayPort = Machine.FreePort();
        var silo = new SiloProcess(ChildProcess.Start(Machine.Dotnet, [Machine.SiloDll, .. SiloArguments(siloPort, gatewayPort)], Quiet), siloPort, gatewayPort);
        lock (silos)
        {
            silos.Add(silo);
        }

        await WaitActiveAsync(silo);
        return silo;
    }

    /// <summary>Kills a silo with SIGKILL (kill -9) by its pid.</summary>
    internal static void KillHard(SiloProcess silo) => silo.Process.Kill();

    /// <summary>The arguments of a silo of this cluster on the given ports.</summary>
    internal string[] SiloArguments(int siloPort, int gatewayPort) =>
    [
        "--Transport:Clustering=redis",
        "--Transport:Storage=redis",
        $"--Transport:Redis={Redis.Connection}",
        "--Transport:AdvertisedAddress=127.0.0.1",
        $"--Transport:SiloPort={siloPort}",
        $"--Transport:GatewayPort={gatewayPort}",
        $"--Transport:ClusterId={ClusterId}",
        "--Transport:ProbeTimeout=2",
        "--Transport:MissedProbes=3",

        // Frequent checkpoints: a test that kills a silo mid-run resumes from a recent one.
        "--Transport:CheckpointInterval=1",
        .. ExtraSiloArguments,
    ];

    /// <summary>Silo processes log warnings only (their output is kept in memory).</summary>
    internal static IReadOnlyDictionary<string, string> Quiet { get; } = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };

    /// <summary>The gateways the Redis membership lists as active for this cluster.</summary>
    internal async Task<IReadOnlyList<string>> ActiveGatewaysAsync()
    {
        await using var connection = await TransportRedis.ConnectAsync(Redis.Connection, "test");
        return (await TransportRedis.ReadMembershipAsync(connection, "transport-distributed", ClusterId)).Gateways;
    }

    /// <summary>
    /// The status the Redis membership table records for the silo listening on <paramref name="siloPort"/> (Orleans
    /// writes it there itself: Active, then ShuttingDown and Dead when it stops gracefully), or null when it has no row.
    /// </summary>
    internal async Task<SiloStatus?> MembershipStatusAsync(int siloPort)
    {
        await using var connection = await TransportRedis.ConnectAsync(Redis.Connection, "test");
        var rows = await connection.GetDatabase().HashGetAllAsync($"transport-distributed/members/{ClusterId}");
        var address = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{siloPort}@");
        foreach (var row in rows.Where(r => r.Name != "Version" && r.Value.HasValue))
        {
            using var json = JsonDocument.Parse((string)row.Value!);
            var root = json.RootElement;
            if (!root.TryGetProperty("SiloAddress", out var silo))
            {
                continue;
            }

            // Written either as "ADDRESS:PORT@GENERATION" or wrapped as {"SiloAddress": "..."}.
            if (silo.ValueKind == JsonValueKind.Object && silo.TryGetProperty("SiloAddress", out var inner))
            {
                silo = inner;
            }

            if (silo.ValueKind == JsonValueKind.String && silo.GetString()!.StartsWith(address, StringComparison.Ordinal))
            {
                return (SiloStatus)root.GetProperty("Status").GetInt32();
            }
        }

        return null;
    }

    public virtual async Task DisposeAsync()
    {
        await Task.WhenAll(silos.Select(s => s.Process.StopAsync(TimeSpan.FromSeconds(5))));
        foreach (var silo in silos)
        {
            silo.Process.Dispose();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    private async Task WaitActiveAsync(SiloProcess silo)
    {
        var gateway = silo.Gateway;
        await Machine.WaitUntilAsync(
            async () => silo.Process.HasExited || (await ActiveGatewaysAsync()).Contains(gateway),
            TimeSpan.FromSeconds(90),
            () => $"silo {silo.Process.Pid} ({gateway}) did not become active: {silo.Process.Errors} {silo.Process.Output}");
        if (silo.Process.HasExited)
        {
            throw new InvalidOperationException($"silo {silo.Process.Pid} exited: {silo.Process.Errors} {silo.Process.Output}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedCluster : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis cluster";
}
