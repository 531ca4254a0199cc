using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Silo;

namespace Transport.Client.Tests;

/// <summary>One silo started by the test (a real host on free loopback ports), reached by the console through --cluster.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private IHost? host;

    public string ClusterId { get; } = $"transport-client-tests-{Guid.NewGuid():N}";

    public int GatewayPort { get; private set; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public async Task InitializeAsync()
    {
        var siloPort = LoopbackPorts.Free();
        GatewayPort = LoopbackPorts.Free();
        var options = new TransportSiloOptions { SiloPort = siloPort, GatewayPort = GatewayPort, PrimarySiloPort = siloPort, ClusterId = ClusterId };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.AddTransportSilo(options));
        host = builder.Build();
        await host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
            host.Dispose();
        }
    }
}

/// <summary>The console against a running cluster: bad input is refused without harming the cluster, which keeps serving.</summary>
public sealed class RemoteClusterTests(SiloFixture silo) : IClassFixture<SiloFixture>, IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Bad_input_exits_2_and_the_cluster_serves_the_next_request()
    {
        const int n = 80, m = 60, d = 2;
        var (x, y, a, b) = Clouds.Make(n, m, d, seed: 21);
        var sourcePath = work.Npy("x.npy", x, n, d);
        var targetPath = work.Npy("y.npy", y, m, d);

        // Caught by the console before it connects.
        var bad = x.ToArray();
        bad[7] = double.NaN;
        var badPath = work.Npy("bad.npy", bad, n, d);
        var rejected = await Cli.RunAsync("sinkhorn", "--source", badPath, "--target", targetPath, "--epsilon", "0.1", "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "--out", work.Out);
        Assert.True(rejected.ExitCode == 2, $"exit {rejected.ExitCode}; stderr: {rejected.Stderr}");
        Assert.Contains("source: ", rejected.Stderr, StringComparison.Ordinal);
        Assert.Contains("NaN", rejected.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();

        // Caught by the cluster: options the console would have refused, sent past its validation. The
        // coordinator's JobInputException crosses the wire and becomes exit code 2 with the field named.
        var inputs = new SinkhornInputs(
            PointCloud.Create(x, n, d, field: "source"),
            PointCloud.Create(y, m, d, field: "target"),
            new SinkhornOptions { Epsilon = -1 },
            Shards: 2,
            Divergence: false,
            OutputDirectory.Validate(work.Out, force: false),
            ClusterEndpoint.Parse(silo.Gateway, silo.ClusterId, "transport-distributed"),
            IsDemo: false);
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            var code = await TransportCli.RunInputsAsync(inputs, stdout, stderr, interactiveProgress: false, quiet: true, verbose: false, Stopwatch.StartNew(), CancellationToken.None);
            Assert.True(code == 2, $"exit {code}; stderr: {stderr}");
            Assert.Contains("error: epsilon: ", stderr.ToString(), StringComparison.Ordinal);
            Assert.Contains("-1", stderr.ToString(), StringComparison.Ordinal);
        }

        work.AssertNoOutput();

        // The same cluster serves a good request.
        var weightsPath = work.Npy("a.npy", a, n);
        var good = await Cli.RunAsync(
            "sinkhorn", "--source", sourcePath, "--target", targetPath, "--source-weights", weightsPath, "--epsilon", "0.1", "--tolerance", "1e-9",
            "--shards", "3", "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "--out", work.Out);
        Assert.True(good.ExitCode == 0, $"exit {good.ExitCode}; stderr: {good.Stderr}");
        var source = PointCloud.Create(x, n, d, a, "source", "source-weights");
        var target = PointCloud.Create(y, m, d, field: "target");
        var reference = SinkhornSolver.Solve(new SinkhornProblem(source, target), new SinkhornOptions { Epsilon = 0.1, Tolerance = 1e-9 });
        EmbeddedRunTests.AssertMatchesReference(work.Out, reference, source, target);
        Assert.Equal(silo.Gateway, Cli.ReadJson(Path.Combine(work.Out, "history.json")).GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task Cancelling_stops_the_job_leaves_no_output_and_the_cluster_serves_the_next_request()
    {
        const int n = 300, m = 300, d = 3;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 22);
        var sourcePath = work.Npy("x.npy", x, n, d);
        var targetPath = work.Npy("y.npy", y, m, d);

        // A run that would take far longer than the test: tiny epsilon, unreachable tolerance, no annealing.
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var cancelled = await Cli.RunAsync(
            cancellation.Token,
            "sinkhorn", "--source", sourcePath, "--target", targetPath, "--epsilon", "1e-4", "--tolerance", "1e-300", "--scaling", "1",
            "--max-iterations", "1000000", "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "--out", work.Out);
        Assert.True(cancelled.ExitCode == ExitCodes.Cancelled, $"exit {cancelled.ExitCode}; stderr: {cancelled.Stderr}");
        Assert.Contains("cancelled", cancelled.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();

        var good = await Cli.RunAsync(
            "sinkhorn", "--source", sourcePath, "--target", targetPath, "--epsilon", "0.5", "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "--out", work.Out);
        Assert.True(good.ExitCode == 0, $"exit {good.ExitCode}; stderr: {good.Stderr}");
        EmbeddedRunTests.AssertResultFields(Cli.ReadJson(Path.Combine(work.Out, "result.json")));
    }

    [Fact]
    public async Task An_unreachable_cluster_is_a_failure_while_running()
    {
        var (x, y, _, _) = Clouds.Make(10, 10, 2, seed: 23);
        var run = await Cli.RunAsync(
            "sinkhorn", "--source", work.Npy("x.npy", x, 10, 2), "--target", work.Npy("y.npy", y, 10, 2), "--epsilon", "0.1",
            "--cluster", $"127.0.0.1:{LoopbackPorts.Free()}", "--out", work.Out);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Contains("cannot connect to the cluster", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }
}
