using Orleans.TestingHost;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

/// <summary>
/// A dense Sinkhorn-divergence run survives the loss of a silo that holds some of its shards: the shards are rebuilt
/// on the survivors from their sealed blocks (count and mass checked), rolled back to the last committed checkpoint,
/// and the loop resumes from the state saved with it. The result equals the uninterrupted run's.
/// </summary>
public sealed class SinkhornRecoveryTests(ITestOutputHelper log)
{
    // The resumed loop repeats the uninterrupted one's arithmetic from the checkpoint on (same potentials, same schedule
    // state, partials summed in the same shard order): equal to rounding, and the contract is 1e-9 relative.
    private const double Relative = 1e-9;

    /// <summary>
    /// The silo dies during the cross solve (its shards roll back to the cross checkpoint), or during the source's self
    /// solve (the finished cross solve's potentials and map, which the client downloads at the end, come back from
    /// their final slot). It holds shards only, or the coordinator too: then the client's next poll activates the
    /// coordinator on a survivor, which reads the job's record back and resumes it.
    /// </summary>
    /// <remarks>
    /// A multiscale run writes no checkpoint of its iterations: it starts again from its sealed blocks (the same numbers,
    /// since the solve is deterministic), and a coordinator that completed it stores its potentials and map.
    /// </remarks>
    [Theory]
    [InlineData("cross", false, false)]
    [InlineData("self-source", false, false)]
    [InlineData("cross", true, false)]
    [InlineData("self-target", true, false)]
    [InlineData("self-source", false, true)]
    [InlineData("cross", true, true)]
    public async Task A_divergence_run_survives_the_loss_of_a_silo_with_the_uninterrupted_result(string problem, bool withCoordinator, bool multiscale)
    {
        await using var recovery = await RecoveryCluster.StartAsync();
        var (source, target) = Problems.Clouds(300, 260, 2, seed: 23);
        var spec = Problems.Spec(source, target, epsilon: 0.01, shards: 3, divergence: true) with { Multiscale = multiscale, Levels = multiscale ? 3 : 0 };
        var client = new SinkhornJobClient(recovery.Grains);

        var expected = await client.RunAsync("recovery-uninterrupted", spec, source, target);
        Assert.Equal(0, expected.Result.Recoveries);
        Assert.True(multiscale || expected.Result.Checkpoints > 0, "the uninterrupted run wrote no checkpoint");
        Assert.True(expected.Result.Converged);
        Assert.True(multiscale || expected.Result.Iterations > 4 * RecoveryCluster.CheckpointEvery, $"only {expected.Result.Iterations} iterations: too short to interrupt");

        var (id, victim) = await PlaceAsync(recovery, spec, withCoordinator);
        var coordinator = await client.SubmitAsync(id, spec, source, target);

        // Kill the silo once a checkpoint of the solve has been committed and before the run ends.
        while (true)
        {
            var status = await coordinator.GetStatusAsync();
            Assert.False(status.IsTerminal, $"the run ended ({status.State}) before the silo could be killed");
            if (status.Progress.Problem == problem && status.Progress.Iteration >= (multiscale ? 3 : (2 * RecoveryCluster.CheckpointEvery) + 2))
            {
                break;
            }

            await Task.Delay(5);
        }

        await recovery.Cluster.KillSiloAsync(victim);
        log.WriteLine($"killed {victim.SiloAddress}");
        var ended = await client.WaitAsync(coordinator);
        Assert.True(ended.State == JobState.Completed, $"{ended.State}: {ended.Error}");
        var actual = await SinkhornJobClient.DownloadAsync(coordinator, source.Count, target.Count, source.Dimension);

        Assert.True(actual.Result.Recoveries >= 1, "the run did not recover: the victim held none of its shards?");
        log.WriteLine($"recoveries {actual.Result.Recoveries}, checkpoints {actual.Result.Checkpoints}, iterations {actual.Result.Iterations}");
        Assert.Equal(expected.Result.Iterations, actual.Result.Iterations);
        Assert.Equal(expected.Result.Converged, actual.Result.Converged);
        foreach (var (name, e, a) in new[]
        {
            ("cost", expected.Result.Cost, actual.Result.Cost),
            ("dual", expected.Result.Dual, actual.Result.Dual),
            ("divergence", expected.Result.Divergence!.Value, actual.Result.Divergence!.Value),
            ("marginal error", expected.Result.MarginalError, actual.Result.MarginalError),
        })
        {
            Problems.AssertClose(e, a, Relative, 1e-300, name);
        }

        foreach (var (name, e, a) in new[] { ("f", expected.F, actual.F), ("g", expected.G, actual.G), ("map", expected.Map, actual.Map) })
        {
            var scale = Math.Max(1.0, e.Max(Math.Abs));
            Assert.Equal(e.Length, a.Length);
            Assert.All(e.Zip(a), p => Assert.True(Math.Abs(p.First - p.Second) <= Relative * scale, $"{name}: {p.First:R} vs {p.Second:R}"));
        }
    }

    /// <summary>
    /// A job id and the secondary silo to kill (the primary holds the test cluster's membership): one holding at least one
    /// shard, and the coordinator when <paramref name="withCoordinator"/> (else not the coordinator).
    /// </summary>
    private static async Task<(string Id, SiloHandle Victim)> PlaceAsync(RecoveryCluster recovery, SinkhornJobSpec spec, bool withCoordinator)
    {
        var management = recovery.Grains.GetGrain<IManagementGrain>(0);
        var primary = recovery.Cluster.Primary?.SiloAddress ?? throw new InvalidOperationException("no primary silo");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var id = $"recovery-{attempt}-{Guid.NewGuid():N}";
            var coordinator = recovery.Grains.GetGrain<ISinkhornCoordinatorGrain>(id);
            await coordinator.CreateAsync(spec);
            var home = await management.GetActivationAddress(coordinator);
            if (!withCoordinator || !Equals(home, primary))
            {
                var offsets = ShardLayout.Split(spec.SourceCount, spec.Shards);
                var shards = Enumerable.Range(0, offsets.Length - 1)
                    .SelectMany(k => new[] { CloudSide.Source, CloudSide.Target }.Select(side => recovery.Grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(id, side, k))));
                var hosts = new HashSet<SiloAddress>();
                foreach (var shard in shards)
                {
                    if (await management.GetActivationAddress(shard) is { } host)
                    {
                        hosts.Add(host);
                    }
                }

                var victim = recovery.Cluster.SecondarySilos.FirstOrDefault(s => hosts.Contains(s.SiloAddress) && withCoordinator == Equals(s.SiloAddress, home));
                if (victim is not null)
                {
                    return (id, victim);
                }
            }

            await coordinator.ReleaseAsync();

            // Shards go to the silo with the fewest activations once the silos have published their statistics; until
            // then they stay on their caller's silo. Give the statistics time to arrive.
            await Task.Delay(200);
        }

        throw new InvalidOperationException($"no placement gave a secondary silo holding a shard{(withCoordinator ? " and the coordinator" : " but not the coordinator")}");
    }
}
