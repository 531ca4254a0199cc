using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Transport.Cluster.Tests;

/// <summary>
/// Every bad configuration fails at start: one line on stderr naming the setting, a non-zero exit code, and
/// nothing left running (the process has exited and holds no port).
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class BadConfigurationTests(RedisClusterFixture cluster) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly Jobs jobs = new();

    public void Dispose() => jobs.Dispose();

    public static TheoryData<string, string[]> SiloSettings => new()
    {
        { "Transport:Clustering", ["--Transport:Clustering=foo"] },
        { "Transport:Storage", ["--Transport:Storage=disk"] },
        { "Transport:Redis", ["--Transport:Clustering=redis"] },
        { "Transport:Redis", ["--Transport:Storage=redis"] },
        { "Transport:Foo", ["--Transport:Foo=1"] },
        { "Transport:ResponseTimeout", ["--Transport:ResponseTimeout=-3"] },
        { "Transport:MaxMessageBodySize", ["--Transport:MaxMessageBodySize=12"] },
        { "Transport:ClusterId", ["--Transport:ClusterId=a/b"] },
        { "Transport:AdvertisedAddress", ["--Transport:Clustering=redis", "--Transport:Redis=127.0.0.1:1", "--Transport:AdvertisedAddress=0.0.0.0"] },
    };

    [Theory]
    [MemberData(nameof(SiloSettings))]
    public async Task A_silo_with_a_bad_setting_names_it_and_exits_2(string setting, string[] arguments)
    {
        var (siloPort, gatewayPort) = (Machine.FreePort(), Machine.FreePort());
        var run = await SiloAsync([$"--Transport:SiloPort={siloPort}", $"--Transport:GatewayPort={gatewayPort}", .. arguments]);
        AssertOneLine(run, 2, $"error: {setting}: ");
        AssertNothingListens(siloPort, gatewayPort);
    }

    [Fact]
    public async Task A_silo_with_a_bad_port_value_or_equal_ports_names_the_port()
    {
        AssertOneLine(await SiloAsync(["--Transport:SiloPort=abc"]), 2, "error: Transport:SiloPort: ");
        AssertOneLine(await SiloAsync(["--Transport:SiloPort=70000"]), 2, "error: Transport:SiloPort: ");
        var port = Machine.FreePort();
        AssertOneLine(await SiloAsync([$"--Transport:SiloPort={port}", $"--Transport:GatewayPort={port}"]), 2, "error: Transport:GatewayPort: ");
    }

    [Fact]
    public async Task A_silo_whose_redis_does_not_answer_names_transport_redis_and_exits()
    {
        var (siloPort, gatewayPort, nothing) = (Machine.FreePort(), Machine.FreePort(), Machine.FreePort());
        foreach (var kind in new[] { "--Transport:Clustering=redis", "--Transport:Storage=redis" })
        {
            var run = await SiloAsync([kind, $"--Transport:Redis=127.0.0.1:{nothing}", "--Transport:AdvertisedAddress=127.0.0.1", $"--Transport:SiloPort={siloPort}", $"--Transport:GatewayPort={gatewayPort}"]);
            AssertOneLine(run, 2, "error: Transport:Redis: ");
            Assert.Contains($"127.0.0.1:{nothing}", run.Stderr, StringComparison.Ordinal);
            // A silo that hung retrying Redis would not exit: SiloAsync fails the test after its limit (no timing asserted).
            AssertNothingListens(siloPort, gatewayPort);
        }
    }

    [Fact]
    public async Task A_silo_whose_ports_are_taken_names_the_port_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var other = Machine.FreePort();

        var silo = await SiloAsync([$"--Transport:SiloPort={port}", $"--Transport:GatewayPort={other}"]);
        AssertOneLine(silo, 2, "error: Transport:SiloPort: ");
        Assert.Contains(port.ToString(CultureInfo.InvariantCulture), silo.Stderr, StringComparison.Ordinal);
        var gateway = await SiloAsync([$"--Transport:SiloPort={other}", $"--Transport:GatewayPort={port}"]);
        AssertOneLine(gateway, 2, "error: Transport:GatewayPort: ");
        Assert.False(Machine.Listening(other));

        // The same over Redis clustering, with a port held by a running silo of the cluster.
        var busy = cluster.Live[0];
        var redis = await SiloAsync(cluster.SiloArguments(busy.SiloPort, Machine.FreePort()));
        AssertOneLine(redis, 2, "error: Transport:SiloPort: ");
    }

    [Fact]
    public async Task A_silo_that_disagrees_with_the_running_cluster_names_the_setting_and_exits()
    {
        // Same cluster id, another service id: Orleans would form a second cluster with its own storage.
        var (siloPort, gatewayPort) = (Machine.FreePort(), Machine.FreePort());
        var service = await SiloAsync([.. cluster.SiloArguments(siloPort, gatewayPort), "--Transport:ServiceId=another-service"]);
        AssertOneLine(service, 2, "error: Transport:ServiceId: ");
        Assert.Contains($"cluster '{cluster.ClusterId}'", service.Stderr, StringComparison.Ordinal);

        // Another message limit than the running silos': large messages would fail between them at run time.
        var limit = await SiloAsync([.. cluster.SiloArguments(siloPort, gatewayPort), "--Transport:MaxMessageBodySize=1048576"]);
        AssertOneLine(limit, 2, "error: Transport:MaxMessageBodySize: ");
        Assert.Contains("33554432", limit.Stderr, StringComparison.Ordinal);
        AssertNothingListens(siloPort, gatewayPort);
    }

    [Fact]
    public async Task A_console_whose_message_limit_differs_from_the_silos_names_it_through_redis_and_static_gateways()
    {
        var environment = new Dictionary<string, string> { ["Transport__MaxMessageBodySize"] = "1048576" };
        foreach (var target in new[] { cluster.Redis.Url, cluster.Live[0].Gateway })
        {
            var run = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. jobs.Arguments(jobs.Out("limit")), "--cluster", target, "--cluster-id", cluster.ClusterId], Limit, environment);
            AssertOneLine(run, 2, "error: Transport:MaxMessageBodySize: ");
            Assert.False(Directory.Exists(jobs.Out("limit")), "a refused run wrote output");
        }
    }

    [Fact]
    public async Task Settings_come_from_environment_variables_and_appsettings_json_too()
    {
        var (siloPort, gatewayPort) = (Machine.FreePort(), Machine.FreePort());
        var ports = new[] { $"--Transport:SiloPort={siloPort}", $"--Transport:GatewayPort={gatewayPort}" };
        var environment = new Dictionary<string, string> { ["Transport__Clustering"] = "zookeeper" };
        AssertOneLine(await SiloAsync(ports, environment), 2, "error: Transport:Clustering: unknown kind 'zookeeper' (expected localhost or redis)");

        var folder = Path.Combine(jobs.Root, "settings");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), """{ "Transport": { "Storage": "disk" } }""");
        AssertOneLine(await SiloAsync(ports, workingDirectory: folder), 2, "error: Transport:Storage: unknown kind 'disk' (expected memory or redis)");
        AssertNothingListens(siloPort, gatewayPort);
    }

    [Fact]
    public async Task A_console_with_ids_that_match_no_cluster_names_the_id()
    {
        var wrongCluster = await ConsoleAsync(cluster.Redis.Url, "--cluster-id", "no-such-cluster");
        AssertOneLine(wrongCluster, 2, "error: cluster-id: ");
        Assert.Contains(cluster.ClusterId, wrongCluster.Stderr, StringComparison.Ordinal);

        var wrongService = await ConsoleAsync(cluster.Redis.Url, "--cluster-id", cluster.ClusterId, "--service-id", "no-such-service");
        AssertOneLine(wrongService, 2, "error: service-id: ");

        // Static gateways cannot be asked which cluster they serve: they close the handshake of a foreign id.
        var wrongGateway = await ConsoleAsync(cluster.Live[0].Gateway, "--cluster-id", "no-such-cluster");
        AssertOneLine(wrongGateway, 2, "error: cluster-id: ");
    }

    [Fact]
    public async Task A_console_that_cannot_reach_the_cluster_says_so_in_one_line()
    {
        var nothing = Machine.FreePort();
        var redis = await ConsoleAsync($"redis://127.0.0.1:{nothing}", "--cluster-id", cluster.ClusterId);
        AssertOneLine(redis, 1, $"error: cannot connect to the cluster at redis://127.0.0.1:{nothing}: ");

        var gateways = await ConsoleAsync($"127.0.0.1:{nothing},127.0.0.1:{Machine.FreePort()}", "--cluster-id", cluster.ClusterId);
        AssertOneLine(gateways, 1, "error: cannot connect to the cluster at 127.0.0.1:");

        var malformed = await ConsoleAsync("redis://", "--cluster-id", cluster.ClusterId);
        AssertOneLine(malformed, 2, "error: cluster: ");

        // The console reads the same Transport__* settings as the silos.
        var environment = new Dictionary<string, string> { ["Transport__ResponseTimeout"] = "soon" };
        var setting = await ChildProcess.RunAsync(
            Machine.Dotnet, [Machine.ClientDll, .. jobs.Arguments(jobs.Out("env")), "--cluster", cluster.Redis.Url, "--cluster-id", cluster.ClusterId], Limit, environment);
        AssertOneLine(setting, 2, "error: Transport:ResponseTimeout: ");
    }

    private static async Task<ProcessRun> SiloAsync(string[] arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var merged = new Dictionary<string, string>(RedisClusterFixture.Quiet);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        return await ChildProcess.RunAsync(Machine.Dotnet, [Machine.SiloDll, .. arguments], Limit, merged, workingDirectory);
    }

    private async Task<ProcessRun> ConsoleAsync(string target, params string[] extra)
    {
        var run = await ChildProcess.RunAsync(Machine.Dotnet, [Machine.ClientDll, .. jobs.Arguments(jobs.Out("bad")), "--cluster", target, .. extra], Limit);
        Assert.False(Directory.Exists(jobs.Out("bad")), "a failed run wrote output");
        return run;
    }

    private static void AssertOneLine(ProcessRun run, int exitCode, string start) => ProcessAssert.OneLine(run, exitCode, start);

    private static void AssertNothingListens(params int[] ports) => ProcessAssert.NothingListens(ports);
}
