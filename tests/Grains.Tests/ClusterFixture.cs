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
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorageAsDefault();

            // As the product's silos: grain calls carry the caller's trace context.
            siloBuilder.AddActivityPropagation();
            siloBuilder.Services.AddCatalogFlowModels();
            foreach (var (name, build) in FlowTestModels.Builders)
            {
                siloBuilder.Services.AddFlowModel(name, build);
            }
        }
    }
}

/// <summary>The test client propagates trace context as the product's clients do.</summary>
internal sealed class ClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddActivityPropagation();
}

[CollectionDefinition(Name)]
public sealed class ClusterTestGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
