using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Transport.Grains;

namespace Transport.Silo;

/// <summary>One place that turns <see cref="TransportSiloOptions"/> into an Orleans silo configuration.</summary>
public static class TransportSiloBuilderExtensions
{
    /// <summary>Applies clustering, ports, messaging limits and in-memory storage.</summary>
    public static ISiloBuilder AddTransportSilo(this ISiloBuilder silo, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Clustering)
        {
            case "localhost":
                silo.UseLocalhostClustering(
                    options.SiloPort,
                    options.GatewayPort,
                    new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort),
                    options.ServiceId,
                    options.ClusterId);
                break;
            default:
                throw new InvalidOperationException($"Transport:Clustering '{options.Clustering}' is not supported (expected localhost)");
        }

        silo.AddMemoryGrainStorageAsDefault();
        silo.Services.AddTransportTelemetry(options);
        silo.Services.AddCatalogFlowModels();
        silo.Configure<SiloMessagingOptions>(messaging =>
        {
            messaging.ResponseTimeout = options.ResponseTimeout;
            messaging.MaxMessageBodySize = options.MaxMessageBodySize;
        });
        return silo;
    }

    /// <summary>Applies the matching client-side settings (gateway, timeouts, message size).</summary>
    public static IClientBuilder AddTransportClient(this IClientBuilder client, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        client.Configure<ClientMessagingOptions>(messaging =>
        {
            messaging.ResponseTimeout = options.ResponseTimeout;
            messaging.MaxMessageBodySize = options.MaxMessageBodySize;
        });
        return client;
    }
}
