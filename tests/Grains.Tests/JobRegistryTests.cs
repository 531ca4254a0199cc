using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains.Tests;

/// <summary>
/// Every job is listed in the registry with its kind, label and state from its creation to its release, and releasing
/// it frees its shards: the activations of its shard grains go back to what they were before the job.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class JobRegistryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_job_is_listed_with_its_label_and_state_and_release_frees_its_shards()
    {
        var registry = fixture.Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);
        var before = await ShardActivationsAsync();
        var (source, target) = Problems.Clouds(60, 50, 2, seed: 41);
        var spec = Problems.Spec(source, target, epsilon: 0.1, shards: 3) with { Label = "registry-test" };

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync("registry-job", spec, source, target);

        var listed = await registry.GetAsync("registry-job");
        Assert.NotNull(listed);
        Assert.Equal("sinkhorn", listed.Kind);
        Assert.Equal("registry-test", listed.Label);
        Assert.Equal(JobState.Completed, listed.State);
        Assert.Contains("n=60 m=50 d=2", listed.Summary, StringComparison.Ordinal);
        Assert.True(listed.Updated >= listed.Created);
        Assert.Contains(await registry.ListAsync(), job => job.Id == "registry-job");
        Assert.True(await ShardActivationsAsync() >= before + 6, "the job's 3 + 3 shards are active while it is kept");

        await fixture.Grains.GetGrain<ISinkhornCoordinatorGrain>("registry-job").ReleaseAsync();

        Assert.Null(await registry.GetAsync("registry-job"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var after = await ShardActivationsAsync();
        while (after > before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            after = await ShardActivationsAsync();
        }

        Assert.Equal(before, after);
        Assert.True(double.IsFinite(output.Result.Cost));
    }

    [Fact]
    public async Task A_failed_job_is_listed_failed_with_its_reason()
    {
        // An adaptive sampler allowed 2 step attempts cannot reach t = 1 at tolerance 1e-12: the run fails.
        var spec = SamplingJobSpec.From("gaussian", 1, 20, new SamplingOptions { Sampler = SamplerKind.Adaptive, MaxSteps = 2, RelativeTolerance = 1e-12, AbsoluteTolerance = 1e-12 }) with
        {
            Mean = [0.0],
            Covariance = [0.01],
            Label = "doomed",
        };
        var coordinator = await SamplingJobClient.SubmitAsync(fixture.Grains, "registry-failed", spec, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);
        var status = await SamplingJobClient.WaitAsync(fixture.Grains, coordinator);

        var listed = await fixture.Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).GetAsync("registry-failed");
        Assert.Equal(JobState.Failed, status.State);
        Assert.NotNull(listed);
        Assert.Equal(("sampling", "doomed", JobState.Failed), (listed.Kind, listed.Label, listed.State));
        Assert.Equal(status.Error, listed.Error);
        Assert.Contains("2 step attempts", listed.Error, StringComparison.Ordinal);
    }

    private async Task<int> ShardActivationsAsync()
    {
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        var statistics = await management.GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains("SinkhornShardGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }
}
