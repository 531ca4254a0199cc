using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// A flow resumed from a checkpoint (the driver's state, the particles saved with it, a model built afresh and given
/// the saved state back) continues exactly as the uninterrupted run: same steps, same step sizes, same snapshots, bit
/// for bit, since it repeats the same arithmetic in the same order. This is what a cluster's recovery relies on.
/// </summary>
public sealed class FlowResumeTests
{
    private const int Particles = 30;

    private static readonly FlowModelData Data = new(PointCloud.Create(TestData.Points(25, 2, seed: 3), 25, 2), null);

    [Theory]
    [InlineData("langevin", """{"lambda": 1.0, "temperature": 0.5}""", FlowIntegrator.EulerMaruyama)]
    [InlineData("interaction", """{"kernel": "gaussian-repulsive", "length_scale": 0.8}""", FlowIntegrator.Adaptive)]
    [InlineData("sinkhorn-flow", """{"epsilon": 0.1, "cost": "half-sqeuclidean"}""", FlowIntegrator.Euler)]
    [InlineData("sinkhorn-flow", """{"epsilon": 0.1, "cost": "half-sqeuclidean", "multiscale": true}""", FlowIntegrator.Heun)]
    public async Task A_run_resumed_from_any_checkpoint_equals_the_uninterrupted_run_bit_for_bit(string name, string json, FlowIntegrator integrator)
    {
        var start = TestData.Points(Particles, 2, seed: 8);
        var options = new FlowOptions { Integrator = integrator, Step = 0.02, EndTime = integrator == FlowIntegrator.Adaptive ? 5 : 0.4, SnapshotEvery = 3, Seed = 4, RelativeTolerance = 1e-8, AbsoluteTolerance = 1e-10 };
        IFlowModel Build() => FlowModelCatalog.Build(name, 2, JsonSpecReader.Parse(json), Data);

        var model = Build();
        var backend = new LocalFlowBackend(model, start, [], options, blockCount: 3);
        var sink = new RecordingSink(backend);
        var uninterrupted = await FlowDriver.RunAsync(backend, model, options, null, sink, null, CancellationToken.None);
        Assert.True(sink.Saved.Count >= 3, $"only {sink.Saved.Count} checkpoints");
        if (name == "sinkhorn-flow")
        {
            Assert.All(sink.Saved, s => Assert.NotNull(s.State.ModelState));
        }

        foreach (var (state, positions) in sink.Saved.Where((_, k) => k % 2 == 1))
        {
            var fresh = Build();
            var resumedBackend = new LocalFlowBackend(fresh, positions, [], options, blockCount: 3);
            var resumed = await FlowDriver.RunAsync(resumedBackend, fresh, options, null, null, state, CancellationToken.None);

            Assert.Equal(uninterrupted.Steps, resumed.Steps);
            Assert.Equal(uninterrupted.RejectedSteps, resumed.RejectedSteps);
            Assert.Equal(uninterrupted.FinalTime, resumed.FinalTime);
            Assert.Equal(uninterrupted.Snapshots.Select(s => s.Step), resumed.Snapshots.Select(s => s.Step));
            for (var s = 0; s < uninterrupted.Snapshots.Count; s++)
            {
                Assert.Equal(uninterrupted.Snapshots[s].Positions, resumed.Snapshots[s].Positions);
            }

            Assert.Equal(uninterrupted.Diagnostics.Select(r => (r.Step, r.StepSize, r.Energy)), resumed.Diagnostics.Select(r => (r.Step, r.StepSize, r.Energy)));
        }
    }

    /// <summary>Checkpoints every second step, with the particles at that step (what shards would save).</summary>
    private sealed class RecordingSink(LocalFlowBackend backend) : IFlowCheckpoints
    {
        public List<(FlowRunCheckpoint State, double[] Positions)> Saved { get; } = [];

        public bool Due(long steps) => steps % 2 == 0;

        public async Task SaveAsync(FlowRunCheckpoint state, CancellationToken cancellationToken) =>
            Saved.Add((state, await backend.GatherPositionsAsync(cancellationToken)));
    }
}
