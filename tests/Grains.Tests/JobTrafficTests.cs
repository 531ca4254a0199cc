using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

/// <summary>
/// Every job kind reports its shards' traffic (<see cref="JobTraffic"/>): the number of calls the job's shard grains
/// received equals what an independent silo-wide call filter saw (<see cref="CallTraffic"/>, which records every call
/// of the cluster), and the payload estimate is within 35% of the bytes Orleans' serializer writes for the same
/// arguments and results (the estimate leaves out the serializer's field headers and counts 8 bytes per scalar).
/// </summary>
[Collection(ThreeSiloTrafficGroup.Name)]
public sealed class JobTrafficTests(ThreeSiloTrafficFixture fixture, ITestOutputHelper log)
{
    private static readonly string[] ShardInterfaces = ["IFlowShardGrain", "ISinkhornShardGrain", "ISamplingParticleShardGrain", "ISamplingDataShardGrain"];

    [Fact]
    public async Task A_sinkhorn_job_reports_the_calls_its_shards_received()
    {
        var (source, target) = Problems.Clouds(300, 200, 2, 7);
        const string Id = "traffic-sinkhorn";
        var client = new SinkhornJobClient(fixture.Grains);
        var coordinator = await client.SubmitAsync(Id, Problems.Spec(source, target, 0.05, 3, divergence: true), source, target);
        Assert.Equal(JobState.Completed, (await client.WaitAsync(coordinator)).State);

        // Before the downloads, which the coordinator serves from the shards after the report.
        var mark = CallTraffic.Mark;
        var result = await coordinator.GetResultAsync();
        Check(Id, result.Traffic, expectedShards: 6, mark);
        await coordinator.ReleaseAsync();
    }

    [Fact]
    public async Task A_sampling_job_reports_the_calls_its_shards_received()
    {
        var data = SamplingTestData.Clusters(64, 3);
        var options = new SamplingOptions { Sampler = SamplerKind.Heun, Steps = 6, End = 0.95, Seed = 4 };
        const string Id = "traffic-sampling";
        var output = await SamplingJobClient.RunAsync(fixture.Grains, Id, SamplingTestData.Empirical(64, 40, 2, 3, options), data.Points, data.Weights, ReadOnlyMemory<double>.Empty);
        Check(Id, output.Result.Traffic, expectedShards: 5, long.MaxValue);
        Assert.Equal(output.Result.Steps + output.Result.RejectedSteps, output.Result.Traffic.Iterations);
    }

    [Fact]
    public async Task A_flow_on_sinkhorn_shards_reports_the_calls_of_its_flow_and_sinkhorn_shards()
    {
        const string Id = "traffic-flow";
        var output = await SinkhornFlowOnShardsCheck.RunFlowAsync(fixture.Grains, Id, 3);
        // 3 flow shards, and 3 Sinkhorn source and 3 target shards (the target has more than 3 points).
        Check(Id, output.Result.Traffic, expectedShards: 9, long.MaxValue);
        Assert.Equal(output.Result.Steps + output.Result.RejectedSteps, output.Result.Traffic.Iterations);
    }

    [Fact]
    public async Task An_all_pairs_model_whose_stage_preparation_reads_no_position_keeps_the_positions_off_the_coordinator()
    {
        const string Id = "traffic-mmd";
        const int Particles = 90, Dimension = 2;
        var target = Transport.Numerics.Geometry.PointCloud.Create(FlowData.Gaussian(30, Dimension, 8, 0.5), 30, Dimension);
        var modelSpec = CatalogFlowModels.Describe("mmd-flow", """{"model": "mmd-flow", "length_scale": 0.6, "integrator": "rk4"}""", Dimension, new Transport.Numerics.Flows.Models.FlowModelData(target, null));
        var options = new Transport.Numerics.Flows.FlowOptions { Integrator = Transport.Numerics.Flows.FlowIntegrator.Rk4, Step = 0.05, EndTime = 0.2, SnapshotEvery = 4 };
        await new FlowJobClient(fixture.Grains).RunAsync(Id, FlowJobSpec.From(modelSpec, Particles, Dimension, 3, options), FlowData.Gaussian(Particles, Dimension, 9), ReadOnlyMemory<double>.Empty);

        var coordinator = fixture.Grains.GetGrain<IFlowCoordinatorGrain>(Id).GetGrainId().ToString();
        var pulls = CallTraffic.Of(Id).Where(c => c.Method.Contains("GetStagePositions", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(pulls); // the shards still exchange the positions their velocities need...
        Assert.DoesNotContain(pulls, c => c.Source == coordinator); // ...but the coordinator gathers none
    }

    [Fact]
    public async Task A_multiscale_solve_on_three_silos_sends_no_message_above_the_chunk_and_gathers_no_point()
    {
        var (source, target) = Problems.Clouds(2000, 1800, 2, seed: 31);
        var spec = Problems.Spec(source, target, epsilon: 0.01, 3, divergence: true, tolerance: 1e-7) with { Multiscale = true, Levels = 3 };
        const string Id = "traffic-multiscale-chunks";
        var mark = CallTraffic.Mark;
        var run = await new SinkhornJobClient(fixture.Grains).RunAsync(Id, spec, source, target);

        MultiscaleAgreement.AssertEqualsInProcess(spec, source, target, run, log);

        // The solve's calls on the shards: from the coordinator (sort, points, rounds) and between shards (buckets, keys,
        // potentials, outputs). The client's own upload and download chunks are its choice, not the solve's.
        var solve = CallTraffic.Of(Id)
            .Where(c => c.Sequence > mark && c.Interface.EndsWith("ISinkhornShardGrain", StringComparison.Ordinal))
            .Where(c => !c.Method.StartsWith("Load", StringComparison.Ordinal) && !c.Method.StartsWith("GetOutput", StringComparison.Ordinal))
            .ToArray();
        Assert.Contains(solve, c => c.Method.Contains("StageInstall", StringComparison.Ordinal));
        Assert.Contains(solve, c => c.Method.Contains("ReadReply", StringComparison.Ordinal));
        Assert.Contains(solve, c => c.Method.Contains("InstallPointPattern", StringComparison.Ordinal));
        var heaviest = solve.MaxBy(c => Math.Max(c.ArgumentBytes, c.ResultBytes))!;
        var bytes = Math.Max(heaviest.ArgumentBytes, heaviest.ResultBytes);
        log.WriteLine($"{solve.Length} shard calls, the heaviest {heaviest.Method} of {bytes} bytes (chunk {TrafficClusterFixture.InstallChunkBytes})");

        // 256 bytes: the serializer's framing of a chunk-sized payload (field headers, array lengths, the term).
        Assert.True(bytes <= TrafficClusterFixture.InstallChunkBytes + 256, $"{heaviest.Method} carried {bytes} bytes");

        // No point reaches the coordinator: rows and potentials are read by shards only (a call from the coordinator's
        // solve, which runs off its scheduler, has no shard as its source).
        var reads = solve.Where(c => c.Method.Contains("GetPositions", StringComparison.Ordinal) || c.Method.Contains("GetWeights", StringComparison.Ordinal)
            || c.Method.Contains("GetMortonRows", StringComparison.Ordinal) || c.Method.Contains("GetPotentialRanges", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(reads);
        foreach (var reader in reads.Select(c => c.Source ?? "(none)").Distinct())
        {
            log.WriteLine($"rows or potentials read by {reader}");
        }

        Assert.All(reads, c => Assert.Contains("sinkhornshard", c.Source ?? "(none)", StringComparison.OrdinalIgnoreCase));
    }

    private void Check(string jobId, JobTraffic reported, int expectedShards, long before)
    {
        // The job's shard calls as the silo filter saw them, but for what came after the report: the traffic query and
        // the release.
        var seen = CallTraffic.Of(jobId)
            .Where(c => c.Sequence <= before)
            .Where(c => ShardInterfaces.Any(i => c.Interface.EndsWith(i, StringComparison.Ordinal)))
            .Where(c => !c.Method.Contains("GetTraffic", StringComparison.Ordinal) && !c.Method.Contains("ReleaseShard", StringComparison.Ordinal))
            .ToArray();
        var serialized = seen.Sum(c => c.Bytes);
        log.WriteLine($"{jobId}: {reported.Messages} messages, {reported.PayloadBytes} payload bytes ({serialized} serialized) over {reported.Shards} shards and {reported.Iterations} iterations: "
            + $"{reported.MessagesPerShardPerIteration:F2} messages and {reported.BytesPerShardPerIteration:F0} bytes per shard per iteration");
        Assert.Equal(expectedShards, reported.Shards);
        Assert.True(reported.Iterations > 0, "no iterations counted");
        Assert.Equal(seen.Length, reported.Messages);
        Assert.InRange(reported.PayloadBytes, 0.65 * serialized, 1.35 * serialized);
        Assert.Equal((double)reported.Messages / reported.Shards / reported.Iterations, reported.MessagesPerShardPerIteration, 12);
    }
}
