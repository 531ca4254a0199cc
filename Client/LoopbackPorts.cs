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

    /// <summary>
    /// <paramref name="count"/> different ports that were free a moment ago: each is held while the next is picked, so
    /// the operating system cannot hand out the same one twice (separate calls to <see cref="Free"/> can, and a silo
    /// refuses a gateway port equal to its silo port).
    /// </summary>
    public static int[] Distinct(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var k = 0; k < count; k++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
    }
}
