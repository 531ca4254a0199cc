using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains.Tests;

[Collection(ClusterTestGroup.Name)]
public sealed class DistributedSinkhornTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    public async Task Distributed_result_equals_single_process_within_1e6_for_shard_count(int shards)
    {
        var (source, target) = Problems.Clouds(97, 83, 3, seed: 5);
        var spec = Problems.Spec(source, target, epsilon: 0.05, shards);
        var reference = SinkhornSolver.Solve(new SinkhornProblem(source, target), Problems.Options(spec));

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync($"equal-{shards}", spec, source, target);

        // Each query's reduction runs over the whole opposite cloud in the same key order on every
        // shard, so only the float64 sums of scalar partials differ (by rounding); 1e-6 is the contract.
        Assert.Equal(Math.Min(shards, 83), output.Result.Shards);
        Assert.Equal(reference.Iterations, output.Result.Iterations);
        Assert.Equal(reference.Converged, output.Result.Converged);
        var scale = Math.Abs(reference.TransportCost);
        Problems.AssertClose(reference.TransportCost, output.Result.Cost, 1e-6, 0, "cost");
        Problems.AssertClose(reference.Objective, output.Result.Objective, 1e-6, 0, "objective");
        Problems.AssertClose(reference.Dual, output.Result.Dual, 1e-6, 0, "dual");
        for (var i = 0; i < source.Count; i++)
        {
            Problems.AssertClose(reference.F[i], output.F[i], 1e-6, scale, $"f[{i}]");
        }

        for (var j = 0; j < target.Count; j++)
        {
            Problems.AssertClose(reference.G[j], output.G[j], 1e-6, scale, $"g[{j}]");
        }

        var map = reference.BarycentricMap();
        for (var k = 0; k < map.Length; k++)
        {
            Problems.AssertClose(map[k], output.Map[k], 1e-6, 1, $"map[{k}]");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Distributed_divergence_equals_single_process_within_1e6(int shards)
    {
        var (source, target) = Problems.Clouds(60, 45, 2, seed: 9);
        var spec = Problems.Spec(source, target, epsilon: 0.1, shards, divergence: true);
        var reference = SinkhornDivergence.Compute(new SinkhornProblem(source, target), Problems.Options(spec));

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync($"divergence-{shards}", spec, source, target);

        Assert.NotNull(output.Result.Divergence);
        Problems.AssertClose(reference.Value, output.Result.Divergence!.Value, 1e-6, 0, "divergence");
        Assert.Equal(reference.Converged, output.Result.Converged);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Over_relaxed_cross_and_divergence_on_shards_equal_single_process_within_1e9(int shards)
    {
        // eps / D^2 ~ 1e-3 (D^2 = 9 for these clouds): the cross problem's adaptive over-relaxation engages (w > 1)
        // and the self problems, which run on their own cloud's shards, take many symmetric steps. Every row is
        // computed from the same keys in the same order as in process; only the float64 sums of the shards'
        // scalar partials are ordered differently (rounding ~1e-16 relative per step), and the relaxation factor is
        // a continuous function of those sums. 1e-9 relative leaves room for that rounding to propagate through a
        // few hundred iterations and still catches any difference in the iteration itself.
        var (source, target) = Problems.Clouds(90, 70, 2, seed: 17);
        var spec = Problems.Spec(source, target, epsilon: 0.01, shards, divergence: true, tolerance: 1e-8);
        var reference = SinkhornDivergence.Compute(new SinkhornProblem(source, target), Problems.Options(spec));
        Assert.True(reference.Converged);
        Assert.True(reference.Cross.Summary.Relaxation > 1, "relaxation did not engage in process");
        _ = reference.Cross.TransportCost; // the cluster always evaluates the plan once (cost and map)

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync($"relaxed-divergence-{shards}", spec, source, target);

        Assert.Equal(Math.Min(shards, 70), output.Result.Shards);
        Assert.True(output.Result.Converged);
        Assert.Equal(reference.Cross.Iterations, output.Result.Iterations);
        Assert.Equal(reference.KernelEvaluations, output.Result.KernelEvaluations);
        Problems.AssertClose(reference.Cross.Dual, output.Result.Dual, 1e-9, 0, "dual");
        Problems.AssertClose(reference.Cross.TransportCost, output.Result.Cost, 1e-9, 0, "cost");
        Problems.AssertClose(reference.Value, output.Result.Divergence!.Value, 1e-9, 0, "divergence");

        // The history has each problem's checked iterations; the self problems stop where they stop in process.
        Assert.Equal(reference.SelfSource.Iterations, output.Result.History.Where(h => h.Problem == "self-source").Max(h => h.Iteration));
        Assert.Equal(reference.SelfTarget.Iterations, output.Result.History.Where(h => h.Problem == "self-target").Max(h => h.Iteration));
        var scale = Math.Abs(reference.Cross.TransportCost);
        for (var i = 0; i < source.Count; i++)
        {
            Problems.AssertClose(reference.Cross.F[i], output.F[i], 1e-9, scale, $"f[{i}]");
        }

        for (var j = 0; j < target.Count; j++)
        {
            Problems.AssertClose(reference.Cross.G[j], output.G[j], 1e-9, scale, $"g[{j}]");
        }

        var map = reference.Cross.BarycentricMap();
        for (var k = 0; k < map.Length; k++)
        {
            Problems.AssertClose(map[k], output.Map[k], 1e-9, 1, $"map[{k}]");
        }
    }

    [Fact]
    public async Task Progress_is_observed_while_running_and_cancellation_stops_the_run()
    {
        // Small eps, no annealing and a tolerance that cannot be met: the run would take the full iteration cap, so it
        // is still running when we look. At eps 1e-3 the marginal error can reach exactly 0 and end the run; at 1e-6
        // it is still 0.83 after 20,000 iterations.
        var (source, target) = Problems.Clouds(400, 400, 2, seed: 3);
        var spec = Problems.Spec(source, target, epsilon: 1e-6, shards: 3, tolerance: 1e-300) with { MaxIterations = 1_000_000, Scaling = 1 };
        var client = new SinkhornJobClient(fixture.Grains);
        var coordinator = await client.SubmitAsync("cancel-me", spec, source, target);

        var observed = new List<JobStatus<SinkhornJobProgress>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (observed.Count(s => s.State == JobState.Running && s.Progress.Iteration > 0) < 3 && DateTime.UtcNow < deadline)
        {
            observed.Add(await coordinator.GetStatusAsync());
            await Task.Delay(50);
        }

        var running = observed.Where(s => s.State == JobState.Running && s.Progress.Iteration > 0).ToList();
        Assert.True(running.Count >= 3, "progress with iterations > 0 was not observed");
        Assert.True(running[^1].Progress.Iteration >= running[0].Progress.Iteration, "iterations must not go backwards");
        Assert.All(running, s => Assert.Equal("cross", s.Progress.Problem));
        Assert.All(running, s => Assert.Equal(1e-6, s.Progress.Epsilon));

        await coordinator.CancelAsync();
        var final = await client.WaitAsync(coordinator);
        Assert.Equal(JobState.Cancelled, final.State);
        var stoppedAt = final.Progress.Iteration;
        await Task.Delay(300);
        Assert.Equal(stoppedAt, (await coordinator.GetStatusAsync()).Progress.Iteration);
        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.GetResultAsync());
    }

    [Fact]
    public async Task Invalid_options_are_rejected_with_the_field_and_the_cluster_keeps_serving()
    {
        var (source, target) = Problems.Clouds(20, 20, 2, seed: 1);
        var coordinator = fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>("bad-epsilon");

        var error = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(Problems.Spec(source, target, epsilon: -1, shards: 2)));
        Assert.Equal("epsilon", error.Field);
        Assert.Contains("-1", error.Message, StringComparison.Ordinal);

        var nan = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(Problems.Spec(source, target, epsilon: double.NaN, shards: 2)));
        Assert.Equal("epsilon", nan.Field);
        var shards = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(Problems.Spec(source, target, epsilon: 0.1, shards: 0)));
        Assert.Equal("shards", shards.Field);

        // Starting before the clouds are uploaded is refused, naming the missing cloud.
        await coordinator.CreateAsync(Problems.Spec(source, target, epsilon: 0.1, shards: 2));
        var incomplete = await Assert.ThrowsAsync<JobInputException>(() => coordinator.StartAsync());
        Assert.Equal("source", incomplete.Field);

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync("after-bad-input", Problems.Spec(source, target, 0.1, 2), source, target);
        Assert.True(output.Result.Converged);
    }

    [Fact]
    public async Task Non_finite_coordinates_in_an_upload_are_rejected_naming_the_row()
    {
        var coordinator = fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>("nan-upload");
        await coordinator.CreateAsync(new SinkhornJobSpec { SourceCount = 2, TargetCount = 2, Dimension = 1, Epsilon = 0.1 });
        var error = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadAsync(CloudSide.Source, 0, FloatBlock.From([0.0, double.NaN], 2, 1), FloatBlock.FromVector([0.5, 0.5])));
        Assert.Equal("source", error.Field);
        Assert.Contains("[1, 0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);

        var weights = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadAsync(CloudSide.Target, 0, FloatBlock.From([0.0, 1.0], 2, 1), FloatBlock.FromVector([1.5, -0.5])));
        Assert.Equal("target-weights", weights.Field);
    }

    [Fact]
    public async Task Finite_coordinates_too_far_apart_for_float64_costs_are_rejected_before_the_run()
    {
        // |x - y|^2 overflows to infinity: the annealing start would be infinite. Refused at start, naming the input.
        var source = Transport.Numerics.Geometry.PointCloud.Create([0.0, 1e160], 2, 1);
        var target = Transport.Numerics.Geometry.PointCloud.Create([0.0, 1.0], 2, 1);
        var client = new SinkhornJobClient(fixture.Grains);
        var error = await Assert.ThrowsAsync<JobInputException>(() => client.SubmitAsync("huge-coordinates", Problems.Spec(source, target, 0.1, 2), source, target));
        Assert.Equal("source", error.Field);
        Assert.Contains("too far apart", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunks_must_arrive_in_order_so_a_repeated_chunk_is_refused()
    {
        var coordinator = fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>("chunk-order");
        await coordinator.CreateAsync(new SinkhornJobSpec { SourceCount = 4, TargetCount = 2, Dimension = 1, Epsilon = 0.1 });
        await coordinator.UploadAsync(CloudSide.Source, 0, FloatBlock.From([0.0, 1.0], 2, 1), FloatBlock.FromVector([0.25, 0.25]));
        var repeated = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadAsync(CloudSide.Source, 0, FloatBlock.From([0.0, 1.0], 2, 1), FloatBlock.FromVector([0.25, 0.25])));
        Assert.Equal("source", repeated.Field);
        Assert.Contains("expected row 2", repeated.Message, StringComparison.Ordinal);
    }
}
