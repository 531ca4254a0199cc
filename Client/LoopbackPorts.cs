using System.Net;
using System.Net.Sockets;

namespace Transport.Client;

/// <summary>Free TCP ports on the loopback interface, for embedded silos that must not collide with each other.</summary>
internal static class LoopbackPorts
{
    /// <summary>A port that was free a moment ago (the operating system picks it; callers retry if it is taken meanwhile).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
