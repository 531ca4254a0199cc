using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Silo;

namespace Transport.Client;

/// <summary>
/// Where jobs run: an embedded silo started in this process (the default; free loopback ports and a unique
/// cluster id, so parallel runs never collide) or a running cluster reached through static gateways or its Redis
/// membership (<see cref="ClusterEndpoint"/>).
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DeadSiloWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MembershipPoll = TimeSpan.FromMilliseconds(500);
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
        OpenAsync(cluster, verbose, telemetry: null, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(ClusterEndpoint?, bool, CancellationToken)"/>, with <paramref name="telemetry"/> exported from
    /// this process (<c>--telemetry</c>): spans on stderr (<c>console</c>) or metrics and spans to an OTLP collector
    /// (<c>otlp</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); service name <c>transport</c>. With an embedded silo that
    /// covers the whole run; with a cluster, the console's spans, whose trace context the silos continue.
    /// </summary>
    public static async Task<ClusterConnection> OpenAsync(ClusterEndpoint? cluster, bool verbose, ConsoleTelemetry? telemetry, CancellationToken cancellationToken)
    {
        var connection = cluster is null ? await StartEmbeddedAsync(verbose, telemetry, cancellationToken) : await ConnectAsync(cluster, verbose, telemetry, cancellationToken);
        return connection;
    }

    /// <summary>Starts a single silo in this process on free loopback ports and uses its own grain factory.</summary>
    public static async Task<ClusterConnection> StartEmbeddedAsync(bool verbose, CancellationToken cancellationToken) =>
        await StartEmbeddedAsync(verbose, telemetry: null, cancellationToken);

    private static async Task<ClusterConnection> StartEmbeddedAsync(bool verbose, ConsoleTelemetry? telemetry, CancellationToken cancellationToken)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var ports = LoopbackPorts.Distinct(2);
            var (siloPort, gatewayPort) = (ports[0], ports[1]);
            var settings = ClientSettings.Load();
            // The embedded silo admits jobs like a cluster's silo, with the same keys and defaults (JobLimits).
            var options = new TransportSiloOptions
            {
                ResponseTimeout = settings.ResponseTimeout,
                MaxMessageBodySize = settings.MaxMessageBodySize,
                MaxPointsPerJob = settings.MaxPointsPerJob,
                MaxPointsPerShard = settings.MaxPointsPerShard,
                MaxDimension = settings.MaxDimension,
                MaxConcurrentJobs = settings.MaxConcurrentJobs,
                MaxJobMemory = settings.MaxJobMemory,
                UploadLease = settings.UploadLease,
                SiloPort = siloPort,
                GatewayPort = gatewayPort,
                PrimarySiloPort = siloPort,
                ClusterId = $"transport-embedded-{Guid.NewGuid():N}",
            };
            var builder = CreateBuilder(verbose);
            builder.UseOrleans(silo => silo.AddTransportSilo(options));
            telemetry?.Register(builder.Services);
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

    /// <summary>
    /// Connects an Orleans client to <paramref name="cluster"/>: its static gateways, or the active silos of its
    /// Redis membership, with the console's TLS credentials when it has any. Checks first what Orleans would retry for
    /// minutes (Redis and gateways that do not answer, ids that match no cluster, TLS settings that disagree with the
    /// silos') and reports it in one line.
    /// </summary>
    public static async Task<ClusterConnection> ConnectAsync(ClusterEndpoint cluster, bool verbose, CancellationToken cancellationToken) =>
        await ConnectAsync(cluster, verbose, telemetry: null, cancellationToken);

    private static async Task<ClusterConnection> ConnectAsync(ClusterEndpoint cluster, bool verbose, ConsoleTelemetry? telemetry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var options = ClientSettings.ForCluster(cluster);
        var tls = ClientSettings.LoadTls(options);
        var builder = CreateBuilder(verbose);
        telemetry?.Register(builder.Services);
        IReadOnlyList<IPEndPoint> reachable;
        if (cluster.Redis is { } redis)
        {
            reachable = await CheckMembershipAsync(cluster, redis, options, cancellationToken);
            builder.UseOrleansClient(client => client.AddTransportRedisClient(options, redis));
        }
        else
        {
            var endpoints = await cluster.ResolveAllAsync(cancellationToken);

            // Orleans' client keeps retrying a refused gateway for minutes; a plain TCP probe fails fast instead.
            reachable = await ReachableAsync(endpoints, cancellationToken);
            if (reachable.Count == 0)
            {
                throw new JobFailedException($"cannot connect to the cluster at {cluster}: {Unreachable(endpoints.Count)}");
            }

            builder.UseOrleansClient(client => client.AddTransportGatewayClient(options, [.. reachable]));
        }

        // Connection failures are reported in one line by this method, never as Orleans' retry log.
        using var handshakes = new HandshakeWatcher();
        builder.Logging.AddProvider(handshakes);
        var host = builder.Build();
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, handshakes.Rejected);
        connectTimeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(connectTimeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await StopAsync(host);

            // TLS settings that disagree with the silos' look like a foreign cluster to Orleans: ask the gateway first.
            if (await GatewayTlsCheck.ExplainAsync(reachable[0], cluster, tls, cancellationToken) is { } tlsMismatch)
            {
                throw tlsMismatch;
            }

            if (handshakes.Rejected.IsCancellationRequested)
            {
                throw new InvalidInputException(
                    "cluster-id",
                    $"the gateways at {cluster} closed every connection during the handshake: they belong to a cluster whose id is not '{options.ClusterId}'");
            }

            var reason = ex is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:F0} s" : OneLine(ex);
            throw new JobFailedException($"cannot connect to the cluster at {cluster} (cluster id '{options.ClusterId}', service id '{options.ServiceId}'): {reason}", ex);
        }
        catch
        {
            await StopAsync(host);
            throw;
        }

        var client = host.Services.GetRequiredService<IClusterClient>();
        try
        {
            await CheckLimitsAsync(client, options, cancellationToken);
        }
        catch
        {
            await StopAsync(host);
            throw;
        }

        return new ClusterConnection(host, client, cluster.ToString());
    }

    /// <summary>
    /// The silos' message limit must be this console's: otherwise a large upload or download would fail mid-run. A
    /// mismatch is a configuration error naming the setting (exit 2).
    /// </summary>
    private static async Task CheckLimitsAsync(IClusterClient client, TransportSiloOptions options, CancellationToken cancellationToken)
    {
        var limits = await client.GetGrain<IClusterLimitsGrain>(0).GetAsync().WaitAsync(cancellationToken);
        if (limits.MaxMessageBodySize != options.MaxMessageBodySize)
        {
            throw new InvalidInputException(
                TransportSettings.Name(nameof(TransportSiloOptions.MaxMessageBodySize)),
                string.Create(CultureInfo.InvariantCulture, $"is {options.MaxMessageBodySize} bytes on this console, but the cluster's silos use {limits.MaxMessageBodySize}: set the same value on both sides (appsettings.json or Transport__MaxMessageBodySize)"));
        }
    }

    /// <summary>
    /// Redis answers, lists an active silo for the ids (else: which ids it does list, naming the option to fix), and
    /// at least one of those silos' gateways accepts connections. A silo that was killed stays listed as active until
    /// the survivors declare it dead (a few probe timeouts); until then the cluster may still place work on it, so
    /// while a listed gateway refuses connections and others accept them, this waits (at most
    /// <see cref="DeadSiloWait"/>) for the membership to catch up. Returns the gateways that accepted.
    /// </summary>
    private static async Task<IReadOnlyList<IPEndPoint>> CheckMembershipAsync(ClusterEndpoint cluster, string redis, TransportSiloOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await TransportRedis.ConnectAsync(redis, "cluster");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                var membership = await TransportRedis.ReadMembershipAsync(connection, options.ServiceId, options.ClusterId);
                if (membership.Gateways.Count == 0)
                {
                    throw NoActiveSilo(cluster, options, membership);
                }

                var gateways = await ResolveGatewaysAsync(membership.Gateways, cancellationToken);
                var probes = await ProbeAsync(gateways, cancellationToken);
                if (!probes.Contains(ProbeResult.Accepted))
                {
                    throw new JobFailedException($"cannot connect to the cluster at {cluster}: {Unreachable(probes.Length)} (listed: {string.Join(", ", membership.Gateways)})");
                }

                if (!probes.Contains(ProbeResult.Refused) || waited.Elapsed > DeadSiloWait)
                {
                    return [.. gateways.Where((_, i) => probes[i] == ProbeResult.Accepted)];
                }

                await Task.Delay(MembershipPoll, cancellationToken);
            }
        }
        catch (TransportSettingsException ex)
        {
            throw new JobFailedException($"cannot connect to the cluster at {cluster}: {ex.Problem}", ex);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            throw new JobFailedException($"cannot connect to the cluster at {cluster}: reading the membership failed: {OneLine(ex)}", ex);
        }
    }

    private static Exception NoActiveSilo(ClusterEndpoint cluster, TransportSiloOptions options, RedisMembership membership)
    {
        var sameService = membership.ActiveClusters.Where(c => c.ServiceId == options.ServiceId).Select(c => $"'{c.ClusterId}'").ToArray();
        var sameCluster = membership.ActiveClusters.Where(c => c.ClusterId == options.ClusterId).Select(c => $"'{c.ServiceId}'").ToArray();
        if (sameService.Length > 0)
        {
            return new InvalidInputException("cluster-id", $"no active silo of cluster '{options.ClusterId}' in {cluster}; service '{options.ServiceId}' has cluster ids {string.Join(", ", sameService)}");
        }

        if (sameCluster.Length > 0)
        {
            return new InvalidInputException("service-id", $"no active silo of service '{options.ServiceId}' in {cluster}; cluster '{options.ClusterId}' has service ids {string.Join(", ", sameCluster)}");
        }

        return new JobFailedException($"cannot connect to the cluster at {cluster}: no active silo of cluster '{options.ClusterId}' (service '{options.ServiceId}') is registered there");
    }

    private static async Task<IReadOnlyList<IPEndPoint>> ResolveGatewaysAsync(IReadOnlyList<string> gateways, CancellationToken cancellationToken)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var gateway in gateways)
        {
            var colon = gateway.LastIndexOf(':');
            var port = int.Parse(gateway[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            endpoints.Add(await ClusterEndpoint.ResolveAsync(gateway[..colon].Trim('[', ']'), port, cancellationToken));
        }

        return endpoints;
    }

    /// <summary>The endpoints that accept a TCP connection within <see cref="ProbeTimeout"/>, probed in parallel.</summary>
    private static async Task<IReadOnlyList<IPEndPoint>> ReachableAsync(IReadOnlyList<IPEndPoint> endpoints, CancellationToken cancellationToken)
    {
        var answers = await ProbeAsync(endpoints, cancellationToken);
        return [.. endpoints.Where((_, i) => answers[i] == ProbeResult.Accepted)];
    }

    private static Task<ProbeResult[]> ProbeAsync(IReadOnlyList<IPEndPoint> endpoints, CancellationToken cancellationToken) =>
        Task.WhenAll(endpoints.Select(async endpoint =>
        {
            using var probe = new TcpClient(endpoint.AddressFamily);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                await probe.ConnectAsync(endpoint, timeout.Token);
                return ProbeResult.Accepted;
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode == SocketError.ConnectionRefused ? ProbeResult.Refused : ProbeResult.Silent;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return ProbeResult.Silent;
            }
        }));

    private static string Unreachable(int count) => count == 1
        ? $"the gateway refused the connection or did not answer within {ProbeTimeout.TotalSeconds:F0} s"
        : $"none of the {count} gateways accepted a connection within {ProbeTimeout.TotalSeconds:F0} s";

    private static string OneLine(Exception ex)
    {
        var innermost = ex;
        while (innermost is AggregateException { InnerException: { } inner })
        {
            innermost = inner;
        }

        return innermost.Message.ReplaceLineEndings(" ");
    }

    /// <summary>Stops the silo or client.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(host);

    private static HostApplicationBuilder CreateBuilder(bool verbose)
    {
        // No default configuration sources: the console must not pick up appsettings.json or environment
        // variables of whatever directory it is started in.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = StopTimeout);
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        if (verbose)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
        }

        return builder;
    }

    private static Task StopAsync(IHost host) => HostShutdown.StopAndDisposeAsync(host, StopTimeout);

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

/// <summary>What a TCP probe of a gateway found.</summary>
internal enum ProbeResult
{
    /// <summary>The connection was accepted: a process listens there.</summary>
    Accepted,

    /// <summary>The connection was refused: nothing listens there (a killed silo).</summary>
    Refused,

    /// <summary>No answer within the probe timeout, or another network error.</summary>
    Silent,
}
