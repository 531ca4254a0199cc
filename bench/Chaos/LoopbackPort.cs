using System.Net;
using System.Net.Sockets;

namespace Transport.Bench.Chaos;

/// <summary>Free loopback ports.</summary>
internal static class LoopbackPort
{
    /// <summary>A port nothing listens on now (the OS's choice for an ephemeral listener, released at once).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
