using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Transport.Numerics;

namespace Transport.Client;

/// <summary>A remote cluster named by <c>--cluster HOST:PORT</c> (a silo gateway) and its Orleans ids.</summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">Gateway port.</param>
/// <param name="ClusterId">Orleans cluster id.</param>
/// <param name="ServiceId">Orleans service id.</param>
internal sealed record ClusterEndpoint(string Host, int Port, string ClusterId, string ServiceId)
{
    /// <summary>Parses <c>HOST:PORT</c> (IPv6 as <c>[::1]:PORT</c>); throws <see cref="InvalidInputException"/> for <c>cluster</c>.</summary>
    public static ClusterEndpoint Parse(string text, string clusterId, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new InvalidInputException("cluster", $"expected HOST:PORT, got '{text}'");
        }

        var host = text[..colon];
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed)
        {
            host = host[1..^1];
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidInputException("cluster", $"port must be an integer in 1..65535, got '{text[(colon + 1)..]}' in '{text}'");
        }

        // An IPv6 address must be bracketed ([::1]:30000), otherwise its last group would read as the port.
        if (host.Length == 0 || (host.Contains(':', StringComparison.Ordinal) && (!bracketed || !IPAddress.TryParse(host, out _))))
        {
            throw new InvalidInputException("cluster", $"expected HOST:PORT (IPv6 as [ADDRESS]:PORT), got '{text}'");
        }

        if (string.IsNullOrWhiteSpace(clusterId))
        {
            throw new InvalidInputException("cluster-id", "must not be empty");
        }

        if (string.IsNullOrWhiteSpace(serviceId))
        {
            throw new InvalidInputException("service-id", "must not be empty");
        }

        return new ClusterEndpoint(host, port, clusterId, serviceId);
    }

    /// <summary>Resolves the host (an IPv4 address is preferred); an unknown host is an <see cref="InvalidInputException"/> for <c>cluster</c>.</summary>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(Host, out var address))
        {
            return new IPEndPoint(address, Port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new InvalidInputException("cluster", $"cannot resolve host '{Host}': {ex.Message}");
        }

        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new InvalidInputException("cluster", $"host '{Host}' has no address");
        return new IPEndPoint(chosen, Port);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
