using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

[Collection(ClusterTestGroup.Name)]
public sealed class DistributedSamplingTests(ClusterFixture fixture, ITestOutputHelper log)
{
    // The contract is 1e-6 relative (scale max(1, |x|)). Each particle's arithmetic is the same code on the cluster;
    // the only difference from the single-process run is the order of additions where the data shards' softmax
    // partials are combined (and the particle shards' totals are added), which perturbs the last bits only.
    private const double Relative = 1e-6;

    private const int DataCount = 2000;
    private const int Particles = 300;

    private static readonly (double[] Points, double[] Weights) Data = SamplingTestData.Clusters(DataCount, seed: 11);

    public static TheoryData<string, int, int> EmpiricalCases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var dataShards in new[] { 1, 4, 8 })
        {
            foreach (var particleShards in new[] { 1, 3 })
            {
                data.Add("rk4", dataShards, particleShards);
            }
        }

        foreach (var sampler in new[] { "adaptive", "ddim", "sde" })
        {
            data.Add(sampler, 1, 1);
            data.Add(sampler, 8, 3);
        }

        data.Add("ddim", 4, 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(EmpiricalCases))]
    public async Task Empirical_samples_equal_the_single_process_run(string sampler, int dataShards, int particleShards)
    {
        var options = Options(sampler);

        // DDIM runs take uploaded (non-counter) noise; the others let each particle shard draw its own block.
        var uploaded = sampler == "ddim";
        var source = uploaded ? SamplingTestData.Noise(Particles, SamplingTestData.Dimension, seed: 5) : SourceNoise.Create(options.Seed, Particles, SamplingTestData.Dimension);
        var schedule = new LinearSchedule();
        var (expected, report) = await SamplingTestData.LocalAsync(new EmpiricalTarget(Data.Points, SamplingTestData.Dimension, Data.Weights), schedule, options, source);

        var spec = SamplingTestData.Empirical(DataCount, Particles, dataShards, particleShards, options, uploaded);
        var run = await SamplingJobClient.RunAsync(fixture.Grains, spec, Data.Points, Data.Weights, uploaded ? source : ReadOnlyMemory<double>.Empty);

        Assert.Equal(dataShards, run.Result.DataShards);
        Assert.Equal(particleShards, run.Result.ParticleShards);
        AssertSameRun(expected, report, run);
        Assert.NotEqual(source, run.Samples);
        // Same data split and particle split in process: the cluster reproduces its arithmetic bit for bit.
        var blocked = new BlockedEmpiricalTarget(Data.Points, SamplingTestData.Dimension, Data.Weights, dataShards);
        var (sameSplit, sameSplitReport) = await SamplingTestData.LocalAsync(blocked, schedule, options, source, particleShards);
        Assert.Equal(sameSplit, run.Samples);
        Assert.Equal(sameSplitReport.KineticEnergy, run.Result.KineticEnergy);
        var largest = expected.Zip(run.Samples, (e, a) => Math.Abs(e - a) / Math.Max(1.0, Math.Abs(e))).Max();
        log.WriteLine($"{sampler}, {dataShards} data x {particleShards} particle shards: NFE {run.Result.Evaluations}, {run.Result.Seconds:F3} s, largest relative difference {largest:E2}");
    }

    [Fact]
    public async Task Uniform_data_weights_are_the_default()
    {
        var options = Options("rk4");
        var source = SourceNoise.Create(options.Seed, Particles, SamplingTestData.Dimension);
        var (expected, report) = await SamplingTestData.LocalAsync(new EmpiricalTarget(Data.Points, SamplingTestData.Dimension), new LinearSchedule(), options, source);

        var spec = SamplingTestData.Empirical(DataCount, Particles, 4, 2, options);
        var output = await SamplingJobClient.RunAsync(fixture.Grains, spec, Data.Points, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);

        AssertSameRun(expected, report, output);
    }

    [Fact]
    public async Task Gaussian_mixture_samples_equal_the_single_process_run()
    {
        double[] weights = [0.3, 0.7];
        double[] means = [-2.0, 0.5, 1.5, -1.0];
        double[] covariances = [0.5, 0.1, 0.1, 0.3, 0.2, 0.0, 0.0, 0.8];
        var options = new SamplingOptions { Sampler = SamplerKind.Rk4, Steps = 10, End = 0.99, Seed = 3, Snap = true };
        var target = new GaussianMixtureTarget(weights, [means[..2], means[2..]], [Matrix(covariances, 0), Matrix(covariances, 4)]);
        var source = SourceNoise.Create(options.Seed, 101, 2);
        var (expected, report) = await SamplingTestData.LocalAsync(target, new TrigonometricSchedule(), options, source);

        var spec = SamplingJobSpec.From("mixture", 2, 101, options) with
        {
            Schedule = "trig",
            MixtureWeights = weights,
            MixtureMeans = means,
            MixtureCovariances = covariances,
            ParticleShards = 2,
        };
        var output = await SamplingJobClient.RunAsync(fixture.Grains, spec, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);

        Assert.Equal(0, output.Result.DataShards);
        Assert.Equal(2, output.Result.ParticleShards);
        AssertSameRun(expected, report, output);
    }

    [Fact]
    public async Task Gaussian_target_on_a_karras_grid_with_the_vp_schedule_equals_the_single_process_run()
    {
        double[] mean = [1.0, -1.0];
        double[] covariance = [2.0, 0.5, 0.5, 1.0];
        var options = new SamplingOptions { Sampler = SamplerKind.Heun, Steps = 8, Grid = TimeGridKind.Karras, End = 0.99, Seed = 9 };
        var source = SourceNoise.Create(options.Seed, 50, 2);
        var (expected, report) = await SamplingTestData.LocalAsync(new GaussianTarget(mean, Matrix(covariance, 0)), new VpSdeSchedule(), options, source);

        var spec = SamplingJobSpec.From("gaussian", 2, 50, options) with { Schedule = "vp", Mean = mean, Covariance = covariance, ParticleShards = 3 };
        var output = await SamplingJobClient.RunAsync(fixture.Grains, spec, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);

        AssertSameRun(expected, report, output);
    }

    [Fact]
    public async Task Invalid_specs_and_inputs_are_rejected_naming_the_field_and_the_cluster_keeps_serving()
    {
        var coordinator = fixture.Grains.GetGrain<ISamplingCoordinatorGrain>("sampling-bad-input");
        var good = SamplingTestData.Empirical(20, 10, 2, 2, new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 4, End = 0.9 });
        var gaussian = SamplingJobSpec.From("gaussian", 2, 10, new SamplingOptions()) with { Mean = [0.0, 0.0], Covariance = [1.0, 0.0, 0.0, 1.0] };
        var mixture = SamplingJobSpec.From("mixture", 1, 10, new SamplingOptions()) with { MixtureWeights = [0.5, 0.5], MixtureMeans = [0.0, 1.0], MixtureCovariances = [1.0, 1.0] };

        async Task<string> Rejected(SamplingJobSpec spec) => (await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(spec))).Field;

        var unknown = await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(good with { Target = "kde" }));
        Assert.Equal("target", unknown.Field);
        Assert.Contains("empirical", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("schedule", await Rejected(good with { Schedule = "cosine" }));
        Assert.Equal("sampler", await Rejected(good with { Sampler = "dpm" }));
        Assert.Equal("grid", await Rejected(good with { Grid = "log" }));
        Assert.Equal("diffusion-profile", await Rejected(good with { DiffusionProfile = "linear" }));
        Assert.Equal("steps", await Rejected(good with { Steps = 0 }));
        Assert.Equal("end", await Rejected(good with { End = 1.0 }));
        Assert.Equal("end", await Rejected(good with { End = double.NaN }));
        Assert.Equal("eta", await Rejected(good with { DdimEta = -1 }));
        Assert.Equal("rtol", await Rejected(good with { RelativeTolerance = 0 }));
        Assert.Equal("particles", await Rejected(good with { Count = 0 }));
        Assert.Equal("dimension", await Rejected(good with { Dimension = 0 }));
        Assert.Equal("particle-shards", await Rejected(good with { ParticleShards = 0 }));
        Assert.Equal("data-shards", await Rejected(good with { DataShards = 5000 }));
        Assert.Equal("data", await Rejected(good with { DataCount = 0 }));
        Assert.Equal("target", await Rejected(good with { Mean = [1.0, 2.0, 3.0] }));
        Assert.Equal("mean", await Rejected(gaussian with { Mean = [0.0] }));
        Assert.Equal("mean", await Rejected(gaussian with { Mean = [0.0, double.NaN] }));
        Assert.Equal("covariance", await Rejected(gaussian with { Covariance = [1.0, 2.0, 2.0, 1.0] }));
        Assert.Equal("covariance", await Rejected(gaussian with { Covariance = [1.0, 0.0, 0.0] }));
        Assert.Equal("data", await Rejected(gaussian with { DataCount = 5 }));
        Assert.Equal("covariances[1]", await Rejected(mixture with { MixtureCovariances = [1.0, -1.0] }));
        Assert.Equal("means", await Rejected(mixture with { MixtureMeans = [0.0] }));
        Assert.Equal("weights[0]", await Rejected(mixture with { MixtureWeights = [0.0, 1.0] }));
        Assert.Equal("weights", await Rejected(mixture with { MixtureWeights = [], MixtureMeans = [], MixtureCovariances = [] }));
        Assert.Equal("target", await Rejected(mixture with { MixtureWeights = new double[SamplingModel.MaxTargetValues + 1] }));

        await coordinator.CreateAsync(good);
        var incomplete = await Assert.ThrowsAsync<JobInputException>(() => coordinator.StartAsync());
        Assert.Equal("data", incomplete.Field);
        var nan = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadDataAsync(0, FloatBlock.From([0.0, 1.0, 2.0, 3.0, double.NaN, 5.0], 2, 3), FloatBlock.FromVector([1.0, 1.0])));
        Assert.Equal("data", nan.Field);
        Assert.Contains("[1, 1]", nan.Message, StringComparison.Ordinal);
        var zero = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadDataAsync(0, FloatBlock.From([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 2, 3), FloatBlock.FromVector([1.0, 0.0])));
        Assert.Equal("data-weights", zero.Field);
        var gap = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadDataAsync(5, FloatBlock.From([0.0, 1.0, 2.0], 1, 3), FloatBlock.FromVector([1.0])));
        Assert.Equal("data", gap.Field);
        var noise = await Assert.ThrowsAsync<JobInputException>(() => coordinator.UploadNoiseAsync(0, FloatBlock.From([0.0, 1.0, 2.0], 1, 3)));
        Assert.Equal("noise", noise.Field);

        var (points, weights) = SamplingTestData.Clusters(20, seed: 2);
        var output = await SamplingJobClient.RunAsync(fixture.Grains, good, points, weights, ReadOnlyMemory<double>.Empty);
        Assert.Equal(4, output.Result.Steps);
        Assert.All(output.Samples, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public async Task A_failure_in_the_run_becomes_a_failed_state_with_the_message()
    {
        double[] mean = [0.0];
        var spec = SamplingJobSpec.From("gaussian", 1, 20, new SamplingOptions { Sampler = SamplerKind.Adaptive, MaxSteps = 2, RelativeTolerance = 1e-12, AbsoluteTolerance = 1e-12 }) with
        {
            Mean = mean,
            Covariance = [0.01],
        };
        var statuses = new List<JobStatus<SamplingJobProgress>>();
        var error = await Assert.ThrowsAsync<JobFailedException>(() => SamplingJobClient.RunAsync(
            fixture.Grains, spec, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, statuses.Add));

        Assert.Contains("failed in the cluster", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 step attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(JobState.Failed, statuses[^1].State);
    }

    [Fact]
    public async Task Progress_is_observed_while_running_and_cancellation_stops_the_run()
    {
        var spec = SamplingJobSpec.From("gaussian", 1, 10, new SamplingOptions { Sampler = SamplerKind.Euler, Steps = 1_000_000, End = 0.9 }) with
        {
            Mean = [0.0],
            Covariance = [1.0],
            ParticleShards = 2,
        };
        var coordinator = await SamplingJobClient.SubmitAsync(fixture.Grains, "sampling-cancel-me", spec, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty);

        var running = new List<JobStatus<SamplingJobProgress>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (running.Count < 3 && DateTime.UtcNow < deadline)
        {
            var status = await coordinator.GetStatusAsync();
            if (status.State == JobState.Running && status.Progress.Steps > 0)
            {
                running.Add(status);
            }

            await Task.Delay(20);
        }

        Assert.True(running.Count >= 3, "progress with steps > 0 was not observed");
        Assert.True(running[^1].Progress.Steps >= running[0].Progress.Steps, "steps must not go backwards");
        Assert.All(running, s => Assert.Equal(s.Progress.Steps, s.Progress.Evaluations));

        await coordinator.CancelAsync();
        var final = await SamplingJobClient.WaitAsync(fixture.Grains, coordinator);
        Assert.Equal(JobState.Cancelled, final.State);
        Assert.True(final.Progress.Steps < spec.Steps, "the run must stop long before its last step");
        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.GetResultAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.GetSamplesAsync(0, 1));
    }

    private static SamplingOptions Options(string sampler) => sampler switch
    {
        "rk4" => new SamplingOptions { Sampler = SamplerKind.Rk4, Steps = 10, End = 0.95, Seed = 21 },
        "adaptive" => new SamplingOptions { Sampler = SamplerKind.Adaptive, End = 0.95, RelativeTolerance = 1e-5, AbsoluteTolerance = 1e-7, Seed = 21 },
        "ddim" => new SamplingOptions { Sampler = SamplerKind.Ddim, DdimEta = 1.0, Steps = 12, End = 0.95, Seed = 21 },
        "sde" => new SamplingOptions { Sampler = SamplerKind.Sde, Steps = 12, CorrectorSteps = 2, DiffusionLevel = 1.0, End = 0.95, Seed = 21 },
        _ => throw new ArgumentOutOfRangeException(nameof(sampler), sampler, "unknown test sampler"),
    };

    private static double[,] Matrix(double[] values, int offset) =>
        new[,] { { values[offset], values[offset + 1] }, { values[offset + 2], values[offset + 3] } };

    private static void AssertSameRun(double[] expected, SamplingReport report, SamplingJobOutput output)
    {
        Assert.Equal(report.Evaluations, output.Result.Evaluations);
        Assert.Equal(report.Steps, output.Result.Steps);
        Assert.Equal(report.RejectedSteps, output.Result.RejectedSteps);
        AssertClose(report.KineticEnergy, output.Result.KineticEnergy, "kinetic energy");
        Assert.Equal(expected.Length, output.Samples.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], output.Samples[i], $"sample [{i / output.Result.Dimension}, {i % output.Result.Dimension}]");
        }
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        Assert.True(double.IsFinite(expected), $"{what}: the reference is {expected:R}");
        Assert.True(Math.Abs(expected - actual) <= Relative * Math.Max(1.0, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
    }
}
