using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;

namespace Transport.Grains.Tests;

/// <summary>
/// Model data too large for the spec (or forced out of it) goes up in chunks after the job is created
/// (<see cref="FlowModelSpec.Uploaded"/>); the coordinator streams it on to the shards and everyone builds the model
/// from the completed spec. The runs equal the single-process run with the data inline in the model, and bad chunks are
/// refused naming the block.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class UploadedModelDataTests(ClusterFixture fixture)
{
    private const double Relative = 1e-9;

    [Fact]
    public async Task A_sinkhorn_flow_whose_target_is_uploaded_in_chunks_equals_the_single_process_flow()
    {
        const int Particles = 60, Dimension = 2;
        var target = PointCloud.Create(FlowData.Gaussian(45, Dimension, 5, 0.5), 45, Dimension);
        var spec = CatalogFlowModels.Describe("sinkhorn-flow", """{"model": "sinkhorn-flow", "epsilon": 0.1, "cost": "half-sqeuclidean", "integrator": "heun"}""", Dimension, new FlowModelData(target, null));
        var options = new FlowOptions { Integrator = FlowIntegrator.Heun, Step = 0.1, EndTime = 0.3, SnapshotEvery = 1 };
        await AssertEqualsSingleProcessAsync("uploaded-sinkhorn-flow", spec, FlowData.Gaussian(Particles, Dimension, 6), Dimension, 3, options, inlineLimit: 0);
    }

    [Fact]
    public async Task A_mean_field_network_with_a_data_set_larger_than_the_spec_limit_equals_the_single_process_run()
    {
        // 400,000 samples of 2 inputs and 1 output: 9.6 MB, above the 8 MiB a spec may carry.
        var dataset = MeanFieldDataset.Teacher(2, 1, 2, 400_000, seed: 7);
        const int Neurons = 16, Dimension = 3;
        var spec = CatalogFlowModels.Describe("mean-field-network", """{"model": "mean-field-network", "activation": "tanh", "integrator": "rk4"}""", Dimension, new FlowModelData(null, dataset));
        Assert.True(spec.DataBytes > FlowModelSpec.MaxDataBytes, $"{spec.DataBytes} bytes fit in a spec: the test shows nothing");
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = 0.1, EndTime = 0.2, SnapshotEvery = 1 };
        await AssertEqualsSingleProcessAsync("uploaded-network", spec, FlowData.Gaussian(Neurons, Dimension, 8, 0.5), Dimension, 2, options, FlowModelSpec.InlineDataBytes);
    }

    [Fact]
    public async Task Bad_model_data_chunks_are_refused_naming_the_block_and_a_start_without_all_of_them_fails_on_input()
    {
        var target = PointCloud.Create(FlowData.Gaussian(20, 2, 5), 20, 2);
        var inline = CatalogFlowModels.Describe("sinkhorn-flow", """{"model": "sinkhorn-flow", "epsilon": 0.1, "integrator": "euler"}""", 2, new FlowModelData(target, null));
        var (announced, blocks) = inline.ForUpload(0);
        Assert.Equal(2, announced.Uploaded.Length);
        var options = new FlowOptions { Integrator = FlowIntegrator.Euler, Step = 0.1, EndTime = 0.2 };
        var coordinator = fixture.Grains.GetGrain<IFlowCoordinatorGrain>("uploaded-bad-chunks");
        await coordinator.CreateAsync(FlowJobSpec.From(announced, 10, 2, 2, options));

        var unknown = await Assert.ThrowsAsync<JobInputException>(() => coordinator.UploadModelDataAsync("traget", 0, blocks[0]));
        Assert.Equal("model", unknown.Field);
        Assert.Contains("traget", unknown.Message, StringComparison.Ordinal);

        var poisoned = blocks[0].Values.ToArray();
        poisoned[3] = double.NaN;
        var nan = await Assert.ThrowsAsync<JobInputException>(() => coordinator.UploadModelDataAsync(CatalogFlowModels.Target, 0, FloatBlock.From(poisoned, 20, 2)));
        Assert.Equal(CatalogFlowModels.Target, nan.Field);

        var shape = await Assert.ThrowsAsync<JobInputException>(() => coordinator.UploadModelDataAsync(CatalogFlowModels.Target, 0, FloatBlock.From(blocks[0].Values, 40, 1)));
        Assert.Equal(CatalogFlowModels.Target, shape.Field);

        // The target arrives whole, its weights never: the particles are in, but the start is refused on the weights.
        await coordinator.UploadModelDataAsync(CatalogFlowModels.Target, 0, blocks[0]);
        await coordinator.UploadAsync(0, FloatBlock.From(FlowData.Gaussian(10, 2, 1), 10, 2), FloatBlock.FromVector(Enumerable.Repeat(0.1, 10).ToArray()));
        var start = await Assert.ThrowsAsync<JobInputException>(coordinator.StartAsync);
        Assert.Equal(CatalogFlowModels.TargetWeights, start.Field);
        await coordinator.ReleaseAsync();
    }

    /// <summary>
    /// Data inside the spec travels in every setup message: a spec carrying more than 8 MiB of it is refused at creation
    /// (naming the way out, the chunked upload); the same data announced for upload is accepted.
    /// </summary>
    [Fact]
    public async Task Model_data_above_the_limit_inside_the_spec_is_rejected_and_accepted_as_an_upload()
    {
        var rows = FloatBlock.RowsPerChunk(1);
        var block = new FloatBlock(new byte[rows * sizeof(double)], rows, 1);
        var inline = new FlowModelSpec { Name = "pairs", Data = [block, block], DataNames = ["a", "b"] };
        var options = new FlowOptions { Integrator = FlowIntegrator.Euler, Step = 0.1, EndTime = 0.1 };
        var coordinator = fixture.Grains.GetGrain<IFlowCoordinatorGrain>("model-data-over-the-limit");
        var error = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(FlowJobSpec.From(inline, 4, 2, 1, options)));
        Assert.Equal("model", error.Field);
        Assert.Contains("chunks", error.Message, StringComparison.Ordinal);

        var (announced, _) = inline.ForUpload();
        await coordinator.CreateAsync(FlowJobSpec.From(announced, 4, 2, 1, options));
        await coordinator.ReleaseAsync();
    }

    private async Task AssertEqualsSingleProcessAsync(string id, FlowModelSpec spec, double[] start, int dimension, int shards, FlowOptions options, long inlineLimit)
    {
        var local = CatalogFlowModels.Build(spec with { Dimension = dimension });
        var reference = await FlowDriver.RunAsync(new LocalFlowBackend(local, start, [], options), local, options, null, CancellationToken.None);
        var client = new FlowJobClient(fixture.Grains) { InlineDataBytes = inlineLimit };
        var output = await client.RunAsync(id, FlowJobSpec.From(spec, start.Length / dimension, dimension, shards, options), start, ReadOnlyMemory<double>.Empty);
        Assert.Equal(reference.Snapshots.Count, output.Trajectory.Snapshots.Count);
        Assert.True(reference.Snapshots[^1].Positions.Zip(start).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "nothing moved: the comparison shows nothing");
        for (var s = 0; s < reference.Snapshots.Count; s++)
        {
            for (var i = 0; i < start.Length; i++)
            {
                var (x, y) = (reference.Snapshots[s].Positions[i], output.Trajectory.Snapshots[s].Positions[i]);
                Assert.True(Math.Abs(x - y) <= Relative * Math.Max(1, Math.Abs(x)), $"{id}: snapshot {s}, value {i}: {x:R} vs {y:R}");
            }
        }
    }
}
