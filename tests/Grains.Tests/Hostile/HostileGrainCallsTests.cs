using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;

namespace Transport.Grains.Tests.Hostile;

/// <summary>
/// Hostile input through the grain API (issue 12): every malformed call of <see cref="HostileGrainCalls"/> is refused
/// with the exception and the field its case names, alone and while a legitimate Sinkhorn job runs; that job then ends
/// with the numbers of the same job run with nothing else going on.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class HostileGrainCallsTests(ClusterFixture fixture)
{
    /// <summary>Iterations of the job in flight before it is made longer (it must outlast the malformed calls).</summary>
    private const int FirstIterationCap = 4_000;

    public static TheoryData<string> Cases => [.. HostileGrainCalls.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_call_is_refused_naming_its_field(string name)
    {
        var call = HostileGrainCalls.Named(name);
        await using var context = new HostileGrainContext(fixture.Grains, running: null);

        call.AssertRefused(await call.TryAsync(context));
    }

    [Fact]
    public void The_table_holds_at_least_40_distinct_malformed_calls()
    {
        var names = HostileGrainCalls.All.Select(c => c.Name).ToArray();

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.True(names.Length >= 40, $"{names.Length} cases");

        // Every kind of job and every kind of refusal is exercised.
        Assert.Contains(names, n => n.StartsWith("sinkhorn spec:", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("flow", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("sampling", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("study", StringComparison.Ordinal));
        var refusals = HostileGrainCalls.All.Select(c => c.Exception).ToHashSet();
        Assert.Superset(new HashSet<Type> { typeof(JobInputException), typeof(InvalidOperationException), typeof(ArgumentOutOfRangeException) }, refusals);
    }

    [Fact]
    public async Task Every_malformed_call_made_during_a_run_leaves_its_result_unchanged()
    {
        var (source, target) = Problems.Clouds(300, 300, 2, seed: 31);
        var client = new SinkhornJobClient(fixture.Grains);

        // A job that runs until its cap (no tolerance is reachable): long enough for every malformed call to land while it
        // runs; on a machine fast enough to finish it first, it is made longer rather than the calls being made after it.
        for (var cap = FirstIterationCap; ; cap *= 4)
        {
            var spec = Spec(source, target, cap);
            var id = $"hostile-in-flight-{Guid.NewGuid():N}";
            var job = await client.SubmitAsync(id, spec, source, target);
            var outcomes = new List<(HostileGrainCall Call, Exception? Raised)>();
            foreach (var call in HostileGrainCalls.All)
            {
                await using var context = new HostileGrainContext(fixture.Grains, job);
                outcomes.Add((call, await call.TryAsync(context)));
            }

            var afterCalls = await job.GetStatusAsync();
            if (afterCalls.State != JobState.Running && cap < FirstIterationCap * 64)
            {
                await job.ReleaseAsync();
                continue;
            }

            Assert.True(afterCalls.State == JobState.Running, $"the job ended ({afterCalls.State}) before the calls did");
            Assert.All(outcomes, o => o.Call.AssertRefused(o.Raised));

            var status = await client.WaitAsync(job);
            Assert.True(status.State == JobState.Completed, $"{status.State}: {status.Error}");
            var inFlight = await SinkhornJobClient.DownloadAsync(job, source.Count, target.Count, source.Dimension);
            await job.ReleaseAsync();

            var alone = await client.RunAsync($"hostile-alone-{Guid.NewGuid():N}", spec, source, target);
            AssertSameRun(alone, inFlight);
            return;
        }
    }

    private static SinkhornJobSpec Spec(PointCloud source, PointCloud target, int iterations) =>
        Problems.Spec(source, target, epsilon: 1e-3, shards: 2, tolerance: 1e-300) with { MaxIterations = iterations };

    private static void AssertSameRun(SinkhornJobOutput alone, SinkhornJobOutput inFlight)
    {
        // The same job on the same shards: the same arithmetic in the same order, whatever else the cluster was asked.
        Assert.Equal(alone.Result.Iterations, inFlight.Result.Iterations);
        Assert.Equal(alone.Result.Converged, inFlight.Result.Converged);
        Assert.Equal(alone.Result.Dual, inFlight.Result.Dual);
        Assert.Equal(alone.Result.Cost, inFlight.Result.Cost);
        Assert.Equal(alone.Result.Objective, inFlight.Result.Objective);
        Assert.Equal(alone.Result.MarginalError, inFlight.Result.MarginalError);
        Assert.Equal(alone.F, inFlight.F);
        Assert.Equal(alone.G, inFlight.G);
        Assert.Equal(alone.Map, inFlight.Map);
    }
}
