using Microsoft.AspNetCore.Connections;
using Orleans.Configuration;

namespace Transport.Silo;

/// <summary>
/// Ends, before the TLS handshake, inbound connections that close without sending a byte: TCP probes (Kubernetes
/// <c>tcpSocket</c> probes, the image's HEALTHCHECK, the console's reachability check). Orleans' TLS middleware would
/// log each of them as a failed authentication with a stack trace, every few seconds, burying the refusals that matter.
/// </summary>
internal static class ConnectionProbeFilter
{
    /// <summary>Puts the filter in front of the silo's inbound pipelines; call before <c>UseTls</c> so that it runs first.</summary>
    public static ISiloBuilder UseConnectionProbeFilter(this ISiloBuilder silo) =>
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(pipeline => pipeline.Use(SkipProbes));
            connections.ConfigureGatewayInboundConnection(pipeline => pipeline.Use(SkipProbes));
        });

    private static ConnectionDelegate SkipProbes(ConnectionDelegate next) => async context =>
    {
        var input = context.Transport.Input;
        System.IO.Pipelines.ReadResult first;
        try
        {
            first = await input.ReadAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Reset or aborted before a byte arrived (ConnectionResetException, ConnectionAbortedException): a probe too.
            return;
        }

        if (first.IsCompleted && first.Buffer.IsEmpty)
        {
            return;
        }

        // Nothing consumed or examined: the TLS middleware reads the same bytes again.
        input.AdvanceTo(first.Buffer.Start);
        await next(context);
    };
}
