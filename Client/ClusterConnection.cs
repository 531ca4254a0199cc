using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Grains;
using Transport.Silo;

namespace Transport.Client;

/// <summary>
/// Where jobs run: an embedded silo started in this process (the default; free loopback ports and a unique
/// cluster id, so parallel runs never collide) or a running cluster reached through a gateway.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private readonly IHost host;

    private ClusterConnection(IHost host, IGrainFactory grainFactory, string description)
    {
        this.host = host;
        GrainFactory = grainFactory;
        Description = description;
    }

    /// <summary>Grain factory of the silo (embedded) or the client (remote).</summary>
    public IGrainFactory GrainFactory { get; }

    /// <summary><c>embedded</c> or the gateway address, for history.json.</summary>
    public string Description { get; }

    /// <summary>Starts an embedded silo when <paramref name="cluster"/> is null, otherwise connects to it.</summary>
    public static Task<ClusterConnection> OpenAsync(ClusterEndpoint? cluster, bool verbose, CancellationToken cancellationToken) =>
        cluster is null ? StartEmbeddedAsync(verbose, cancellationToken) : ConnectAsync(cluster, verbose, cancellationToken);

    /// <summary>Starts a single silo in this process on free loopback ports and uses its own grain factory.</summary>
    public static async Task<ClusterConnection> StartEmbeddedAsync(bool verbose, CancellationToken cancellationToken)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var siloPort = LoopbackPorts.Free();
            var gatewayPort = LoopbackPorts.Free();
            var options = new TransportSiloOptions
            {
                SiloPort = siloPort,
                GatewayPort = gatewayPort,
                PrimarySiloPort = siloPort,
                ClusterId = $"transport-embedded-{Guid.NewGuid():N}",
            };
            var builder = CreateBuilder(verbose);
            builder.UseOrleans(silo => silo.AddTransportSilo(options));
            var host = builder.Build();
            try
            {
                await host.StartAsync(cancellationToken);
                return new ClusterConnection(host, host.Services.GetRequiredService<IGrainFactory>(), "embedded");
            }
            catch (Exception ex) when (attempt < attempts && !cancellationToken.IsCancellationRequested && IsAddressInUse(ex))
            {
                // Another process took one of the ports between probing and binding: try fresh ones.
                await StopAsync(host);
            }
            catch
            {
                await StopAsync(host);
                throw;
            }
        }
    }

    /// <summary>Connects an Orleans client to the gateway named by <paramref name="cluster"/>.</summary>
    public static async Task<ClusterConnection> ConnectAsync(ClusterEndpoint cluster, bool verbose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var endpoint = await cluster.ResolveAsync(cancellationToken);

        // Orleans' client keeps retrying a refused gateway for minutes; a plain TCP probe fails fast instead.
        await ProbeAsync(cluster, endpoint, cancellationToken);
        var options = new TransportSiloOptions { ClusterId = cluster.ClusterId, ServiceId = cluster.ServiceId };
        var builder = CreateBuilder(verbose);
        builder.UseOrleansClient(client => client.AddTransportGatewayClient(options, [endpoint]));
        var host = builder.Build();
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(connectTimeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await StopAsync(host);
            var reason = ex is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:F0} s" : ex.Message;
            throw new JobFailedException($"cannot connect to the cluster at {cluster} (cluster id '{cluster.ClusterId}'): {reason}", ex);
        }
        catch
        {
            await StopAsync(host);
            throw;
        }

        return new ClusterConnection(host, host.Services.GetRequiredService<IClusterClient>(), cluster.ToString());
    }

    private static async Task ProbeAsync(ClusterEndpoint cluster, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var probe = new TcpClient(endpoint.AddressFamily);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await probe.ConnectAsync(endpoint, timeout.Token);
        }
        catch (SocketException ex)
        {
            throw new JobFailedException($"cannot connect to the cluster at {cluster} ({endpoint}): {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new JobFailedException($"cannot connect to the cluster at {cluster} ({endpoint}): no answer within {ConnectTimeout.TotalSeconds:F0} s", ex);
        }
    }

    /// <summary>Stops the silo or client.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(host);

    private static HostApplicationBuilder CreateBuilder(bool verbose)
    {
        // No default configuration sources: the console must not pick up appsettings.json or environment
        // variables of whatever directory it is started in.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = StopTimeout);
        if (verbose)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
        }

        return builder;
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await host.StopAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Shutting down after a failure or a cancellation: nothing useful to report.
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }

    private static bool IsAddressInUse(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }
}
