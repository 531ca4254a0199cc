namespace Transport.Grains.Interfaces;

/// <summary>
/// The limits a silo runs with, asked by a client right after it connects: a client whose message limit differs from
/// the silos' would fail large uploads or downloads at run time, so it refuses to start instead. A stateless worker,
/// answered by the gateway's own silo; any key.
/// </summary>
[Alias("Transport.IClusterLimitsGrain")]
public interface IClusterLimitsGrain : IGrainWithIntegerKey
{
    /// <summary>The silo's message limits.</summary>
    [Alias("Get")]
    Task<ClusterLimits> GetAsync();
}

/// <summary>A silo's message limits.</summary>
/// <param name="MaxMessageBodySize">Largest message body in bytes.</param>
/// <param name="ResponseTimeout">How long a call waits for its response.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.ClusterLimits")]
public sealed record ClusterLimits([property: Id(0)] int MaxMessageBodySize, [property: Id(1)] TimeSpan ResponseTimeout);
