using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Silo;

namespace Transport.Bench;

/// <summary>
/// Silo processes over Redis on loopback, started with <c>transport cluster up P</c> (the console of this repository's
/// Release build) and stopped with <c>transport cluster down</c> on dispose, and an Orleans client connected to them.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly string transport;
    private readonly string state;
    private readonly IHost host;

    private ProcessCluster(string transport, string state, string address, IHost host)
    {
        this.transport = transport;
        this.state = state;
        this.host = host;
        Address = address;
    }

    /// <summary>The cluster's Redis address, as <c>cluster up</c> printed it (<c>redis://host:port</c>).</summary>
    public string Address { get; }

    /// <summary>The client's grain factory.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Starts <paramref name="silos"/> silo processes and connects; on failure returns null and why.</summary>
    public static async Task<(ProcessCluster? Cluster, string? Failure)> StartAsync(int silos)
    {
        string transport;
        try
        {
            transport = Chaos.Dotnet.ConsoleDll();
        }
        catch (InvalidOperationException exception)
        {
            return (null, exception.Message);
        }

        var state = Path.Combine(Path.GetTempPath(), $"transport-bench-cluster-{Guid.NewGuid():N}");
        var up = await RunAsync("dotnet", [transport, "cluster", "up", silos.ToString(CultureInfo.InvariantCulture), "--state", state]);
        if (up.Code != 0)
        {
            return (null, $"cluster up failed: {up.Stderr.Trim()}");
        }

        var address = up.Stdout.Trim();
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(client => client.AddTransportRedisClient(new TransportSiloOptions { ClusterId = "transport" }, address["redis://".Length..]));
            var host = builder.Build();
            await host.StartAsync();
            return (new ProcessCluster(transport, state, address, host), null);
        }
#pragma warning disable CA1031 // A client that cannot connect is reported (and the processes stopped) instead of ending the run.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _ = await RunAsync("dotnet", [transport, "cluster", "down", "--state", state]);
            return (null, $"client did not connect to {address}: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync();
            host.Dispose();
        }
        finally
        {
            _ = await RunAsync("dotnet", [transport, "cluster", "down", "--state", state]);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
