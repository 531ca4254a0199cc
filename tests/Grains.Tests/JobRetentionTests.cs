using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Transport.Grains.Interfaces;

namespace Transport.Grains.Tests;

/// <summary>
/// A job that ended longer than <c>Transport:JobRetention</c> ago is released by the registry: it leaves the list and its
/// shards' activations go (here with a 2-second retention on a cluster of its own).
/// </summary>
public sealed class JobRetentionTests : IAsyncLifetime
{
    private TestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Transport:JobRetention"] = "00:00:02" }));
        builder.AddSiloBuilderConfigurator<RetentionSilo>();
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await cluster.StopAllSilosAsync();

    [Fact]
    public async Task An_ended_job_expires_after_the_retention_and_its_shards_are_released()
    {
        var grains = cluster.GrainFactory;
        var registry = grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);
        var (source, target) = Problems.Clouds(30, 30, 2, seed: 51);
        await new SinkhornJobClient(grains).RunAsync("expiring", Problems.Spec(source, target, epsilon: 0.1, shards: 2), source, target);
        Assert.NotNull(await registry.GetAsync("expiring"));
        Assert.True(await ShardActivationsAsync() >= 4);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await registry.GetAsync("expiring") is not null || await ShardActivationsAsync() > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Null(await registry.GetAsync("expiring"));
        Assert.Equal(0, await ShardActivationsAsync());
    }

    private async Task<int> ShardActivationsAsync()
    {
        var statistics = await cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains("SinkhornShardGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    private sealed class RetentionSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddMemoryGrainStorageAsDefault();
    }
}
