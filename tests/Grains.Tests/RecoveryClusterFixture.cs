using Orleans.Configuration;
using Orleans.TestingHost;

namespace Transport.Grains.Tests;

/// <summary>
/// Three in-memory silos whose grain storage is a real redis-server (so a silo's death loses no storage), with
/// checkpoints every few iterations and quick failure detection: the cluster the recovery tests kill silos of. A
/// test that kills a silo leaves the cluster smaller, so each such test builds its own.
/// </summary>
internal sealed class RecoveryCluster : IAsyncDisposable
{
    /// <summary>Iterations between two checkpoints.</summary>
    public const int CheckpointEvery = 5;

    // The silos run in this process: their configurator reads the server's address from here.
    private static string redisConnection = string.Empty;

    // Recoveries a job may make (the silos read it from here too).
    private static int maxRecoveries = 5;

    private RecoveryCluster(RedisServer redis, TestCluster cluster)
    {
        Redis = redis;
        Cluster = cluster;
    }

    public RedisServer Redis { get; }

    public TestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>Starts the cluster; its jobs may recover from <paramref name="recoveries"/> silo losses each (0: a loss fails them).</summary>
    public static async Task<RecoveryCluster> StartAsync(int recoveries = 5)
    {
        var redis = await RedisServer.StartAsync();
        redisConnection = redis.Connection;
        maxRecoveries = recoveries;
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new RecoveryCluster(redis, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connection = StackExchange.Redis.ConfigurationOptions.Parse(redisConnection);
            siloBuilder.AddRedisGrainStorageAsDefault(storage => storage.ConfigurationOptions = connection);
            siloBuilder.UseRedisReminderService(reminders => reminders.ConfigurationOptions = connection.Clone());
            siloBuilder.Services.AddCatalogFlowModels();
            siloBuilder.Configure<CheckpointOptions>(checkpoints =>
            {
                checkpoints.Enabled = true;
                checkpoints.EveryIterations = CheckpointEvery;
                checkpoints.MaxRecoveries = maxRecoveries;
            });
            siloBuilder.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromSeconds(1);
                membership.NumMissedProbesLimit = 2;
            });
        }
    }
}
