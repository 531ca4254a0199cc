namespace Transport.Cluster.Tests;

/// <summary>
/// Its own Redis and two silo processes with mutual TLS (the node certificate of <see cref="TestCertificates"/>, issued
/// by their CA), so that the shared cluster stays plain. Both silos being listed as active shows that silo-to-silo
/// connections work over TLS: Orleans activates a silo only once it has reached the active ones.
/// </summary>
public sealed class TlsClusterFixture : RedisClusterFixture
{
    internal TestCertificates Certificates { get; } = new();

    protected override int InitialSilos => 2;

    protected override IReadOnlyList<string> ExtraSiloArguments => TestCertificates.SiloArguments(Certificates.NodePfx, Certificates.CaPem);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TlsCluster : ICollectionFixture<TlsClusterFixture>
{
    public const string Name = "tls cluster";
}
