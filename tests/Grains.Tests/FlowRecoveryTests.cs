using Orleans.TestingHost;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

/// <summary>
/// A flow run survives the loss of a silo holding some of its shards, or its coordinator: the shards are rebuilt on the
/// survivors from their sealed blocks, every shard rolls back to the last committed checkpoint (count and mass checked
/// bit for bit), and the driver resumes from the state saved with it. The trajectory equals the uninterrupted run's.
/// </summary>
[Collection(RecoveryTestGroup.Name)]
public sealed class FlowRecoveryTests(ITestOutputHelper log)
{
    // The resumed driver repeats the uninterrupted run's arithmetic from the checkpoint on (same particles, same step
    // counter keying the noise, same warm starts, partials summed in the same shard order): equal to rounding, and the
    // contract is 1e-9 relative.
    private const double Relative = 1e-9;

    private const int Particles = 60;

    /// <summary>
    /// Noise keyed by (seed, particle, step) must replay identically (Langevin, Euler-Maruyama); a model that keeps
    /// warm-start potentials between stages must get them back (Sinkhorn-divergence flow, dense or multiscale, restored
    /// from the coordinator's storage when the coordinator itself was lost); the adaptive controller's next step size must be restored
    /// (interaction, Dormand-Prince).
    /// </summary>
    [Theory]
    [InlineData("langevin", """{"model": "langevin", "lambda": 1.0, "temperature": 0.5, "integrator": "euler-maruyama"}""", FlowIntegrator.EulerMaruyama, false)]
    [InlineData("sinkhorn-flow", """{"model": "sinkhorn-flow", "epsilon": 0.1, "cost": "half-sqeuclidean", "integrator": "euler"}""", FlowIntegrator.Euler, true)]
    [InlineData("interaction", """{"model": "interaction", "kernel": "gaussian-repulsive", "length_scale": 0.8, "integrator": "adaptive"}""", FlowIntegrator.Adaptive, true)]
    [InlineData("sinkhorn-flow", """{"model": "sinkhorn-flow", "epsilon": 0.1, "cost": "half-sqeuclidean", "integrator": "euler"}""", FlowIntegrator.Euler, true, true)]
    [InlineData("sinkhorn-flow", """{"model": "sinkhorn-flow", "epsilon": 0.01, "cost": "half-sqeuclidean", "integrator": "euler", "multiscale": true, "levels": 3}""", FlowIntegrator.Euler, true, false, 0.5)]
    [InlineData("langevin", """{"model": "langevin", "lambda": 1.0, "temperature": 0.5, "integrator": "euler-maruyama"}""", FlowIntegrator.EulerMaruyama, true, false, 1.5, true)]
    public async Task A_flow_run_survives_the_loss_of_a_silo_with_the_uninterrupted_trajectory(string model, string json, FlowIntegrator integrator, bool withCoordinator, bool uploadedData = false, double endTime = 1.5, bool eulerian = false)
    {
        await using var recovery = await RecoveryCluster.StartAsync();
        const int Dimension = 2;
        var start = FlowData.Gaussian(Particles, Dimension, 31, 1.5);
        var data = new FlowModelData(model == "sinkhorn-flow" ? Transport.Numerics.Geometry.PointCloud.Create(FlowData.Gaussian(40, Dimension, 5, 0.5), 40, Dimension) : null, null);
        var modelSpec = CatalogFlowModels.Describe(model, json, Dimension, data);
        var options = new FlowOptions { Integrator = integrator, Step = 0.01, EndTime = integrator == FlowIntegrator.Adaptive ? 40 : endTime, SnapshotEvery = 7, Seed = 19, RelativeTolerance = 1e-9, AbsoluteTolerance = 1e-11 };
        if (eulerian)
        {
            // The density's rows live in the checkpoints with the diagnostics: a resumed run must give them back whole.
            options = options with { Eulerian = new Transport.Numerics.Flows.Eulerian.EulerianOptions { Grid = 10, Lower = [-4, -4], Upper = [4, 4], Modes = 5 } };
        }

        var spec = FlowJobSpec.From(modelSpec, Particles, Dimension, 3, options);
        // With uploadedData the target goes up in chunks after the job is created: a coordinator activated after the loss
        // builds the model from the data it stored, a re-created shard from its sealed setup.
        var client = new FlowJobClient(recovery.Grains) { InlineDataBytes = uploadedData ? 0 : FlowModelSpec.InlineDataBytes };

        var expected = await client.RunAsync($"flow-uninterrupted-{model}-{uploadedData}", spec, start, ReadOnlyMemory<double>.Empty);
        Assert.Equal(0, expected.Result.Recoveries);
        Assert.True(expected.Result.Checkpoints > 0, "the uninterrupted run wrote no checkpoint");
        Assert.True(expected.Result.Steps > 6 * RecoveryCluster.CheckpointEvery, $"only {expected.Result.Steps} steps: too short to interrupt");

        var coordinator = await recovery.KillDuringRunAsync(
            Create(recovery, spec),
            id => Shards(recovery, spec, id),
            id => recovery.Grains.GetGrain<IFlowCoordinatorGrain>(id).ReleaseAsync(),
            withCoordinator,
            id => client.SubmitAsync(id, spec, start, ReadOnlyMemory<double>.Empty),
            async submitted =>
            {
                var status = await submitted.GetStatusAsync();
                return (status.IsTerminal, status.Progress.Step >= (2 * RecoveryCluster.CheckpointEvery) + 2, status.Progress.Step < expected.Result.Steps - 1);
            },
            log);
        var ended = await client.WaitAsync(coordinator);
        Assert.True(ended.State == JobState.Completed, $"{ended.State}: {ended.Error}");
        var actual = await FlowJobClient.DownloadAsync(coordinator);
        log.WriteLine($"recoveries {actual.Result.Recoveries}, checkpoints {actual.Result.Checkpoints}, steps {actual.Result.Steps}");

        Assert.True(actual.Result.Recoveries >= 1, "the run did not recover: the victim held none of its shards?");
        Assert.Equal(Particles, actual.Result.Count);
        var (e, a) = (expected.Trajectory, actual.Trajectory);
        Assert.Equal(e.Steps, a.Steps);
        Assert.Equal(e.RejectedSteps, a.RejectedSteps);
        Assert.Equal(e.Snapshots.Count, a.Snapshots.Count);
        Assert.Equal(e.Diagnostics.Count, a.Diagnostics.Count);
        for (var s = 0; s < e.Snapshots.Count; s++)
        {
            Assert.Equal(e.Snapshots[s].Step, a.Snapshots[s].Step);
            Problems.AssertClose(e.Snapshots[s].Time, a.Snapshots[s].Time, Relative, 1e-300, $"snapshot {s} time");
            for (var i = 0; i < e.Snapshots[s].Positions.Length; i++)
            {
                var (x, y) = (e.Snapshots[s].Positions[i], a.Snapshots[s].Positions[i]);
                Assert.True(Math.Abs(x - y) <= Relative * Math.Max(1, Math.Abs(x)), $"snapshot {s}, value {i}: {x:R} vs {y:R}");
            }
        }

        for (var r = 0; r < e.Diagnostics.Count; r++)
        {
            var (x, y) = (e.Diagnostics[r], a.Diagnostics[r]);
            Assert.Equal(x.Step, y.Step);
            Assert.True(double.IsNaN(x.Energy) ? double.IsNaN(y.Energy) : Math.Abs(x.Energy - y.Energy) <= Relative * Math.Max(1, Math.Abs(x.Energy)), $"energy row {r}: {x.Energy:R} vs {y.Energy:R}");
            Assert.True(Math.Abs(x.StepSize - y.StepSize) <= Relative * x.StepSize, $"step size row {r}: {x.StepSize:R} vs {y.StepSize:R}");
            Assert.Equal(x.Eulerian?.Length, y.Eulerian?.Length);
            for (var k = 0; k < (x.Eulerian?.Length ?? 0); k++)
            {
                Assert.True(Math.Abs(x.Eulerian![k] - y.Eulerian![k]) <= Relative * Math.Max(1, Math.Abs(x.Eulerian[k])), $"Eulerian row {r}, value {k}: {x.Eulerian[k]:R} vs {y.Eulerian[k]:R}");
            }
        }

        Assert.Equal(eulerian, e.Diagnostics.All(row => row.Eulerian is not null));
    }

    /// <summary>
    /// A run that may not recover (the cluster allows no recovery) fails at the silo's loss with the reason and keeps its
    /// last checkpoint; <c>ResumeAsync</c> (what <c>transport runs resume ID</c> calls) continues it from there to the
    /// uninterrupted trajectory. A job that did not fail cannot be resumed.
    /// </summary>
    [Fact]
    public async Task A_flow_that_could_not_recover_fails_and_resumes_from_its_checkpoint_to_the_uninterrupted_trajectory()
    {
        await using var recovery = await RecoveryCluster.StartAsync(recoveries: 0);
        const int Dimension = 2;
        var start = FlowData.Gaussian(Particles, Dimension, 31, 1.5);
        var modelSpec = CatalogFlowModels.Describe("langevin", """{"model": "langevin", "lambda": 1.0, "temperature": 0.5, "integrator": "euler-maruyama"}""", Dimension, new FlowModelData(null, null));
        var options = new FlowOptions { Integrator = FlowIntegrator.EulerMaruyama, Step = 0.01, EndTime = 6, SnapshotEvery = 25, Seed = 19 };
        var spec = FlowJobSpec.From(modelSpec, Particles, Dimension, 3, options);
        var client = new FlowJobClient(recovery.Grains);
        var expected = await client.RunAsync("flow-uninterrupted", spec, start, ReadOnlyMemory<double>.Empty);
        var refused = await Assert.ThrowsAsync<JobInputException>(() => recovery.Grains.GetGrain<IFlowCoordinatorGrain>("flow-uninterrupted").ResumeAsync());
        Assert.Equal("id", refused.Field);

        var (id, victim) = await Place(recovery, spec, withCoordinator: false);
        var coordinator = await client.SubmitAsync(id, spec, start, ReadOnlyMemory<double>.Empty);
        while ((await coordinator.GetStatusAsync()) is { IsTerminal: false, Progress.Step: < (2 * RecoveryCluster.CheckpointEvery) + 2 })
        {
            await Task.Delay(2);
        }

        await recovery.Cluster.KillSiloAsync(victim);
        var failed = await client.WaitAsync(coordinator);
        Assert.True(failed.State == JobState.Failed, $"{failed.State}: a run allowed no recovery went on");
        Assert.False(string.IsNullOrWhiteSpace(failed.Error));
        log.WriteLine($"failed: {failed.Error}");

        await coordinator.ResumeAsync();
        var ended = await client.WaitAsync(coordinator);
        Assert.True(ended.State == JobState.Completed, $"{ended.State}: {ended.Error}");
        var actual = await FlowJobClient.DownloadAsync(coordinator);
        Assert.True(actual.Result.Recoveries >= 1);
        Assert.Equal(expected.Trajectory.Steps, actual.Trajectory.Steps);
        for (var s = 0; s < expected.Trajectory.Snapshots.Count; s++)
        {
            Assert.Equal(expected.Trajectory.Snapshots[s].Positions, actual.Trajectory.Snapshots[s].Positions);
        }
    }

    /// <summary>A run id and the silo to kill (see <see cref="RecoveryCluster.PlaceAsync"/>).</summary>
    private static Task<(string Id, SiloHandle Victim)> Place(RecoveryCluster recovery, FlowJobSpec spec, bool withCoordinator) =>
        recovery.PlaceAsync(
            Create(recovery, spec),
            id => Shards(recovery, spec, id),
            id => recovery.Grains.GetGrain<IFlowCoordinatorGrain>(id).ReleaseAsync(),
            withCoordinator);

    private static Func<string, Task<IGrain>> Create(RecoveryCluster recovery, FlowJobSpec spec) =>
        async id =>
        {
            var created = recovery.Grains.GetGrain<IFlowCoordinatorGrain>(id);
            await created.CreateAsync(spec);
            return created;
        };

    private static IEnumerable<IGrain> Shards(RecoveryCluster recovery, FlowJobSpec spec, string id) =>
        Enumerable.Range(0, spec.Shards).Select(k => (IGrain)recovery.Grains.GetGrain<IFlowShardGrain>(FlowLayout.ShardKey(id, k)));
}
