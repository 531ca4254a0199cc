using System.Diagnostics.Metrics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains.Tests;

[Collection(ClusterTestGroup.Name)]
public sealed class DistributedFlowTests(ClusterFixture fixture)
{
    // The contract is 1e-6 relative; per-particle arithmetic is the same code, only the block-order
    // sums of partials differ in rounding, so the observed differences are around 1e-14.
    private const double Relative = 1e-6;

    private const int Particles = 41;

    public static TheoryData<string, FlowIntegrator, int> Cases()
    {
        var data = new TheoryData<string, FlowIntegrator, int>
        {
            { "sphere", FlowIntegrator.Rk4, 3 },
            { "sphere-exp", FlowIntegrator.Euler, 8 },
        };
        foreach (var shards in new[] { 1, 3, 8 })
        {
            data.Add("pairs", FlowIntegrator.Rk4, shards);
            data.Add("affine-mean", FlowIntegrator.Heun, shards);
            data.Add("pairs-noisy", FlowIntegrator.EulerMaruyama, shards);
            data.Add("pairs", FlowIntegrator.Adaptive, shards);
        }

        data.Add("test-langevin", FlowIntegrator.EulerMaruyama, 3);
        data.Add("anchor", FlowIntegrator.Euler, 3);
        data.Add("affine-mean", FlowIntegrator.Adaptive, 8);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Distributed_trajectory_equals_the_single_process_one(string model, FlowIntegrator integrator, int shards)
    {
        var modelSpec = SpecOf(model);
        var sphere = model.StartsWith("sphere", StringComparison.Ordinal);
        var dimension = sphere ? 3 : 2;
        var start = sphere ? FlowData.OnSphere(Particles, 17) : FlowData.Gaussian(Particles, 2, 17, 2.0);
        var weights = FlowData.Weights(Particles);
        var options = new FlowOptions
        {
            Integrator = integrator,
            Step = 0.05,
            EndTime = 1.0,
            SnapshotEvery = 4,
            Seed = 77,
            RelativeTolerance = 1e-7,
            AbsoluteTolerance = 1e-9,
            SphereStep = model == "sphere-exp" ? FlowSphereStep.ExponentialMap : FlowSphereStep.Renormalise,
        };
        var reference = await LocalRunAsync(modelSpec, start, weights, options, blocks: 1);
        var sameSplit = await LocalRunAsync(modelSpec, start, weights, options, blocks: shards);

        var output = await new FlowJobClient(fixture.Grains).RunAsync(
            $"flow-{model}-{integrator}-{shards}", FlowJobSpec.From(modelSpec, Particles, dimension, shards, options), start, weights);
        var run = output.Trajectory;

        Assert.Equal(shards, output.Result.Shards);
        Assert.Equal(reference.Steps, run.Steps);
        Assert.Equal(reference.RejectedSteps, run.RejectedSteps);
        Assert.Equal(reference.FinalTime, run.FinalTime);
        Assert.Equal(reference.Snapshots.Count, run.Snapshots.Count);
        Assert.Equal(reference.Diagnostics.Count, run.Diagnostics.Count);
        for (var s = 0; s < reference.Snapshots.Count; s++)
        {
            Assert.Equal(reference.Snapshots[s].Step, run.Snapshots[s].Step);
            AssertClose(reference.Snapshots[s].Time, run.Snapshots[s].Time, $"snapshot {s} time");
            AssertClose(reference.Snapshots[s].Positions, run.Snapshots[s].Positions, $"snapshot {s}");
        }

        for (var r = 0; r < reference.Diagnostics.Count; r++)
        {
            var expected = reference.Diagnostics[r];
            var actual = run.Diagnostics[r];
            Assert.Equal(expected.Step, actual.Step);
            Assert.Equal(expected.RejectedAttempts, actual.RejectedAttempts);
            AssertClose(expected.Time, actual.Time, $"row {r} time");
            AssertClose(expected.StepSize, actual.StepSize, $"row {r} step size");
            AssertClose(expected.Energy, actual.Energy, $"row {r} energy");
            AssertClose(expected.KineticEnergy, actual.KineticEnergy, $"row {r} kinetic energy");
            AssertClose(expected.ErrorNorm, actual.ErrorNorm, $"row {r} error norm");
        }

        AssertClose(reference.FinalPositions, run.FinalPositions, "final positions");
        Assert.NotEqual(start, run.FinalPositions);

        // Same split, same combine order: the cluster reproduces the in-process blocks bit for bit.
        Assert.Equal(sameSplit.FinalPositions, run.FinalPositions);
        Assert.Equal(sameSplit.Diagnostics.Select(d => d.Energy), run.Diagnostics.Select(d => d.Energy));
    }

    [Fact]
    public async Task Partial_sums_and_stage_data_longer_than_one_block_cross_in_chunks()
    {
        Assert.True((long)WideModel.Length * sizeof(double) > FloatBlock.MaxBytes);
        var modelSpec = new FlowModelSpec { Name = "wide" };
        var start = FlowData.Gaussian(20, 2, 4);
        var weights = FlowData.Weights(20);
        var options = new FlowOptions { Integrator = FlowIntegrator.Heun, Step = 0.1, EndTime = 0.3 };
        var reference = await LocalRunAsync(modelSpec, start, weights, options, blocks: 1);
        var sameSplit = await LocalRunAsync(modelSpec, start, weights, options, blocks: 3);

        var output = await new FlowJobClient(fixture.Grains).RunAsync("flow-wide", FlowJobSpec.From(modelSpec, 20, 2, 3, options), start, weights);

        AssertClose(reference.FinalPositions, output.Trajectory.FinalPositions, "final positions");
        Assert.Equal(sameSplit.FinalPositions, output.Trajectory.FinalPositions);
        Assert.NotEqual(start, output.Trajectory.FinalPositions);
    }

    [Fact]
    public async Task Progress_is_observed_while_running_and_cancellation_stops_the_run()
    {
        var start = FlowData.Gaussian(300, 2, 5, 1.0);
        var spec = new FlowJobSpec { Model = FlowTestModels.PairsSpec(0), Count = 300, Dimension = 2, Shards = 3, Integrator = FlowIntegrator.Rk4, Step = 1e-3, EndTime = 900, SnapshotEvery = 100_000 };
        var client = new FlowJobClient(fixture.Grains);
        var coordinator = await client.SubmitAsync("flow-cancel-me", spec, start, ReadOnlyMemory<double>.Empty);

        var observed = new List<JobStatus<FlowJobProgress>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (observed.Count(s => s.State == JobState.Running && s.Progress.Step > 0) < 3 && DateTime.UtcNow < deadline)
        {
            observed.Add(await coordinator.GetStatusAsync());
            await Task.Delay(50);
        }

        var running = observed.Where(s => s.State == JobState.Running && s.Progress.Step > 0).ToList();
        Assert.True(running.Count >= 3, "progress with steps > 0 was not observed");
        Assert.True(running[^1].Progress.Step >= running[0].Progress.Step, "steps must not go backwards");
        Assert.All(running, s => Assert.True(double.IsFinite(s.Progress.Energy) && s.Progress.Time > 0 && s.Progress.StepSize == 1e-3));

        await coordinator.CancelAsync();
        var final = await client.WaitAsync(coordinator);
        Assert.Equal(JobState.Cancelled, final.State);
        var stoppedAt = final.Progress.Step;
        Assert.True(stoppedAt < 900_000, "the run must stop long before t_end");
        await Task.Delay(300);
        Assert.Equal(stoppedAt, (await coordinator.GetStatusAsync()).Progress.Step);
        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.GetResultAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.GetFinalPositionsAsync(0, 1));
    }

    [Fact]
    public async Task Client_cancellation_token_cancels_the_run()
    {
        var start = FlowData.Gaussian(200, 2, 6, 1.0);
        var spec = new FlowJobSpec { Model = FlowTestModels.PairsSpec(0), Count = 200, Dimension = 2, Shards = 2, Step = 1e-3, EndTime = 900, SnapshotEvery = 100_000 };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new FlowJobClient(fixture.Grains).RunAsync("flow-client-cancel", spec, start, ReadOnlyMemory<double>.Empty, cancellationToken: cancel.Token));

        // The client cancelled the run in the cluster before giving up on it.
        var status = await fixture.Grains.GetGrain<IFlowCoordinatorGrain>("flow-client-cancel").GetStatusAsync();
        Assert.Equal(JobState.Cancelled, status.State);
    }

    [Fact]
    public async Task Invalid_specs_and_inputs_are_rejected_naming_the_field_and_the_cluster_keeps_serving()
    {
        var coordinator = fixture.Grains.GetGrain<IFlowCoordinatorGrain>("flow-bad-input");
        var good = new FlowJobSpec { Model = FlowTestModels.AffineSpec(), Count = 10, Dimension = 2, Shards = 2, Step = 0.1, EndTime = 1 };

        async Task<JobInputException> Rejected(FlowJobSpec spec) => await Assert.ThrowsAsync<JobInputException>(() => coordinator.CreateAsync(spec));

        var step = await Rejected(good with { Step = 0 });
        Assert.Equal("step", step.Field);
        Assert.Contains("0", step.Message, StringComparison.Ordinal);
        Assert.Equal("step", (await Rejected(good with { Step = -0.5 })).Field);
        Assert.Equal("step", (await Rejected(good with { Step = double.NaN })).Field);
        Assert.Equal("t_end", (await Rejected(good with { EndTime = -1 })).Field);
        Assert.Equal("snapshot_every", (await Rejected(good with { SnapshotEvery = 0 })).Field);
        Assert.Equal("rtol", (await Rejected(good with { RelativeTolerance = 0 })).Field);
        Assert.Equal("shards", (await Rejected(good with { Shards = 0 })).Field);
        Assert.Equal("snapshot_every", (await Rejected(good with { Count = 1_000_000, Step = 1e-4, EndTime = 100, SnapshotEvery = 1 })).Field);
        Assert.Equal("initial", (await Rejected(good with { Count = 0 })).Field);
        Assert.Equal("initial", (await Rejected(good with { Dimension = 3 })).Field);
        var unknown = await Rejected(good with { Model = new FlowModelSpec { Name = "no-such-model" } });
        Assert.Equal("model", unknown.Field);
        Assert.Contains("affine-mean", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("model", (await Rejected(good with { Model = FlowTestModels.AffineSpec() with { ParametersJson = "{not json" } })).Field);
        Assert.Equal("target", (await Rejected(good with { Model = new FlowModelSpec { Name = "anchor" } })).Field);
        Assert.Equal("target", (await Rejected(good with { Model = FlowTestModels.AnchorSpec(), Dimension = 3 })).Field);
        Assert.Equal("initial", (await Rejected(good with { Model = FlowTestModels.AffineSpec() with { Dimension = 3 } })).Field);
        Assert.Equal("model", (await Rejected(good with { Model = FlowTestModels.AnchorSpec() with { DataNames = ["target", "extra"] } })).Field);
        Assert.Equal("integrator", (await Rejected(good with { Model = FlowTestModels.LangevinSpec(), Integrator = FlowIntegrator.Rk4 })).Field);

        await coordinator.CreateAsync(good);
        var incomplete = await Assert.ThrowsAsync<JobInputException>(() => coordinator.StartAsync());
        Assert.Equal("initial", incomplete.Field);
        var nan = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadAsync(0, FloatBlock.From([0.0, 1.0, double.NaN, 2.0], 2, 2), FloatBlock.FromVector([0.1, 0.1])));
        Assert.Equal("initial", nan.Field);
        Assert.Contains("[1, 0]", nan.Message, StringComparison.Ordinal);
        var negative = await Assert.ThrowsAsync<JobInputException>(() =>
            coordinator.UploadAsync(0, FloatBlock.From([0.0, 1.0, 3.0, 2.0], 2, 2), FloatBlock.FromVector([0.1, -0.1])));
        Assert.Equal("weights", negative.Field);

        var output = await new FlowJobClient(fixture.Grains).RunAsync("flow-after-bad-input", good, FlowData.Gaussian(10, 2, 3), ReadOnlyMemory<double>.Empty);
        Assert.Equal(10, output.Result.Steps);
    }

    [Fact]
    public async Task Flow_steps_counter_counts_every_accepted_step()
    {
        long steps = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TransportTelemetry.Name && instrument.Name == "transport.flow.steps")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "model" && Equals(tag.Value, "anchor"))
                {
                    Interlocked.Add(ref steps, value);
                }
            }
        });
        listener.Start();

        var spec = new FlowJobSpec { Model = FlowTestModels.AnchorSpec(), Count = 20, Dimension = 2, Shards = 2, Integrator = FlowIntegrator.Rk4, Step = 0.1, EndTime = 1.5 };
        var output = await new FlowJobClient(fixture.Grains).RunAsync("flow-telemetry", spec, FlowData.Gaussian(20, 2, 8), ReadOnlyMemory<double>.Empty);

        Assert.Equal(15, output.Result.Steps);
        Assert.Equal(output.Result.Steps, Interlocked.Read(ref steps));
    }

    private static FlowModelSpec SpecOf(string model) => model switch
    {
        "pairs" => FlowTestModels.PairsSpec(0),
        "pairs-noisy" => FlowTestModels.PairsSpec(0.3),
        "affine-mean" => FlowTestModels.AffineSpec(),
        "test-langevin" => FlowTestModels.LangevinSpec(),
        "anchor" => FlowTestModels.AnchorSpec(),
        "sphere" or "sphere-exp" => FlowTestModels.SphereSpec(),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown test model"),
    };

    private static Task<FlowTrajectory> LocalRunAsync(FlowModelSpec spec, double[] start, double[] weights, FlowOptions options, int blocks)
    {
        var model = FlowTestModels.Build(spec with { Dimension = start.Length / weights.Length });
        var backend = new LocalFlowBackend(model, start, weights, options, blocks);
        return FlowDriver.RunAsync(backend, model, options, null, CancellationToken.None);
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual:R}");
            return;
        }

        var scale = Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= Relative * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], $"{what} [{i}]");
        }
    }
}

public sealed class FlowModelRegistryTests
{
    [Fact]
    public void Registered_builders_are_found_by_name_and_unknown_names_list_the_known_ones()
    {
        var registry = new FlowModelRegistry([new FlowModelRegistration("pairs", _ => new PairModel(0))]);
        registry.Register("affine-mean", FlowTestModels.Builders["affine-mean"]);

        Assert.Equal("pairs", registry.Create(new FlowModelSpec { Name = "pairs" }).Name);
        Assert.Equal(2, registry.Create(FlowTestModels.AffineSpec()).Dimension);
        var error = Assert.Throws<JobInputException>(() => registry.Create(new FlowModelSpec { Name = "mmd-flow" }));
        Assert.Equal("model", error.Field);
        Assert.Contains("affine-mean, pairs", error.Message, StringComparison.Ordinal);
    }
}
