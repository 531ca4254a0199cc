using Orleans.TestingHost;

namespace Transport.Grains.Tests;

/// <summary>An in-memory test cluster of two silos, configured like a real one.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.Services.AddCatalogFlowModels();
            foreach (var (name, build) in FlowTestModels.Builders)
            {
                siloBuilder.Services.AddFlowModel(name, build);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterTestGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
