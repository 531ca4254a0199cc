using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Sampling;
using Transport.Numerics.Transport;

namespace Transport.Grains.Tests;

/// <summary>
/// Admission and limits (issue 12), on a cluster of its own with small limits: a job over a limit is refused naming the
/// limit and its configured value before any shard is allocated; the concurrency limit refuses the next job while the
/// admitted ones run and admits it once one ends; an upload abandoned by its client fails its job after the lease and
/// frees its shards, leaving the other jobs running; an eps outside the clouds' range fails the job at its start and
/// frees its shards.
/// </summary>
public sealed class AdmissionLimitsTests : IAsyncLifetime
{
    private const long MaxPoints = 1_000;
    private const long MaxShardPoints = 300;
    private const int MaxDimension = 8;
    private const int MaxJobs = 2;
    private const long MaxMemory = 200_000;

    private TestCluster cluster = null!;

    private IGrainFactory Grains => cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<LimitedSilo>();
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await cluster.StopAllSilosAsync();

    public static TheoryData<string, string, SinkhornJobSpec> OverSinkhornLimits => new()
    {
        { "Transport:MaxPointsPerJob", "limit of 1000", Spec(600, 600, 2, shards: 4) },
        { "Transport:MaxPointsPerShard", "limit of 300", Spec(400, 100, 2, shards: 1) },
        { "Transport:MaxDimension", "limit of 8", Spec(10, 10, 9, shards: 1) },
        { "Transport:MaxJobMemory", "limit of 195.3 KiB (200000 bytes)", Spec(300, 300, 8, shards: 1) },
    };

    [Theory]
    [MemberData(nameof(OverSinkhornLimits))]
    public async Task A_sinkhorn_job_over_a_limit_is_refused_naming_it_and_allocates_nothing(string field, string configured, SinkhornJobSpec spec)
    {
        var id = $"over-{field}";

        var refusal = await Assert.ThrowsAsync<JobInputException>(() => Grains.GetGrain<ISinkhornCoordinatorGrain>(id).CreateAsync(spec));

        Assert.Equal(field, refusal.Field);
        Assert.StartsWith($"{field}: ", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(configured, refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ShardActivationsAsync(id));
        Assert.Null(await Registry.GetAsync(id));
    }

    [Fact]
    public async Task Flow_and_sampling_jobs_over_the_points_limit_are_refused_naming_it()
    {
        var flow = new FlowJobSpec { Model = FlowTestModels.AffineSpec(), Count = 1_001, Dimension = 2, Shards = 4, Step = 0.1, EndTime = 1 };
        var sampling = SamplingJobSpec.From("gaussian", 2, 1_001, new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 4, End = 0.9 }) with
        {
            Mean = [0.0, 0.0],
            Covariance = [1.0, 0.0, 0.0, 1.0],
            ParticleShards = 4,
        };

        var flowRefusal = await Assert.ThrowsAsync<JobInputException>(() => Grains.GetGrain<IFlowCoordinatorGrain>("flow-too-big").CreateAsync(flow));
        var samplingRefusal = await Assert.ThrowsAsync<JobInputException>(() => Grains.GetGrain<ISamplingCoordinatorGrain>("sampling-too-big").CreateAsync(sampling));

        Assert.Equal("Transport:MaxPointsPerJob", flowRefusal.Field);
        Assert.Contains("1001 particles", flowRefusal.Message, StringComparison.Ordinal);
        Assert.Equal("Transport:MaxPointsPerJob", samplingRefusal.Field);
        Assert.Contains("limit of 1000", samplingRefusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ShardActivationsAsync("flow-too-big"));
        Assert.Equal(0, await ShardActivationsAsync("sampling-too-big"));
    }

    [Fact]
    public async Task The_concurrency_limit_refuses_the_next_job_while_the_admitted_ones_run_and_admits_it_after_one_ends()
    {
        var client = new SinkhornJobClient(Grains);
        var (source, target) = Problems.Clouds(60, 60, 2, seed: 7);
        // eps 1e-6: at 1e-3 the marginal error reaches exactly 0 (below any tolerance) after 15,000 to 69,000
        // iterations, which a fast machine finishes within the test; at 1e-6 it is still 0.24 after 10^6 iterations.
        var endless = Spec(60, 60, 2, shards: 2) with { Epsilon = 1e-6, Tolerance = 1e-300, MaxIterations = 1_000_000, Scaling = 1 };
        var running = new List<ISinkhornCoordinatorGrain>();
        for (var k = 0; k < MaxJobs; k++)
        {
            running.Add(await client.SubmitAsync($"running-{k}", endless, source, target));
        }

        try
        {
            var third = Grains.GetGrain<ISinkhornCoordinatorGrain>("third");
            var refusal = await Assert.ThrowsAsync<JobInputException>(() => third.CreateAsync(Spec(60, 60, 2, shards: 2)));
            Assert.Equal("Transport:MaxConcurrentJobs", refusal.Field);
            Assert.Contains("limit is 2", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("running-0", refusal.Message, StringComparison.Ordinal);
            Assert.All(await Task.WhenAll(running.Select(r => r.GetStatusAsync())), s => Assert.Equal(JobState.Running, s.State));

            // One ends: the next job is admitted (and runs to completion).
            await running[0].CancelAsync();
            Assert.Equal(JobState.Cancelled, (await client.WaitAsync(running[0])).State);
            var output = await client.RunAsync("third", Spec(60, 60, 2, shards: 2), source, target);
            Assert.True(output.Result.Converged);
        }
        finally
        {
            foreach (var job in running)
            {
                await job.CancelAsync();
                await client.WaitAsync(job);
                await job.ReleaseAsync();
            }
        }
    }

    [Theory]
    [InlineData("""{"epsilon": 0.1}""", "every shard's copy of the keys")]
    [InlineData("""{"epsilon": 0.1, "multiscale": true}""", "sorted copies on the shards")]
    public async Task A_sinkhorn_flow_counts_its_target_and_its_Sinkhorn_shards_in_its_memory_demand(string parameters, string solves)
    {
        // 300 particles in d = 2 and 10 Euler steps: the particles with their stages and 12 snapshots take about 106 KB,
        // under the 195 KiB limit, so the affine flow is admitted. The sinkhorn-flow against 300 target points also holds
        // the target on its shard and its coordinator and solves a divergence on Sinkhorn shards (the clouds, the shards'
        // keys or sorted copies, the rows' potentials and maps: over 200 KB more), which takes it over.
        var affine = new FlowJobSpec { Model = FlowTestModels.AffineSpec(), Count = 300, Dimension = 2, Shards = 1, Step = 0.1, EndTime = 1, Integrator = FlowIntegrator.Euler };
        var flow = affine with { Model = new FlowModelSpec { Name = "sinkhorn-flow", ParametersJson = parameters, Uploaded = [new FlowDataShape("target", 300, 2)] } };

        await Grains.GetGrain<IFlowCoordinatorGrain>("affine-fits").CreateAsync(affine);
        var refusal = await Assert.ThrowsAsync<JobInputException>(() => Grains.GetGrain<IFlowCoordinatorGrain>("sinkhorn-flow-too-big").CreateAsync(flow));

        Assert.Equal("Transport:MaxJobMemory", refusal.Field);
        Assert.Contains("600 values of model data on each of 1 shards and the coordinator", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("on Sinkhorn shards ", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(solves, refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ShardActivationsAsync("sinkhorn-flow-too-big"));
        Assert.Null(await Registry.GetAsync("sinkhorn-flow-too-big"));
    }

    [Fact]
    public async Task Jobs_listed_as_running_whose_coordinators_hold_nothing_do_not_hold_their_places()
    {
        // A silo that died with its coordinators leaves their jobs listed as running: at the limit, admission asks them.
        var now = DateTimeOffset.UtcNow;
        for (var k = 0; k < MaxJobs; k++)
        {
            await Registry.RecordAsync(new JobRecord($"ghost-{k}", "sinkhorn", null, "lost with its silo", JobState.Running, now, now));
        }

        var (source, target) = Problems.Clouds(20, 20, 2, seed: 10);
        var output = await new SinkhornJobClient(Grains).RunAsync("after-ghosts", Spec(20, 20, 2, shards: 1), source, target);

        Assert.True(output.Result.Converged);
        for (var k = 0; k < MaxJobs; k++)
        {
            var ghost = await Registry.GetAsync($"ghost-{k}");
            Assert.Equal(JobState.Failed, ghost?.State);
            Assert.StartsWith("lost", ghost?.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_abandoned_upload_fails_its_job_after_the_lease_and_frees_its_shards_while_another_job_runs()
    {
        var client = new SinkhornJobClient(Grains);
        var (source, target) = Problems.Clouds(60, 60, 2, seed: 8);
        // eps 1e-6: at 1e-3 the marginal error reaches exactly 0 (below any tolerance) after 15,000 to 69,000
        // iterations, which a fast machine finishes within the test; at 1e-6 it is still 0.24 after 10^6 iterations.
        var endless = Spec(60, 60, 2, shards: 2) with { Epsilon = 1e-6, Tolerance = 1e-300, MaxIterations = 1_000_000, Scaling = 1 };
        var other = await client.SubmitAsync("keeps-running", endless, source, target);
        try
        {
            // A client that creates its job, sends one chunk of the source and is killed.
            var abandoned = Grains.GetGrain<ISinkhornCoordinatorGrain>("abandoned");
            await abandoned.CreateAsync(Spec(60, 60, 2, shards: 2));
            await abandoned.UploadAsync(CloudSide.Source, 0, FloatBlock.From(source.Positions[..20].ToArray(), 10, 2), FloatBlock.FromVector([.. Enumerable.Repeat(1.0 / 60, 10)]));
            Assert.Equal(4, await ShardActivationsAsync("abandoned"));

            // The lease is 1 s: the job fails with the reason and its shards go; the other job is untouched.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            JobStatus<SinkhornJobProgress> status;
            while ((status = await abandoned.GetStatusAsync()).State == JobState.Created && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.Equal(JobState.Failed, status.State);
            Assert.StartsWith("upload abandoned: no chunk for ", status.Error, StringComparison.Ordinal);
            Assert.Contains("Transport:UploadLease is 00:00:01", status.Error, StringComparison.Ordinal);
            Assert.Equal(JobState.Failed, (await Registry.GetAsync("abandoned"))?.State);
            Assert.Equal(0, await WaitForActivationsAsync("abandoned", n => n == 0));
            Assert.Equal(4, await ShardActivationsAsync("keeps-running"));

            // The other job is still running and still iterating.
            var progress = (await other.GetStatusAsync()).Progress.Iteration;
            var later = await other.GetStatusAsync();
            var until = DateTime.UtcNow.AddSeconds(30);
            while (later.Progress.Iteration <= progress && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
                later = await other.GetStatusAsync();
            }

            Assert.Equal(JobState.Running, later.State);
            Assert.True(later.Progress.Iteration > progress, "the other job stopped iterating");

            // An upload to the abandoned job is refused with the reason.
            var late = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                abandoned.UploadAsync(CloudSide.Source, 10, FloatBlock.From(source.Positions[20..40].ToArray(), 10, 2), FloatBlock.FromVector([.. Enumerable.Repeat(1.0 / 60, 10)])));
            Assert.Contains("upload abandoned", late.Message, StringComparison.Ordinal);
        }
        finally
        {
            await other.CancelAsync();
            await client.WaitAsync(other);
            await other.ReleaseAsync();
        }
    }

    [Fact]
    public async Task An_epsilon_outside_the_range_fails_the_job_at_its_start_naming_epsilon_and_frees_its_shards()
    {
        var (source, target) = Problems.Clouds(30, 30, 2, seed: 9);
        var client = new SinkhornJobClient(Grains);

        var refusal = await Assert.ThrowsAsync<JobInputException>(() => client.SubmitAsync("huge-epsilon", Spec(30, 30, 2, shards: 2) with { Epsilon = 1e300 }, source, target));

        Assert.Equal("epsilon", refusal.Field);
        Assert.StartsWith("epsilon: 1E+300 is outside the admissible range [", refusal.Message, StringComparison.Ordinal);
        var status = await Grains.GetGrain<ISinkhornCoordinatorGrain>("huge-epsilon").GetStatusAsync();
        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal("epsilon", status.ErrorField);
        Assert.Equal(0, status.Progress.Iteration);
        Assert.Equal(0, await WaitForActivationsAsync("huge-epsilon", n => n == 0));
    }

    private IJobRegistryGrain Registry => Grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);

    private static SinkhornJobSpec Spec(int n, int m, int d, int shards) => new()
    {
        SourceCount = n,
        TargetCount = m,
        Dimension = d,
        Epsilon = 0.1,
        Shards = shards,
    };

    /// <summary>Activations of job <paramref name="jobId"/>'s shards, of any kind (their keys start with the job id and a slash).</summary>
    private async Task<int> ShardActivationsAsync(string jobId)
    {
        var statistics = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Count(s => s.GrainType.Contains("ShardGrain", StringComparison.Ordinal) && s.GrainId.Key.ToString()!.StartsWith(jobId + "/", StringComparison.Ordinal));
    }

    /// <summary>Polls the job's shard activations (deactivation is asynchronous) until <paramref name="done"/> or 30 s; returns the last count.</summary>
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

    private sealed class LimitedSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.Services.AddCatalogFlowModels();
            foreach (var (name, build) in FlowTestModels.Builders)
            {
                siloBuilder.Services.AddFlowModel(name, build);
            }

            siloBuilder.Services.Configure<JobLimits>(limits =>
            {
                limits.MaxPointsPerJob = MaxPoints;
                limits.MaxPointsPerShard = MaxShardPoints;
                limits.MaxDimension = MaxDimension;
                limits.MaxConcurrentJobs = MaxJobs;
                limits.MaxJobMemory = MaxMemory;
                limits.UploadLease = TimeSpan.FromSeconds(1);
            });
        }
    }
}
