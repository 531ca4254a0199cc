using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

[CollectionDefinition(Name)]
public sealed class OneSiloTrafficGroup : ICollectionFixture<OneSiloTrafficFixture>
{
    public const string Name = "one-silo traffic cluster";
}

[CollectionDefinition(Name)]
public sealed class ThreeSiloTrafficGroup : ICollectionFixture<ThreeSiloTrafficFixture>
{
    public const string Name = "three-silo traffic cluster";
}

[Collection(OneSiloTrafficGroup.Name)]
public sealed class SinkhornFlowOnShardsOneSiloTests(OneSiloTrafficFixture fixture, ITestOutputHelper log)
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public Task The_flow_on_sinkhorn_shards_equals_the_single_process_flow_and_its_coordinator_moves_only_scalars(int shards) =>
        SinkhornFlowOnShardsCheck.RunAsync(fixture.Grains, $"sinkhorn-flow-on-shards-1silo-{shards}", shards, multiscale: false, log);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public Task The_multiscale_flow_on_sinkhorn_shards_equals_the_single_process_flow_and_its_coordinator_moves_only_summaries(int shards) =>
        SinkhornFlowOnShardsCheck.RunAsync(fixture.Grains, $"multiscale-flow-on-shards-1silo-{shards}", shards, multiscale: true, log);

    [Fact]
    public Task A_multiscale_flow_whose_hierarchy_cannot_help_runs_dense_on_the_shards_warm_from_the_outputs_as_in_process() =>
        SinkhornFlowOnShardsCheck.RunAsync(fixture.Grains, "multiscale-flow-one-level-1silo", 4, multiscale: true, log, levels: 1);
}

[Collection(ThreeSiloTrafficGroup.Name)]
public sealed class SinkhornFlowOnShardsThreeSiloTests(ThreeSiloTrafficFixture fixture, ITestOutputHelper log)
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public Task The_flow_on_sinkhorn_shards_equals_the_single_process_flow_and_its_coordinator_moves_only_scalars(int shards) =>
        SinkhornFlowOnShardsCheck.RunAsync(fixture.Grains, $"sinkhorn-flow-on-shards-3silo-{shards}", shards, multiscale: false, log);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public Task The_multiscale_flow_on_sinkhorn_shards_equals_the_single_process_flow_and_its_coordinator_moves_only_summaries(int shards) =>
        SinkhornFlowOnShardsCheck.RunAsync(fixture.Grains, $"multiscale-flow-on-shards-3silo-{shards}", shards, multiscale: true, log);
}

/// <summary>
/// The dense Sinkhorn-divergence flow on the cluster solves its three problems on Sinkhorn shards next to the particles
/// and the target. Checked against the single-process flow (<see cref="LocalFlowBackend"/>, one block, the in-process
/// solves of <c>SinkhornDivergenceFlowModel.PrepareStage</c>) within 1e-9 relative: every potential and map entry is
/// the same arithmetic on the same rows, only float64 sums of per-shard partials (duals, marginal errors) are grouped
/// differently, which can move a stopping test by one iteration at most at the 1e-12 level, far below 1e-9. And
/// checked by recording every grain call (<see cref="CallTraffic"/>): no call to or from the coordinator during the
/// stages carries more than 1 KiB (the particles' stage positions of one shard of 8 already take 1.2 KB, all of them
/// 9.6 KB), and no flow shard all-gathers its peers' stage positions.
/// The multiscale flow (three levels) likewise equals the single-process multiscale flow within 1e-9 (the same solver
/// on the same cluster levels; the shards' sums are grouped differently): the shards sort the clouds every stage, the
/// self solve starts warm from potentials the sorted points pull from the input rows' shards, and the coordinator moves
/// cluster summaries and patterns, each call at most the configured chunk (plus headers), never a point.
/// </summary>
internal static class SinkhornFlowOnShardsCheck
{
    private const int Particles = 600;
    private const int TargetPoints = 200;
    private const int Dimension = 2;
    private const double Relative = 1e-9;
    private const long MaxCoordinatorCallBytes = 1024;

    // What the coordinator sends or receives once per run, before or after the stages, and why it is not per stage:
    // the shards' setup (with the model's description), the upload of the particles it routes, the target it loads
    // onto the Sinkhorn target shards, and the snapshots of the trajectory it keeps (the run's output).
    private static readonly string[] OncePerRun = ["Initialize", "Load", "GetPositions", "Prepare", "Seal"];

    private static readonly double[] Start = FlowData.Gaussian(Particles, Dimension, 41, 1.0);

    private static FlowOptions Options { get; } = new() { Integrator = FlowIntegrator.Heun, Step = 0.1, EndTime = 0.3, SnapshotEvery = 1, Seed = 3 };

    private static FlowModelSpec ModelSpec(bool multiscale = false, int levels = 3)
    {
        var target = PointCloud.Create(FlowData.Gaussian(TargetPoints, Dimension, 43, 0.4).Select(v => v + 1.5).ToArray(), TargetPoints, Dimension);
        var json = multiscale
            ? """{"model": "sinkhorn-flow", "epsilon": 0.01, "cost": "half-sqeuclidean", "integrator": "heun", "multiscale": true, "levels": """ + levels + "}"
            : """{"model": "sinkhorn-flow", "epsilon": 0.05, "cost": "half-sqeuclidean", "integrator": "heun"}""";
        return CatalogFlowModels.Describe("sinkhorn-flow", json, Dimension, new FlowModelData(target, null));
    }

    /// <summary>The flow of these checks on the cluster, as run <paramref name="runId"/> with <paramref name="shards"/> shards.</summary>
    public static Task<FlowJobOutput> RunFlowAsync(IGrainFactory grains, string runId, int shards, bool multiscale = false, int levels = 3) =>
        new FlowJobClient(grains).RunAsync(runId, FlowJobSpec.From(ModelSpec(multiscale, levels), Particles, Dimension, shards, Options), Start, ReadOnlyMemory<double>.Empty);

    /// <summary>The check; <paramref name="levels"/> (multiscale only): 1 asks for one level, the solver's dense fallback.</summary>
    public static async Task RunAsync(IGrainFactory grains, string runId, int shards, bool multiscale, ITestOutputHelper log, int levels = 3)
    {
        var start = Start;
        var localModel = CatalogFlowModels.Build(ModelSpec(multiscale, levels));
        var reference = await FlowDriver.RunAsync(new LocalFlowBackend(localModel, start, [], Options), localModel, Options, null, CancellationToken.None);
        var output = await RunFlowAsync(grains, runId, shards, multiscale, levels);

        var trajectory = output.Trajectory;
        Assert.Equal(reference.Steps, trajectory.Steps);
        Assert.Equal(reference.Snapshots.Count, trajectory.Snapshots.Count);
        var largest = 0.0;
        for (var s = 0; s < reference.Snapshots.Count; s++)
        {
            for (var i = 0; i < reference.Snapshots[s].Positions.Length; i++)
            {
                var expected = reference.Snapshots[s].Positions[i];
                var actual = trajectory.Snapshots[s].Positions[i];
                var error = Math.Abs(expected - actual) / Math.Max(1, Math.Abs(expected));
                largest = Math.Max(largest, error);
                Assert.True(error <= Relative, $"{shards} shards, snapshot {s}, value {i}: {expected:R} vs {actual:R}");
            }
        }

        Assert.True(reference.Snapshots[^1].Positions.Zip(start).Max(p => Math.Abs(p.First - p.Second)) > 0.05, "the particles did not move: the check compares nothing");
        for (var r = 0; r < reference.Diagnostics.Count; r++)
        {
            var expected = reference.Diagnostics[r].Energy;
            var actual = trajectory.Diagnostics[r].Energy;
            Assert.True(Math.Abs(expected - actual) <= Relative * Math.Max(1, Math.Abs(expected)), $"{shards} shards, energy row {r}: {expected:R} vs {actual:R}");
        }

        var coordinator = grains.GetGrain<IFlowCoordinatorGrain>(runId).GetGrainId().ToString();
        var calls = CallTraffic.Of(runId);
        var sinkhornCalls = calls.Where(c => c.Interface.Contains("ISinkhornShardGrain", StringComparison.Ordinal)).ToArray();
        Assert.Contains(sinkhornCalls, c => c.Method.Contains("Update", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.Method.Contains("GetStagePositions", StringComparison.Ordinal));
        if (multiscale && levels == 1)
        {
            // The dense fallback on the input rows (the sort found one level asked for), the self solves warm from their outputs.
            Assert.Contains(sinkhornCalls, c => c.Method.Contains("SeedFromOutputs", StringComparison.Ordinal));
            Assert.DoesNotContain(sinkhornCalls, c => c.Method.Contains("InstallPointPattern", StringComparison.Ordinal));
        }
        else if (multiscale)
        {
            // The solves ran on leaf-pair patterns (not the dense fallback), the self solves warm from the input rows.
            Assert.Contains(sinkhornCalls, c => c.Method.Contains("InstallPointPattern", StringComparison.Ordinal));
            Assert.Contains(sinkhornCalls, c => c.Method.Contains("StartPoints", StringComparison.Ordinal));
            if (shards > 1)
            {
                // A shard reads its own rows' outputs directly; from peers through grain calls.
                Assert.Contains(sinkhornCalls, c => c.Method.Contains("GetOutputRows", StringComparison.Ordinal));
            }

            // Every call between the Sinkhorn shards, and to them from the coordinator, is chunked.
            var largestCall = sinkhornCalls.MaxBy(c => c.Bytes)!;
            Assert.True(largestCall.Bytes <= TrafficClusterFixture.InstallChunkBytes + 256, $"{largestCall.Interface}.{largestCall.Method} carried {largestCall.Bytes} bytes");
            var reads = calls.Where(c => c.Source == coordinator && (c.Method.Contains("GetMortonRows", StringComparison.Ordinal) || c.Method.Contains("GetOutput", StringComparison.Ordinal) || c.Method.Contains("GetPotential", StringComparison.Ordinal))).ToArray();
            Assert.True(reads.Length == 0, $"the coordinator read points or potentials: {string.Join(", ", reads.Select(c => c.Method).Distinct())}");
        }

        // Calls from the client are the upload and the downloads: not the stages.
        var stageCalls = calls
            .Where(c => c.Source == coordinator || (c.Target == coordinator && c.Source?.StartsWith("sys.client", StringComparison.Ordinal) == false))
            .Where(c => !OncePerRun.Any(name => c.Method.Contains(name, StringComparison.Ordinal)))
            .ToArray();
        Assert.NotEmpty(stageCalls);
        var heaviest = stageCalls.MaxBy(c => c.Bytes)!;
        log.WriteLine($"{shards} shards: largest relative difference {largest:E2}; {stageCalls.Length} stage calls through the coordinator, "
            + $"the heaviest {heaviest.Interface}.{heaviest.Method} of {heaviest.Bytes} bytes; {stageCalls.Sum(c => c.Bytes)} bytes in all; "
            + $"{sinkhornCalls.Where(c => c.Source != coordinator).Sum(c => c.Bytes)} bytes between shards");
        // The multiscale coordinator sends cluster levels and patterns and reads leaf summaries and bounds: chunked.
        var bound = multiscale ? TrafficClusterFixture.InstallChunkBytes + 256 : MaxCoordinatorCallBytes;
        Assert.True(heaviest.Bytes <= bound, $"{heaviest.Interface}.{heaviest.Method} from {heaviest.Source} to {heaviest.Target} carried {heaviest.Bytes} bytes");
    }
}
