using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>Reports the hosting silo's messaging options (see <see cref="IClusterLimitsGrain"/>).</summary>
[StatelessWorker]
public sealed class ClusterLimitsGrain(IOptions<SiloMessagingOptions> messaging) : Grain, IClusterLimitsGrain
{
    /// <inheritdoc />
    public Task<ClusterLimits> GetAsync() => Task.FromResult(new ClusterLimits(messaging.Value.MaxMessageBodySize, messaging.Value.ResponseTimeout));
}
