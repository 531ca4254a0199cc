using Transport.Grains.Interfaces;

namespace Transport.Grains.Tests.Hostile;

/// <summary>
/// A run id used again (issue 12): creating a job under the id of a completed one replaces it whole; the shards of the
/// old layout that the new one does not reuse are freed, not left holding their blocks until their idle timeout.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class DuplicateRunIdTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Creating_an_id_again_with_fewer_shards_frees_the_shards_of_the_previous_job()
    {
        var id = $"hostile-again-{Guid.NewGuid():N}";
        var (source, target) = Problems.Clouds(8, 8, 2, seed: 3);
        var client = new SinkhornJobClient(fixture.Grains);
        var first = await client.RunAsync(id, Problems.Spec(source, target, epsilon: 0.1, shards: 4), source, target);
        Assert.Equal(8, await ShardActivationsAsync(id));

        var job = fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>(id);
        await job.CreateAsync(Problems.Spec(source, target, epsilon: 0.1, shards: 1));

        // One shard per cloud now: the other six go (deactivation is asynchronous, hence the wait).
        Assert.Equal(2, await WaitForActivationsAsync(id, n => n == 2));
        Assert.Equal(JobState.Created, (await fixture.Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).GetAsync(id))?.State);

        // The id runs its new job to the same numbers as the first layout (the shard count changes no result).
        var second = await client.RunAsync(id, Problems.Spec(source, target, epsilon: 0.1, shards: 1), source, target);
        Assert.Equal(first.Result.Iterations, second.Result.Iterations);
        Problems.AssertClose(first.Result.Dual, second.Result.Dual, 1e-12, 1, "dual");
        await job.ReleaseAsync();
        Assert.Equal(0, await WaitForActivationsAsync(id, n => n == 0));
    }

    [Fact]
    public async Task An_id_of_another_kind_is_refused_and_releasing_that_kind_leaves_the_listed_job_alone()
    {
        var id = $"hostile-kinds-{Guid.NewGuid():N}";
        var (source, target) = Problems.Clouds(8, 8, 2, seed: 4);
        var client = new SinkhornJobClient(fixture.Grains);
        var spec = Problems.Spec(source, target, epsilon: 0.1, shards: 2);
        var job = fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>(id);
        await job.CreateAsync(spec);
        var registry = fixture.Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);

        // A flow under the same id is refused naming the id; the Sinkhorn job stays listed as it was.
        var flow = fixture.Grains.GetGrain<IFlowCoordinatorGrain>(id);
        var refusal = await Assert.ThrowsAsync<JobInputException>(() => flow.CreateAsync(HostileGrainContext.Flow));
        Assert.Equal("id", refusal.Field);
        Assert.Contains("sinkhorn", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(("sinkhorn", JobState.Created), await ListedAsync());

        // Releasing the (empty) flow coordinator under that id unlisted the Sinkhorn job: its shards then had no owner
        // that 'runs release' could reach. It is still listed, and runs to completion.
        await flow.ReleaseAsync();
        Assert.Equal(("sinkhorn", JobState.Created), await ListedAsync());
        await job.ReleaseAsync();
        var output = await client.RunAsync(id, spec, source, target);
        Assert.True(output.Result.Iterations > 0);
        Assert.Equal(("sinkhorn", JobState.Completed), await ListedAsync());
        await job.ReleaseAsync();
        Assert.Null(await registry.GetAsync(id));

        async Task<(string?, JobState?)> ListedAsync()
        {
            var record = await registry.GetAsync(id);
            return (record?.Kind, record?.State);
        }
    }

    private async Task<int> ShardActivationsAsync(string jobId)
    {
        var statistics = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Count(s => s.GrainType.Contains("ShardGrain", StringComparison.Ordinal) && s.GrainId.Key.ToString()!.StartsWith(jobId + "/", StringComparison.Ordinal));
    }

    private async Task<int> WaitForActivationsAsync(string jobId, Func<int, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var count = await ShardActivationsAsync(jobId);
        while (!done(count) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            count = await ShardActivationsAsync(jobId);
        }

        return count;
    }
}
