using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Transport.Silo;

/// <summary>
/// The Redis side of a cluster: the connection string of <see cref="TransportSiloOptions.Redis"/>, a quick
/// reachability check (so that a wrong address fails at start with one line instead of a retry log), and a read
/// of the Orleans membership table that Microsoft.Orleans.Clustering.Redis keeps under
/// <c>SERVICE/members/CLUSTER</c> (to tell a client with the wrong ids which clusters exist).
/// </summary>
public static class TransportRedis
{
    /// <summary>
    /// How long the start-up check waits for Redis. A refused connection fails at once; the wait only matters for an
    /// address that does not answer, and on a busy machine: with 40 consoles starting on 2 cores (tests/Cluster.Tests,
    /// LoadTests) a 3 s wait refused some of them although Redis was up.
    /// </summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    // SiloStatus.Active in Orleans' membership entries (serialised as a number by the Redis table).
    private const int ActiveStatus = 3;

    /// <summary>
    /// Parses a StackExchange.Redis connection string (<c>HOST:PORT[,option=value...]</c>) for the Orleans
    /// providers: they keep retrying if Redis goes away later, since the start-up check already proved it reachable.
    /// </summary>
    /// <param name="connection">The connection string.</param>
    /// <param name="setting">The setting or option that named it, for the error message.</param>
    public static ConfigurationOptions Options(string connection, string setting)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(connection);
        }
        catch (ArgumentException ex)
        {
            throw new TransportSettingsException(setting, $"'{connection}' is not a Redis connection string: {ex.Message}", ex);
        }

        if (parsed.EndPoints.Count == 0)
        {
            throw new TransportSettingsException(setting, $"'{connection}' names no Redis endpoint (expected HOST:PORT)");
        }

        parsed.AbortOnConnectFail = false;
        return parsed;
    }

    /// <summary>
    /// Connects within <see cref="CheckTimeout"/> or throws a <see cref="TransportSettingsException"/> naming
    /// <paramref name="setting"/>; the caller disposes the connection.
    /// </summary>
    public static async Task<IConnectionMultiplexer> ConnectAsync(string connection, string setting)
    {
        var options = Options(connection, setting);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = (int)CheckTimeout.TotalMilliseconds;
        options.SyncTimeout = (int)CheckTimeout.TotalMilliseconds;
        options.AsyncTimeout = (int)CheckTimeout.TotalMilliseconds;
        try
        {
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
            try
            {
                await multiplexer.GetDatabase().PingAsync();
                return multiplexer;
            }
            catch
            {
                await multiplexer.DisposeAsync();
                throw;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            var where = string.Join(",", options.EndPoints.Select(Format));
            throw new TransportSettingsException(
                setting,
                string.Create(CultureInfo.InvariantCulture, $"cannot connect to Redis at {where} (refused, or no answer within {CheckTimeout.TotalSeconds:F0} s)"),
                ex);
        }
    }

    /// <summary>
    /// The gateways (<c>HOST:PORT</c>) of the silos that the membership table of <paramref name="serviceId"/> /
    /// <paramref name="clusterId"/> lists as active, and every (service id, cluster id) pair in this Redis that has an
    /// active silo. A killed silo stays listed as active until the survivors declare it dead.
    /// </summary>
    public static async Task<RedisMembership> ReadMembershipAsync(IConnectionMultiplexer redis, string serviceId, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var database = redis.GetDatabase();
        var gateways = ActiveGateways(await database.HashGetAllAsync(MembersKey(serviceId, clusterId)));
        var clusters = new SortedSet<(string ServiceId, string ClusterId)>();
        const string infix = "/members/";
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(database.Database, pattern: "*" + infix + "*", pageSize: 100))
            {
                var text = (string?)key ?? string.Empty;
                var split = text.IndexOf(infix, StringComparison.Ordinal);
                if (split > 0 && ActiveGateways(await database.HashGetAllAsync(key)).Count > 0)
                {
                    clusters.Add((text[..split], text[(split + infix.Length)..]));
                }
            }
        }

        return new RedisMembership(gateways, [.. clusters]);
    }

    private static RedisKey MembersKey(string serviceId, string clusterId) => $"{serviceId}/members/{clusterId}";

    private static List<string> ActiveGateways(HashEntry[] entries)
    {
        var gateways = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.Name == "Version" || !entry.Value.HasValue)
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse((string)entry.Value!);
                var root = json.RootElement;
                if (!IsActive(root) || !root.TryGetProperty("ProxyPort", out var proxy) || !proxy.TryGetInt32(out var port) || port == 0)
                {
                    continue;
                }

                var host = root.TryGetProperty("HostName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
                var address = SiloHost(root) ?? host;
                if (address is not null)
                {
                    gateways.Add(address.Contains(':', StringComparison.Ordinal)
                        ? string.Create(CultureInfo.InvariantCulture, $"[{address}]:{port}")
                        : string.Create(CultureInfo.InvariantCulture, $"{address}:{port}"));
                }
            }
            catch (JsonException)
            {
                // Not a membership row this version understands: skip it.
            }
        }

        return gateways;
    }

    private static bool IsActive(JsonElement root) =>
        root.TryGetProperty("Status", out var status)
        && ((status.ValueKind == JsonValueKind.Number && status.TryGetInt32(out var code) && code == ActiveStatus)
            || (status.ValueKind == JsonValueKind.String && status.GetString() == "Active"));

    // The Redis table writes the silo address as {"SiloAddress": "ADDRESS:PORT@GENERATION"} (Orleans' parsable form).
    private static string? SiloHost(JsonElement root)
    {
        if (!root.TryGetProperty("SiloAddress", out var silo))
        {
            return null;
        }

        if (silo.ValueKind == JsonValueKind.Object && silo.TryGetProperty("SiloAddress", out var inner))
        {
            silo = inner;
        }

        if (silo.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = silo.GetString() ?? string.Empty;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var endpoint = at >= 0 ? text[..at] : text;
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 ? endpoint[..colon].Trim('[', ']') : null;
    }

    private static string Format(System.Net.EndPoint endpoint) => endpoint switch
    {
        System.Net.DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        _ => endpoint.ToString() ?? "?",
    };
}

/// <summary>What the Redis membership table says about a cluster.</summary>
/// <param name="Gateways">Gateways (<c>HOST:PORT</c>) of the silos listed as active.</param>
/// <param name="ActiveClusters">Every (service id, cluster id) with at least one active silo in this Redis.</param>
public sealed record RedisMembership(IReadOnlyList<string> Gateways, IReadOnlyList<(string ServiceId, string ClusterId)> ActiveClusters);
