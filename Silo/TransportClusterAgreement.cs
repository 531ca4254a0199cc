using System.Globalization;
using StackExchange.Redis;

namespace Transport.Silo;

/// <summary>
/// What the silos of one cluster must agree on, checked by a silo joining through Redis membership before it starts:
/// <list type="bullet">
/// <item>the service id: Orleans keys membership by (service id, cluster id), so a silo with the cluster's id but
/// another service id would silently form a second cluster with separate storage;</item>
/// <item>the message limit (<c>MaxMessageBodySize</c>): silos that disagree fail each other's large messages at run
/// time. The first silo of a cluster records its limit in Redis (<c>SERVICE/transport-settings/CLUSTER</c>); a silo
/// joining while the cluster has active silos must match it. A cluster with no active silo takes the newcomer's
/// limit.</item>
/// </list>
/// Clients check the message limit against a silo through <c>IClusterLimitsGrain</c>, which works with static
/// gateways too.
/// </summary>
public static class TransportClusterAgreement
{
    private const string LimitField = "MaxMessageBodySize";

    /// <summary>Throws a <see cref="TransportSettingsException"/> naming the first setting that disagrees with the running cluster.</summary>
    public static async Task CheckAsync(IConnectionMultiplexer redis, TransportSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        var membership = await TransportRedis.ReadMembershipAsync(redis, options.ServiceId, options.ClusterId);
        var others = membership.ActiveClusters.Where(c => c.ClusterId == options.ClusterId && c.ServiceId != options.ServiceId).Select(c => c.ServiceId).ToArray();
        if (others.Length > 0)
        {
            throw new TransportSettingsException(
                TransportSettings.Name(nameof(TransportSiloOptions.ServiceId)),
                $"is '{options.ServiceId}', but cluster '{options.ClusterId}' on this Redis runs with service id '{string.Join("', '", others)}': this silo would form a second cluster with its own storage (use the same ServiceId, or another ClusterId for a separate cluster)");
        }

        var database = redis.GetDatabase();
        var key = (RedisKey)$"{options.ServiceId}/transport-settings/{options.ClusterId}";
        var recorded = await database.HashGetAsync(key, LimitField);
        if (membership.Gateways.Count > 0 && recorded.HasValue && (int)recorded != options.MaxMessageBodySize)
        {
            throw new TransportSettingsException(
                TransportSettings.Name(nameof(TransportSiloOptions.MaxMessageBodySize)),
                string.Create(CultureInfo.InvariantCulture, $"is {options.MaxMessageBodySize} bytes, but the active silos of cluster '{options.ClusterId}' use {(int)recorded}: silos and clients must use the same message limit"));
        }

        await database.HashSetAsync(key, LimitField, options.MaxMessageBodySize);
    }
}
