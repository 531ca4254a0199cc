using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

/// <summary>
/// A dense Sinkhorn-divergence run survives the loss of a silo that holds some of its shards: the shards are rebuilt
/// on the survivors from their sealed blocks (count and mass checked), rolled back to the last committed checkpoint,
/// and the loop resumes from the state saved with it. The result equals the uninterrupted run's.
/// </summary>
[Collection(RecoveryTestGroup.Name)]
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
    [InlineData("cross", false, false, 1)]
    [InlineData("cross", true, false, 1)]
    public async Task A_divergence_run_survives_the_loss_of_a_silo_with_the_uninterrupted_result(string problem, bool withCoordinator, bool multiscale, int every = RecoveryCluster.CheckpointEvery)
    {
        await using var recovery = await RecoveryCluster.StartAsync(every: every);
        var (source, target) = Problems.Clouds(300, 260, 2, seed: 23);
        var spec = Problems.Spec(source, target, epsilon: every == 1 ? 0.003 : 0.01, shards: 3, divergence: true, tolerance: every == 1 ? 1e-6 : 1e-9) with { Multiscale = multiscale, Levels = multiscale ? 3 : 0 };
        var client = new SinkhornJobClient(recovery.Grains);

        var expected = await client.RunAsync("recovery-uninterrupted", spec, source, target);
        Assert.Equal(0, expected.Result.Recoveries);
        Assert.True(multiscale || expected.Result.Checkpoints > 0, "the uninterrupted run wrote no checkpoint");
        Assert.True(expected.Result.Converged);
        Assert.True(multiscale || expected.Result.Iterations > 4 * RecoveryCluster.CheckpointEvery, $"only {expected.Result.Iterations} iterations: too short to interrupt");

        // Kill the silo once a checkpoint of the solve has been committed and before the run ends (placed and run again
        // when the kill came too late or missed the job's shards: see KillDuringRunAsync).
        var reachAt = multiscale ? 3 : every == 1 ? 60 : (2 * RecoveryCluster.CheckpointEvery) + 2;
        var coordinator = await recovery.KillDuringRunAsync(
            async id =>
            {
                var created = recovery.Grains.GetGrain<ISinkhornCoordinatorGrain>(id);
                await created.CreateAsync(spec);
                return created;
            },
            id => Enumerable.Range(0, spec.Shards).SelectMany(k => new[] { CloudSide.Source, CloudSide.Target }.Select(side => (IGrain)recovery.Grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(id, side, k)))),
            id => recovery.Grains.GetGrain<ISinkhornCoordinatorGrain>(id).ReleaseAsync(),
            withCoordinator,
            id => client.SubmitAsync(id, spec, source, target),
            async submitted =>
            {
                var status = await submitted.GetStatusAsync();
                return (status.IsTerminal, status.Progress.Problem == problem && status.Progress.Iteration >= reachAt, !status.IsTerminal);
            },
            log);

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
    /// A finished multiscale run's potentials and map live on the shards of their input rows, which store them: after a
    /// silo holding some of those shards dies, the download re-creates them and gives the same arrays as before.
    /// </summary>
    [Fact]
    public async Task A_finished_multiscale_run_serves_its_outputs_after_the_loss_of_a_silo()
    {
        await using var recovery = await RecoveryCluster.StartAsync();
        var (source, target) = Problems.Clouds(300, 260, 2, seed: 29);
        var spec = Problems.Spec(source, target, epsilon: 0.01, shards: 3, tolerance: 1e-7) with { Multiscale = true, Levels = 3 };
        var client = new SinkhornJobClient(recovery.Grains);
        var (id, victim) = await recovery.PlaceAsync(
            async id =>
            {
                var created = recovery.Grains.GetGrain<ISinkhornCoordinatorGrain>(id);
                await created.CreateAsync(spec);
                return created;
            },
            id => Enumerable.Range(0, spec.Shards).SelectMany(k => new[] { CloudSide.Source, CloudSide.Target }.Select(side => (IGrain)recovery.Grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(id, side, k)))),
            id => recovery.Grains.GetGrain<ISinkhornCoordinatorGrain>(id).ReleaseAsync(),
            withCoordinator: false);
        var coordinator = await client.SubmitAsync(id, spec, source, target);
        Assert.Equal(JobState.Completed, (await client.WaitAsync(coordinator)).State);
        var before = await SinkhornJobClient.DownloadAsync(coordinator, source.Count, target.Count, source.Dimension);

        await recovery.Cluster.KillSiloAsync(victim);
        log.WriteLine($"killed {victim.SiloAddress} after the run");
        var after = await SinkhornJobClient.DownloadAsync(coordinator, source.Count, target.Count, source.Dimension);

        // Read back from storage: the same values, bit for bit.
        Assert.Equal(before.F, after.F);
        Assert.Equal(before.G, after.G);
        Assert.Equal(before.Map, after.Map);
        Assert.NotEqual(0, before.F.Max(Math.Abs));
    }
}
