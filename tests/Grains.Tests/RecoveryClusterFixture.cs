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

    // Recoveries a job may make, and iterations or steps between checkpoints (the silos read them from here too).
    private static int maxRecoveries = 5;
    private static int checkpointEvery = CheckpointEvery;

    private RecoveryCluster(RedisServer redis, TestCluster cluster)
    {
        Redis = redis;
        Cluster = cluster;
    }

    public RedisServer Redis { get; }

    public TestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>
    /// Starts the cluster; its jobs may recover from <paramref name="recoveries"/> silo losses each (0: a loss fails them)
    /// and checkpoint every <paramref name="every"/> iterations or steps.
    /// </summary>
    public static async Task<RecoveryCluster> StartAsync(int recoveries = 5, int every = CheckpointEvery)
    {
        checkpointEvery = every;
        var redis = await RedisServer.StartAsync();
        redisConnection = redis.Connection;
        maxRecoveries = recoveries;
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            // A cluster that did not start still owns its Redis server: stop it (by its pid) before failing the test.
            await cluster.DisposeAsync();
            await redis.DisposeAsync();
            throw;
        }

        return new RecoveryCluster(redis, cluster);
    }

    /// <summary>
    /// A job id and the secondary silo to kill (the primary holds the test cluster's membership): one holding a shard of
    /// the job (<paramref name="shards"/>), and its coordinator when <paramref name="withCoordinator"/>, else not its
    /// coordinator. <paramref name="create"/> creates the job under an id and returns its coordinator;
    /// <paramref name="release"/> releases a job whose placement does not fit.
    /// </summary>
    public async Task<(string Id, SiloHandle Victim)> PlaceAsync(Func<string, Task<IGrain>> create, Func<string, IEnumerable<IGrain>> shards, Func<string, Task> release, bool withCoordinator)
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        var primary = Cluster.Primary?.SiloAddress ?? throw new InvalidOperationException("no primary silo");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var id = $"recovery-{attempt}-{Guid.NewGuid():N}";
            var home = await management.GetActivationAddress(await create(id));
            if (!withCoordinator || !Equals(home, primary))
            {
                var hosts = new HashSet<SiloAddress>();
                foreach (var shard in shards(id))
                {
                    if (await management.GetActivationAddress(shard) is { } host)
                    {
                        hosts.Add(host);
                    }
                }

                var victim = Cluster.SecondarySilos.FirstOrDefault(s => hosts.Contains(s.SiloAddress) && withCoordinator == Equals(s.SiloAddress, home));
                if (victim is not null)
                {
                    return (id, victim);
                }
            }

            await release(id);

            // Shards go to the silo with the fewest activations once the silos have published their statistics; until
            // then they stay on their caller's silo. Give the statistics time to arrive.
            await Task.Delay(200);
        }

        throw new InvalidOperationException($"no placement gave a secondary silo holding a shard{(withCoordinator ? " and the coordinator" : " but not the coordinator")}");
    }

    /// <summary>
    /// Places a job (<see cref="PlaceAsync"/>), submits it, and kills the victim silo once <paramref name="poll"/> says the
    /// run reached the point to interrupt, returning the job's coordinator. A short run can end before the kill, or its
    /// shards can leave the victim first; a kill the run never met cannot be recovered from, so the case is placed and
    /// run again (at most 3 attempts) until the victim holds one of its shards at the kill and the run still has work.
    /// </summary>
    /// <param name="create">Creates the job under an id and returns its coordinator (see <see cref="PlaceAsync"/>).</param>
    /// <param name="shards">The job's shard grains.</param>
    /// <param name="release">Releases a job.</param>
    /// <param name="withCoordinator">Kill the coordinator's silo too.</param>
    /// <param name="submit">Submits the created job and returns its coordinator.</param>
    /// <param name="poll">(whether the run is over, whether it reached the point to kill at, whether it still has shard work to do).</param>
    /// <param name="log">Test output.</param>
    public async Task<T> KillDuringRunAsync<T>(
        Func<string, Task<IGrain>> create,
        Func<string, IEnumerable<IGrain>> shards,
        Func<string, Task> release,
        bool withCoordinator,
        Func<string, Task<T>> submit,
        Func<T, Task<(bool Over, bool Reached, bool WorkLeft)>> poll,
        Xunit.Abstractions.ITestOutputHelper log)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (id, victim) = await PlaceAsync(create, shards, release, withCoordinator);
            var submitted = await submit(id);
            bool over;
            while (true)
            {
                (over, var reached, _) = await poll(submitted);
                if (over || reached)
                {
                    break;
                }

                await Task.Delay(2);
            }

            var hosts = await HostsAsync(shards(id));
            if (!over && hosts.Contains(victim.SiloAddress))
            {
                await Cluster.KillSiloAsync(victim);
                log.WriteLine($"killed {victim.SiloAddress}");
                // Judged only if the run still had steps that need its shards when the kill had taken effect (a run that is
                // only writing its result cannot meet the loss).
                if (withCoordinator || await poll(submitted) is { Over: false, WorkLeft: true })
                {
                    return submitted;
                }

                await Cluster.StartAdditionalSiloAsync();
            }

            Xunit.Assert.True(attempt < 3, $"attempt {attempt}: the run ended before the kill took effect, or the victim held none of its shards when it came ({string.Join(", ", hosts)})");
            log.WriteLine($"attempt {attempt}: the run ended before the kill, or its shards had left the victim; again");
        }
    }

    /// <summary>The silos holding the activations of <paramref name="grains"/> right now (those not active are left out).</summary>
    public async Task<HashSet<SiloAddress>> HostsAsync(IEnumerable<IGrain> grains)
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        var hosts = new HashSet<SiloAddress>();
        foreach (var grain in grains)
        {
            if (await management.GetActivationAddress(grain) is { } host)
            {
                hosts.Add(host);
            }
        }

        return hosts;
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
            // As the product's silos (TransportRedis): a connection that fails under load is retried, not given up.
            var connection = StackExchange.Redis.ConfigurationOptions.Parse(redisConnection);
            connection.AbortOnConnectFail = false;
            siloBuilder.AddRedisGrainStorageAsDefault(storage => storage.ConfigurationOptions = connection);
            siloBuilder.UseRedisReminderService(reminders => reminders.ConfigurationOptions = connection.Clone());
            siloBuilder.Services.AddCatalogFlowModels();
            siloBuilder.Configure<CheckpointOptions>(checkpoints =>
            {
                checkpoints.Enabled = true;
                checkpoints.EveryIterations = checkpointEvery;
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

/// <summary>
/// The tests that build a <see cref="RecoveryCluster"/> run one after the other: the cluster's silos run in the test
/// process and read their Redis server and limits from its static fields, which two clusters built at once would share
/// (one cluster's silos then wrote to the other's Redis, and lost their storage when that test stopped its server).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RecoveryTestGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "recovery clusters";
}
