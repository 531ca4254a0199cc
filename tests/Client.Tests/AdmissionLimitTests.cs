using Microsoft.Extensions.Hosting;
using Transport.Silo;

namespace Transport.Client.Tests;

/// <summary>A silo started by the test with a small <c>Transport:MaxPointsPerJob</c>, bound through the host's settings.</summary>
public sealed class LimitedSiloFixture : IAsyncLifetime
{
    /// <summary>The silo's configured points limit.</summary>
    public const long MaxPointsPerJob = 100;

    private IHost? host;

    public string ClusterId { get; } = $"transport-client-limits-{Guid.NewGuid():N}";

    public string Gateway { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var siloPort = LoopbackPorts.Free();
        var gatewayPort = LoopbackPorts.Free();
        var options = new TransportSiloOptions { SiloPort = siloPort, GatewayPort = gatewayPort, PrimarySiloPort = siloPort, ClusterId = ClusterId, MaxPointsPerJob = MaxPointsPerJob };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.AddTransportSilo(options));
        host = builder.Build();
        await host.StartAsync();
        Gateway = $"127.0.0.1:{gatewayPort}";
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await HostShutdown.StopAndDisposeAsync(host, TimeSpan.FromSeconds(10));
        }
    }
}

/// <summary>The console against a cluster whose silos limit the points per job (issue 12).</summary>
public sealed class AdmissionLimitTests(LimitedSiloFixture silo) : IClassFixture<LimitedSiloFixture>, IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_job_over_the_points_limit_exits_2_naming_the_limit_and_its_value_and_writes_nothing()
    {
        var run = await Cli.RunAsync("sinkhorn", "--demo", "--points", "60", "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "--out", work.Out);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Contains("error: Transport:MaxPointsPerJob: the job has 120 points (n 60 + m 60), above the configured limit of 100", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();

        // Under the limit the same cluster serves the job.
        var small = await Cli.RunAsync("sinkhorn", "--demo", "--points", "50", "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "--out", work.Out, "--quiet");
        Assert.True(small.ExitCode == 0, $"exit {small.ExitCode}; stderr: {small.Stderr}");
    }
}
