using System.Net;
using Orleans.Configuration;

namespace Transport.Silo;

/// <summary>Client configuration for a cluster reached through explicitly named gateways (any host, not only loopback).</summary>
public static class TransportGatewayClientExtensions
{
    /// <summary>
    /// Connects to the silos listening on <paramref name="gateways"/> (static gateway list), with the cluster and
    /// service ids and the messaging settings of <paramref name="options"/>, so that the client matches the silos'
    /// <see cref="TransportSiloBuilderExtensions.AddTransportSilo"/> configuration. The gateway port of
    /// <paramref name="options"/> is ignored: the endpoints say where to connect.
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
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(messaging =>
        {
            messaging.ResponseTimeout = options.ResponseTimeout;
            messaging.MaxMessageBodySize = options.MaxMessageBodySize;
        });
        return client;
    }
}
