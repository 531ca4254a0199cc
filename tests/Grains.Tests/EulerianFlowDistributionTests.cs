using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Eulerian;
using Transport.Numerics.Flows.Models;

namespace Transport.Grains.Tests;

/// <summary>
/// The Eulerian partials of a flow on the cluster (each shard sums its particles, the coordinator adds the shards'
/// partials) equal the single-process run's for 1, 3 and 8 shards, grids at the snapshot rows included, after the client
/// downloaded them (the moments and test functions of every row, the grids of the snapshot rows).
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class EulerianFlowDistributionTests(ClusterFixture fixture)
{
    private const int Particles = 60;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Eulerian_rows_on_the_cluster_equal_the_single_process_rows(int shards)
    {
        const int d = 2;
        var random = new Random(21);
        var start = Enumerable.Range(0, Particles * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var spec = CatalogFlowModels.Describe("langevin", """{"model": "langevin", "lambda": 1.0, "temperature": 0.3, "integrator": "euler-maruyama"}""", d, new FlowModelData(null, null));
        var eulerian = new EulerianOptions { Grid = 12, Lower = [-1, -1], Upper = [1, 1], Modes = 6, Seed = 4 };
        var options = new FlowOptions { Integrator = FlowIntegrator.EulerMaruyama, Step = 0.05, EndTime = 0.5, SnapshotEvery = 3, Seed = 8, Eulerian = eulerian };

        var localModel = CatalogFlowModels.Build(spec);
        var reference = await FlowDriver.RunAsync(new LocalFlowBackend(localModel, start, [], options), localModel, options, null, CancellationToken.None);
        var output = await new FlowJobClient(fixture.Grains).RunAsync($"eulerian-{shards}", FlowJobSpec.From(spec, Particles, d, shards, options), start, ReadOnlyMemory<double>.Empty);

        var rows = output.Trajectory.Diagnostics;
        Assert.Equal(reference.Diagnostics.Count, rows.Count);
        var layout = new EulerianLayout(eulerian, d);
        for (var r = 0; r < rows.Count; r++)
        {
            var expected = reference.Diagnostics[r].Eulerian!;
            var actual = rows[r].Eulerian!;
            Assert.Equal(expected.Length, actual.Length);
            Assert.True(expected.Length == layout.Length || expected.Length == layout.HistogramOffset, $"row {r} holds {expected.Length} values");
            for (var k = 0; k < expected.Length; k++)
            {
                // The same particles' terms, summed per shard and then across shards: float64 regrouping only.
                Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-12 * Math.Max(1, Math.Abs(expected[k])), $"{shards} shards, row {r}, value {k}: {expected[k]:R} vs {actual[k]:R}");
            }
        }
    }
}
