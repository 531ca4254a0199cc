using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using static Transport.Grains.Tests.Hostile.HostileGrainContext;

namespace Transport.Grains.Tests.Hostile;

/// <summary>
/// Uploads never finished (issue 12), on a cluster of its own whose upload lease is 1 s: a job of every kind whose client
/// stops before its uploads are complete fails as abandoned, its shards are freed and its calls are refused with the
/// reason, and the id can be used again; a job running on the same cluster meanwhile is not disturbed.
/// </summary>
public sealed class HostileUploadLeaseTests : IAsyncLifetime
{
    private TestCluster cluster = null!;

    private IGrainFactory Grains => cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<ShortLeaseSilo>();
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await cluster.StopAllSilosAsync();

    /// <summary>The kinds of abandoned upload: what the client sent before it stopped.</summary>
    public static TheoryData<string> Abandoned => ["sinkhorn: source complete, target never sent", "flow: half the initial cloud", "sampling: one data chunk of three", "study: the data set never sent", "study: half the uploaded noise"];

    [Theory]
    [MemberData(nameof(Abandoned))]
    public async Task An_upload_never_finished_fails_its_job_frees_its_shards_and_leaves_the_id_usable(string kind)
    {
        var id = $"abandoned-{Guid.NewGuid():N}";
        var running = await StartEndlessAsync();
        try
        {
            var (status, uploadAgain, createAgain, release, resume) = await AbandonAsync(kind, id);

            Assert.Equal(JobState.Failed, status.State);
            Assert.StartsWith("upload abandoned: no chunk for ", status.Error, StringComparison.Ordinal);
            Assert.Contains("Transport:UploadLease is 00:00:01", status.Error, StringComparison.Ordinal);
            Assert.Equal(JobState.Failed, (await Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).GetAsync(id))?.State);
            Assert.Equal(0, await WaitForShardsAsync(id));

            // The client comes back: its next chunk is refused with the reason, a new job under the id is accepted.
            var late = await Assert.ThrowsAsync<InvalidOperationException>(uploadAgain);
            Assert.Contains("upload abandoned", late.Message, StringComparison.Ordinal);
            var resumed = await Assert.ThrowsAsync<JobInputException>(resume);
            Assert.Equal("id", resumed.Field);
            Assert.Contains("failed on its input (upload abandoned", resumed.Message, StringComparison.Ordinal);
            await createAgain();
            Assert.Equal(JobState.Created, (await Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).GetAsync(id))?.State);
            await release();

            // The job running meanwhile still runs and still iterates.
            var before = (await running.GetStatusAsync()).Progress.Iteration;
            var after = await WaitForProgressAsync(running, before);
            Assert.Equal(JobState.Running, after.State);
            Assert.True(after.Progress.Iteration > before, "the running job stopped iterating");
        }
        finally
        {
            await running.CancelAsync();
            await new SinkhornJobClient(Grains).WaitAsync(running);
            await running.ReleaseAsync();
        }
    }

    /// <summary>
    /// Creates a job of <paramref name="kind"/>, sends what that kind's client sent before it stopped, waits past the
    /// lease; returns the job's status and the calls its client would make on coming back.
    /// </summary>
    private async Task<(JobStatusView Status, Func<Task> UploadAgain, Func<Task> CreateAgain, Func<Task> Release, Func<Task> Resume)> AbandonAsync(string kind, string id)
    {
        switch (kind)
        {
            case "sinkhorn: source complete, target never sent":
            {
                var job = Grains.GetGrain<ISinkhornCoordinatorGrain>(id);
                await job.CreateAsync(Sinkhorn);
                await job.UploadAsync(CloudSide.Source, 0, Rows(SourceCount, 2, 0), Weights(SourceCount, 1.0 / SourceCount));
                var status = await WaitWhileCreatedAsync(async () => View(await job.GetStatusAsync()));
                return (status, () => job.UploadAsync(CloudSide.Target, 0, Rows(TargetCount, 2, 1), Weights(TargetCount, 1.0 / TargetCount)), () => job.CreateAsync(Sinkhorn), job.ReleaseAsync, job.ResumeAsync);
            }

            case "flow: half the initial cloud":
            {
                var job = Grains.GetGrain<IFlowCoordinatorGrain>(id);
                await job.CreateAsync(Flow);
                await job.UploadAsync(0, Rows(2, 2, 0), Weights(2, 0.25));
                var status = await WaitWhileCreatedAsync(async () => View(await job.GetStatusAsync()));
                return (status, () => job.UploadAsync(2, Rows(2, 2, 1), Weights(2, 0.25)), () => job.CreateAsync(Flow), job.ReleaseAsync, job.ResumeAsync);
            }

            case "sampling: one data chunk of three":
            {
                var spec = HostileGrainContext.Sampling with { Target = "empirical", Mean = [], Covariance = [], DataCount = 3 };
                var job = Grains.GetGrain<ISamplingCoordinatorGrain>(id);
                await job.CreateAsync(spec);
                await job.UploadDataAsync(0, Rows(1, 2, 0), Weights(1, 1.0));
                var status = await WaitWhileCreatedAsync(async () => View(await job.GetStatusAsync()));
                return (status, () => job.UploadDataAsync(1, Rows(2, 2, 1), Weights(2, 1.0)), () => job.CreateAsync(spec), job.ReleaseAsync, job.ResumeAsync);
            }

            case "study: the data set never sent":
            {
                var spec = Study with { Target = "data", ComponentWeights = [], Means = [], Covariances = [], DataCount = 4 };
                var job = Grains.GetGrain<ISampleStudyCoordinatorGrain>(id);
                await job.CreateAsync(spec);
                var status = await WaitWhileCreatedAsync(async () => View(await job.GetStatusAsync()));
                return (status, () => job.UploadDataAsync(0, Rows(4, 2, 0), Weights(4, 1.0)), () => job.CreateAsync(spec), job.ReleaseAsync, job.ResumeAsync);
            }

            default:
            {
                var spec = Study with { UploadedNoise = true };
                var job = Grains.GetGrain<ISampleStudyCoordinatorGrain>(id);
                await job.CreateAsync(spec);
                await job.UploadNoiseAsync(0, Rows(5, 2, 0));
                var status = await WaitWhileCreatedAsync(async () => View(await job.GetStatusAsync()));
                return (status, () => job.UploadNoiseAsync(5, Rows(5, 2, 1)), () => job.CreateAsync(spec), job.ReleaseAsync, job.ResumeAsync);
            }
        }
    }

    private static JobStatusView View<TProgress>(JobStatus<TProgress> status) => new(status.State, status.Error);

    private static async Task<JobStatusView> WaitWhileCreatedAsync(Func<Task<JobStatusView>> poll)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var status = await poll();
        while (status.State == JobState.Created && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await poll();
        }

        return status;
    }

    private async Task<ISinkhornCoordinatorGrain> StartEndlessAsync()
    {
        var (source, target) = Problems.Clouds(60, 60, 2, seed: 41);
        var spec = new SinkhornJobSpec { SourceCount = 60, TargetCount = 60, Dimension = 2, Epsilon = 1e-6, Tolerance = 1e-300, MaxIterations = 1_000_000, Scaling = 1, Shards = 2 };
        return await new SinkhornJobClient(Grains).SubmitAsync($"lease-running-{Guid.NewGuid():N}", spec, source, target);
    }

    private static async Task<JobStatus<SinkhornJobProgress>> WaitForProgressAsync(ISinkhornCoordinatorGrain job, int iteration)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var status = await job.GetStatusAsync();
        while (status.Progress.Iteration <= iteration && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            status = await job.GetStatusAsync();
        }

        return status;
    }

    /// <summary>Polls the job's shard activations (deactivation is asynchronous) until none is left or 30 s; returns the last count.</summary>
    private async Task<int> WaitForShardsAsync(string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var statistics = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
            var count = statistics.Count(s => s.GrainType.Contains("ShardGrain", StringComparison.Ordinal) && s.GrainId.Key.ToString()!.StartsWith(jobId + "/", StringComparison.Ordinal));
            if (count == 0 || DateTime.UtcNow >= deadline)
            {
                return count;
            }

            await Task.Delay(100);
        }
    }

    private sealed record JobStatusView(JobState State, string? Error);

    private sealed class ShortLeaseSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.Services.AddCatalogFlowModels();
            foreach (var (name, build) in FlowTestModels.Builders)
            {
                siloBuilder.Services.AddFlowModel(name, build);
            }

            siloBuilder.Services.Configure<JobLimits>(limits => limits.UploadLease = TimeSpan.FromSeconds(1));
        }
    }
}
