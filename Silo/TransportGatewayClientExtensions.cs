using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Transport.Silo;

/// <summary>Client configuration for a cluster reached through explicitly named gateways (any host, not only loopback).</summary>
public static class TransportGatewayClientExtensions
{
    /// <summary>
    /// Connects to the silos listening on <paramref name="gateways"/> (static gateway list), with the cluster and
    /// service ids, the messaging settings and the TLS credentials of <paramref name="options"/>, so that the client
    /// matches the silos' <see cref="TransportSiloBuilderExtensions.AddTransportSilo"/> configuration. The gateway port
    /// of <paramref name="options"/> is ignored: the endpoints say where to connect.
    /// </summary>
    public static IClientBuilder AddTransportGatewayClient(this IClientBuilder client, TransportSiloOptions options, IReadOnlyList<IPEndPoint> gateways)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateways);
        if (gateways.Count == 0)
        {
            throw new ArgumentException("at least one gateway endpoint is required", nameof(gateways));
        }

        client.UseStaticClustering([.. gateways]);
        client.ApplyTransportIds(options);
        client.ApplyTransportMessaging(options);
        client.ApplyTransportTls(options);
        return client;
    }

    /// <summary>
    /// Connects to the cluster whose membership is kept in the Redis named by <paramref name="redis"/> (the silos'
    /// <see cref="TransportSiloOptions.Redis"/>): the gateways are the active silos listed there, refreshed every
    /// <see cref="GatewayRefreshPeriod"/>, so the client fails over to survivors and finds new silos. TLS as in
    /// <see cref="AddTransportGatewayClient"/>.
    /// </summary>
    public static IClientBuilder AddTransportRedisClient(this IClientBuilder client, TransportSiloOptions options, string redis)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redis);
        var configuration = TransportRedis.Options(redis, "cluster");
        client.UseRedisClustering(clustering => clustering.ConfigurationOptions = configuration);
        client.Configure<GatewayOptions>(gateway => gateway.GatewayListRefreshPeriod = GatewayRefreshPeriod);
        client.ApplyTransportIds(options);
        client.ApplyTransportMessaging(options);
        client.ApplyTransportTls(options);
        return client;
    }

    /// <summary>How often a Redis-clustered client re-reads the list of gateways.</summary>
    public static TimeSpan GatewayRefreshPeriod { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The message limits of <paramref name="options"/>, identical to the silos' (<see cref="TransportSiloBuilderExtensions.AddTransportSilo"/>).</summary>
    public static IClientBuilder ApplyTransportMessaging(this IClientBuilder client, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        client.AddActivityPropagation();
        client.Configure<ClientMessagingOptions>(messaging =>
        {
            messaging.ResponseTimeout = options.ResponseTimeout;
            messaging.MaxMessageBodySize = options.MaxMessageBodySize;
        });
        return client;
    }

    private static void ApplyTransportIds(this IClientBuilder client, TransportSiloOptions options) =>
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
}
