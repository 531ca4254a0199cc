using Orleans.TestingHost;

namespace Transport.Grains.Tests;

/// <summary>
/// An in-memory test cluster of three silos (the multiscale shards of one solve land on different silos), configured
/// like <see cref="ClusterFixture"/>; only the tests that need a third silo use it.
/// </summary>
public sealed class ThreeSiloClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddMemoryGrainStorageAsDefault();
    }
}

[CollectionDefinition(Name)]
public sealed class ThreeSiloClusterTestGroup : ICollectionFixture<ThreeSiloClusterFixture>
{
    public const string Name = "three-silo cluster";
}
