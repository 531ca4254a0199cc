using System.Net;
using System.Net.Sockets;

namespace Transport.Silo;

/// <summary>
/// Checks a silo's configuration against the machine before Orleans starts, so that a wrong setting fails at once
/// with one line naming it: the TLS certificate files open and fit (<see cref="TransportTlsCredentials"/>), Redis answers (when a Redis kind is chosen), the silo agrees with the running cluster
/// (<see cref="TransportClusterAgreement"/>), the silo and gateway ports are free, and the advertised address belongs
/// to this host.
/// </summary>
public static class TransportPreflight
{
    /// <summary>Throws a <see cref="TransportSettingsException"/> for the first setting that cannot work here.</summary>
    public static async Task CheckAsync(TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TransportSettings.Check(options);
        _ = TransportTlsCredentials.LoadForSilo(options);
        var address = ListenAddress(options);
        CheckPort(address, options.SiloPort, nameof(TransportSiloOptions.SiloPort));
        CheckPort(address, options.GatewayPort, nameof(TransportSiloOptions.GatewayPort));
        if (options.DashboardPort != 0)
        {
            CheckPort(IPAddress.Parse(options.DashboardAddress), options.DashboardPort, nameof(TransportSiloOptions.DashboardPort));
        }

        if (options.Redis is { } redis && (options.Clustering == "redis" || options.Storage == "redis"))
        {
            await using var connection = await TransportRedis.ConnectAsync(redis, TransportSettings.Name(nameof(TransportSiloOptions.Redis)));
            if (options.Clustering == "redis")
            {
                await TransportClusterAgreement.CheckAsync(connection, options);
            }
        }
    }

    /// <summary>Maps a start-up failure caused by a port taken meanwhile to the setting of that port; null otherwise.</summary>
    public static TransportSettingsException? Explain(Exception failure, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(options);
        for (var current = failure; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                var text = failure.ToString();
                var key = text.Contains($":{options.GatewayPort}", StringComparison.Ordinal) && !text.Contains($":{options.SiloPort}", StringComparison.Ordinal)
                    ? nameof(TransportSiloOptions.GatewayPort)
                    : nameof(TransportSiloOptions.SiloPort);
                var port = key == nameof(TransportSiloOptions.GatewayPort) ? options.GatewayPort : options.SiloPort;
                return new TransportSettingsException(TransportSettings.Name(key), $"port {port} is already in use", failure);
            }
        }

        return null;
    }

    private static IPAddress ListenAddress(TransportSiloOptions options)
    {
        var advertised = TransportSettings.ResolveAdvertisedAddress(options);
        if (options.ListenOnAnyAddress || advertised is null)
        {
            return advertised?.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        }

        return advertised;
    }

    private static void CheckPort(IPAddress address, int port, string key)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new TransportSettingsException(TransportSettings.Name(key), $"port {port} is already in use on {address}", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new TransportSettingsException(TransportSettings.Name(nameof(TransportSiloOptions.AdvertisedAddress)), $"{address} is not an address of this host", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new TransportSettingsException(TransportSettings.Name(key), $"port {port} on {address} needs privileges this process lacks", ex);
        }
    }
}
