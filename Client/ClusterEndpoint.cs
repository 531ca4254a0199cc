using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// A remote cluster named by <c>--cluster</c>: static gateways (<c>HOST:PORT[,HOST:PORT...]</c>) or the Redis that
/// holds the cluster's membership (<c>redis://HOST:PORT</c>: the gateways are the active silos listed there), with
/// its Orleans ids.
/// </summary>
internal sealed record ClusterEndpoint
{
    /// <summary>The scheme of a Redis membership address.</summary>
    public const string RedisScheme = "redis://";

    private const int DefaultRedisPort = 6379;

    private ClusterEndpoint(IReadOnlyList<(string Host, int Port)> gateways, string? redis, string clusterId, string serviceId)
    {
        Gateways = gateways;
        Redis = redis;
        ClusterId = clusterId;
        ServiceId = serviceId;
    }

    /// <summary>Static gateways; for <c>redis://</c>, the single Redis endpoint.</summary>
    public IReadOnlyList<(string Host, int Port)> Gateways { get; }

    /// <summary><c>HOST:PORT</c> of the Redis holding the membership, or null for static gateways.</summary>
    public string? Redis { get; }

    /// <summary>Host of the first gateway (or of Redis).</summary>
    public string Host => Gateways[0].Host;

    /// <summary>Port of the first gateway (or of Redis).</summary>
    public int Port => Gateways[0].Port;

    /// <summary>Orleans cluster id.</summary>
    public string ClusterId { get; }

    /// <summary>Orleans service id.</summary>
    public string ServiceId { get; }

    /// <summary>
    /// Parses <c>HOST:PORT</c>, a comma-separated list of them, or <c>redis://HOST[:PORT]</c> (IPv6 as
    /// <c>[::1]:PORT</c>); throws <see cref="InvalidInputException"/> for <c>cluster</c>.
    /// </summary>
    public static ClusterEndpoint Parse(string text, string clusterId, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(clusterId))
        {
            throw new InvalidInputException("cluster-id", "must not be empty");
        }

        if (string.IsNullOrWhiteSpace(serviceId))
        {
            throw new InvalidInputException("service-id", "must not be empty");
        }

        if (text.StartsWith(RedisScheme, StringComparison.OrdinalIgnoreCase))
        {
            var address = text[RedisScheme.Length..].TrimEnd('/');
            var redis = ParseOne(address.Contains(':', StringComparison.Ordinal) && !address.EndsWith(']') ? address : $"{address}:{DefaultRedisPort}", text);
            return new ClusterEndpoint([redis], Show(redis), clusterId, serviceId);
        }

        var gateways = text.Split(',').Select(part => ParseOne(part.Trim(), text)).ToArray();
        return new ClusterEndpoint(gateways, null, clusterId, serviceId);
    }

    /// <summary>Resolves every gateway (an IPv4 address is preferred); an unknown host is an <see cref="InvalidInputException"/> for <c>cluster</c>.</summary>
    public async Task<IReadOnlyList<IPEndPoint>> ResolveAllAsync(CancellationToken cancellationToken)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var (host, port) in Gateways)
        {
            endpoints.Add(await ResolveAsync(host, port, cancellationToken));
        }

        return endpoints;
    }

    /// <summary>Resolves <paramref name="host"/> (an IPv4 address is preferred).</summary>
    public static async Task<IPEndPoint> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new InvalidInputException("cluster", $"cannot resolve host '{host}': {ex.Message}");
        }

        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new InvalidInputException("cluster", $"host '{host}' has no address");
        return new IPEndPoint(chosen, port);
    }

    /// <inheritdoc />
    public override string ToString() => Redis is null ? string.Join(",", Gateways.Select(Show)) : RedisScheme + Redis;

    private static (string Host, int Port) ParseOne(string text, string whole)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new InvalidInputException("cluster", $"expected HOST:PORT[,HOST:PORT...] or redis://HOST:PORT, got '{whole}'");
        }

        var host = text[..colon];
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed)
        {
            host = host[1..^1];
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidInputException("cluster", $"port must be an integer in 1..65535, got '{text[(colon + 1)..]}' in '{whole}'");
        }

        // An IPv6 address must be bracketed ([::1]:30000), otherwise its last group would read as the port.
        if (host.Length == 0 || (host.Contains(':', StringComparison.Ordinal) && (!bracketed || !IPAddress.TryParse(host, out _))))
        {
            throw new InvalidInputException("cluster", $"expected HOST:PORT (IPv6 as [ADDRESS]:PORT), got '{whole}'");
        }

        return (host, port);
    }

    private static string Show((string Host, int Port) endpoint) => endpoint.Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{endpoint.Host}]:{endpoint.Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{endpoint.Host}:{endpoint.Port}");
}
