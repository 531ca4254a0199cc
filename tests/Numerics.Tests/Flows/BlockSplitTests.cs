using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

public sealed class BlockSplitTests
{
    // Per-particle arithmetic is identical for every split; only the block-order addition of partial sums,
    // energies and error partials rounds differently, which stays far below 1e-12 relative over these runs.
    private const double Relative = 1e-12;

    [Theory]
    [InlineData(FlowIntegrator.Euler, 0.0)]
    [InlineData(FlowIntegrator.Heun, 0.0)]
    [InlineData(FlowIntegrator.Rk4, 0.0)]
    [InlineData(FlowIntegrator.Adaptive, 0.0)]
    [InlineData(FlowIntegrator.EulerMaruyama, 0.3)]
    public async Task One_three_and_eight_blocks_give_the_same_trajectory(FlowIntegrator integrator, double noise)
    {
        var model = new PairModel(noise);
        var start = FlowRuns.Gaussian(41, 2, 17, 2.0);
        var weights = Enumerable.Range(0, 41).Select(i => 1.0 + (i % 5)).ToArray();
        var total = weights.Sum();
        weights = weights.Select(w => w / total).ToArray();
        var options = new FlowOptions { Integrator = integrator, Step = 0.05, EndTime = 1.0, SnapshotEvery = 4, Seed = 77, RelativeTolerance = 1e-7, AbsoluteTolerance = 1e-9 };
        var reference = await FlowRuns.RunAsync(model, start, options, blocks: 1, weights: weights);
        foreach (var blocks in new[] { 3, 8 })
        {
            var split = await FlowRuns.RunAsync(model, start, options, blocks, weights: weights);
            Assert.Equal(reference.Snapshots.Count, split.Snapshots.Count);
            Assert.Equal(reference.Steps, split.Steps);
            Assert.Equal(reference.RejectedSteps, split.RejectedSteps);
            for (var s = 0; s < reference.Snapshots.Count; s++)
            {
                Assert.Equal(reference.Snapshots[s].Time, split.Snapshots[s].Time);
                AssertClose(reference.Snapshots[s].Positions, split.Snapshots[s].Positions);
            }

            AssertClose(reference.Diagnostics.Select(d => d.Energy).ToArray(), split.Diagnostics.Select(d => d.Energy).ToArray());
            AssertClose(reference.Diagnostics.Select(d => d.KineticEnergy).ToArray(), split.Diagnostics.Select(d => d.KineticEnergy).ToArray());
            AssertClose(reference.Diagnostics.Select(d => d.StepSize).ToArray(), split.Diagnostics.Select(d => d.StepSize).ToArray());
        }

        Assert.NotEqual(start, reference.FinalPositions);
    }

    [Fact]
    public void Partition_covers_every_id_once_in_order()
    {
        foreach (var blocks in new[] { 1, 3, 8, 41 })
        {
            var next = 0;
            for (var b = 0; b < blocks; b++)
            {
                var (start, count) = FlowPartition.Range(41, blocks, b);
                Assert.Equal(next, start);
                Assert.True(count >= 1);
                next += count;
            }

            Assert.Equal(41, next);
        }
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var scale = Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Relative * scale, $"entry {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
