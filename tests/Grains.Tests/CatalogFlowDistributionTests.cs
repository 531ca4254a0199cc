using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;

namespace Transport.Grains.Tests;

/// <summary>
/// Every model of the run-specification catalog, run on the 2-silo test cluster with 1, 3 and 8 shards,
/// gives the single-process trajectory (one block, same model built from the same description).
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class CatalogFlowDistributionTests(ClusterFixture fixture)
{
    private const int Particles = 24;

    public static TheoryData<string, string, int> Runs()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (name, _) in Specs)
        {
            foreach (var shards in new[] { 1, 3, 8 })
            {
                data.Add(name, Specs[name], shards);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, string> Specs = new()
    {
        ["potential"] = """{"model": "potential", "lambda": 0.7, "center": [0.2, -0.1], "integrator": "rk4"}""",
        ["langevin"] = """{"model": "langevin", "lambda": 1.0, "temperature": 0.5, "integrator": "euler-maruyama"}""",
        ["interaction"] = """{"model": "interaction", "kernel": "gaussian-repulsive", "length_scale": 0.8, "integrator": "heun"}""",
        ["mmd-flow"] = """{"model": "mmd-flow", "length_scale": 0.6, "integrator": "rk4"}""",
        ["sinkhorn-flow"] = """{"model": "sinkhorn-flow", "epsilon": 0.1, "cost": "half-sqeuclidean", "integrator": "euler"}""",
        ["attention-sphere"] = """{"model": "attention-sphere", "variant": "SA", "beta": 3, "integrator": "rk4"}""",
        ["attention"] = """{"model": "attention", "beta": 1, "integrator": "adaptive"}""",
        ["sinkformer"] = """{"model": "sinkformer", "beta": 2, "integrator": "rk4"}""",
        ["mean-field-network"] = """{"model": "mean-field-network", "activation": "tanh", "integrator": "rk4"}""",
        ["gaussian-fokker-planck"] = """{"model": "gaussian-fokker-planck", "lambda": 1.0, "temperature": 0.5, "integrator": "jko"}""",
        ["gaussian-interpolant"] = """{"model": "gaussian-interpolant", "target_covariance": [[4, 0], [0, 1]], "rotation": 1, "integrator": "rk4"}""",
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Catalog_model_trajectory_on_the_cluster_equals_the_single_process_run_within_1e6(string model, string json, int shards)
    {
        var dimension = model == "mean-field-network" ? 4 : model.StartsWith("attention-sphere", StringComparison.Ordinal) || model == "sinkformer" ? 3 : 2;
        var start = Start(model, dimension);
        var data = new FlowModelData(
            model is "mmd-flow" or "sinkhorn-flow" ? Target(dimension) : null,
            model == "mean-field-network" ? MeanFieldDataset.Teacher(3, 1, 2, 32, seed: 5) : null);
        var spec = CatalogFlowModels.Describe(model, json, dimension, data);
        var options = new FlowOptions { Integrator = FlowNames.ParseIntegrator(System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("integrator").GetString()), Step = 0.05, EndTime = 0.3, SnapshotEvery = 2, Seed = 11 };

        var localModel = CatalogFlowModels.Build(spec);
        var reference = await FlowDriver.RunAsync(new LocalFlowBackend(localModel, start, [], options), localModel, options, null, CancellationToken.None);
        var output = await new FlowJobClient(fixture.Grains).RunAsync($"catalog-{model}-{shards}", FlowJobSpec.From(spec, Particles, dimension, shards, options), start, ReadOnlyMemory<double>.Empty);

        // Each particle's arithmetic is the same on any block; only float64 sums of partials (energies,
        // network outputs, error norms) are grouped differently, so 1e-6 relative is far above what differs.
        var trajectory = output.Trajectory;
        Assert.Equal(reference.Steps, trajectory.Steps);
        Assert.Equal(reference.Snapshots.Count, trajectory.Snapshots.Count);
        for (var s = 0; s < reference.Snapshots.Count; s++)
        {
            Assert.Equal(reference.Snapshots[s].Time, trajectory.Snapshots[s].Time, 12);
            for (var i = 0; i < reference.Snapshots[s].Positions.Length; i++)
            {
                var expected = reference.Snapshots[s].Positions[i];
                var actual = trajectory.Snapshots[s].Positions[i];
                Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{model}, {shards} shards, snapshot {s}, value {i}: {expected:R} vs {actual:R}");
            }
        }

        for (var r = 0; r < reference.Diagnostics.Count; r++)
        {
            var expected = reference.Diagnostics[r].Energy;
            var actual = trajectory.Diagnostics[r].Energy;
            Assert.True(double.IsNaN(expected) ? double.IsNaN(actual) : Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{model}, {shards} shards, energy row {r}: {expected:R} vs {actual:R}");
        }
    }

    private static double[] Start(string model, int dimension)
    {
        var random = new Random(17);
        var start = new double[Particles * dimension];
        for (var i = 0; i < start.Length; i++)
        {
            start[i] = (random.NextDouble() * 2) - 1;
        }

        if (model is "attention-sphere" or "sinkformer")
        {
            for (var p = 0; p < Particles; p++)
            {
                var row = start.AsSpan(p * dimension, dimension);
                var norm = Math.Sqrt((row[0] * row[0]) + (row[1] * row[1]) + (row[2] * row[2]));
                for (var k = 0; k < dimension; k++)
                {
                    row[k] /= norm;
                }
            }
        }

        return start;
    }

    private static PointCloud Target(int dimension)
    {
        var random = new Random(23);
        var points = Enumerable.Range(0, 20 * dimension).Select(_ => 0.8 + (0.5 * random.NextDouble())).ToArray();
        return PointCloud.Create(points, 20, dimension);
    }
}
