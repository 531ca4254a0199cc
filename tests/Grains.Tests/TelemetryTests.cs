using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Transport.Numerics.Sampling;

namespace Transport.Grains.Tests;

/// <summary>
/// The meter is process-wide: a listener also hears the jobs of tests running in parallel in other collections (the
/// three-silo cluster's multiscale jobs report iterations too), so these tests get a cluster of their own and run
/// alone, after the parallel collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTestGroup : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "telemetry (alone)";
}

[Collection(TelemetryTestGroup.Name)]
public sealed class TelemetryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Kernel_evaluations_counter_equals_two_half_steps_per_iteration_plus_the_evaluation_pass()
    {
        var (source, target) = Problems.Clouds(50, 40, 2, seed: 21);
        var spec = Problems.Spec(source, target, epsilon: 0.1, shards: 3);
        long evaluations = 0;
        long iterations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TransportTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "transport.kernel.evaluations")
            {
                Interlocked.Add(ref evaluations, value);
            }
            else if (instrument.Name == "transport.sinkhorn.iterations")
            {
                Interlocked.Add(ref iterations, value);
            }
        });
        listener.Start();

        var output = await new SinkhornJobClient(fixture.Grains).RunAsync("telemetry", spec, source, target);

        // Each iteration is one source update (n x m pairs) and one target check (m x n pairs); the
        // final evaluation pass (cost and map) adds n x m. Counted exactly: no tolerance.
        var pairs = (long)source.Count * target.Count;
        Assert.Equal(((2L * output.Result.Iterations) + 1) * pairs, Interlocked.Read(ref evaluations));
        Assert.Equal(output.Result.Iterations, Interlocked.Read(ref iterations));
    }

    [Fact]
    public async Task One_run_is_one_trace_with_a_child_span_per_shard_step_and_the_instruments_are_exported()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(TransportTelemetry.Name, "Microsoft.Orleans.Application").AddInMemoryExporter(spans).Build())
        using (var metering = Sdk.CreateMeterProviderBuilder().AddMeter(TransportTelemetry.Name).AddInMemoryExporter(metrics).Build())
        {
            var (source, target) = Problems.Clouds(40, 30, 2, seed: 23);
            var spec = Problems.Spec(source, target, epsilon: 0.1, shards: 2);
            var output = await new SinkhornJobClient(fixture.Grains).RunAsync("traced", spec, source, target);
            tracing.ForceFlush();
            metering.ForceFlush();

            var ours = spans.Where(s => (s.GetTagItem("transport.job") as string) == "traced").ToList();
            var run = Assert.Single(ours, s => s.OperationName == "sinkhorn.run");
            var steps = ours.Where(s => s.OperationName.StartsWith("sinkhorn.shard.", StringComparison.Ordinal)).ToList();

            // Each iteration: an update on each of the 2 source shards and a check on each of the 2 target shards; then the
            // final evaluation on the source shards. All in the run's trace, below the run.
            Assert.Equal((4 * output.Result.Iterations) + 2, steps.Count);
            Assert.All(steps, s => Assert.Equal(run.TraceId, s.TraceId));
            Assert.All(steps, s => Assert.True(s.StartTimeUtc >= run.StartTimeUtc && s.StartTimeUtc + s.Duration <= run.StartTimeUtc + run.Duration + TimeSpan.FromMilliseconds(50), $"{s.OperationName} outside the run"));
            Assert.Single(ours.Select(s => s.TraceId).Distinct());
        }

        var names = metrics.Select(m => m.Name).ToHashSet();
        Assert.Contains("transport.kernel.evaluations", names);
        Assert.Contains("transport.sinkhorn.iterations", names);
        Assert.Contains("transport.shard.step.duration", names);
    }
}

/// <summary>
/// The sampling job's counters, exact per evaluation: in the collection that runs alone, since a listener hears every
/// job of the process (a Sinkhorn job in a parallel collection once added its kernel evaluations to these).
/// </summary>
[Collection(TelemetryTestGroup.Name)]
public sealed class SamplingTelemetryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Denoiser_and_kernel_counters_count_every_particle_and_pair_evaluation()
    {
        long particleEvaluations = 0;
        long pairs = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TransportTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "transport.sampling.denoiser_evaluations")
            {
                Interlocked.Add(ref particleEvaluations, value);
            }
            else if (instrument.Name == "transport.kernel.evaluations")
            {
                Interlocked.Add(ref pairs, value);
            }
        });
        listener.Start();

        const int Count = 400;
        var (points, weights) = SamplingTestData.Clusters(Count, seed: 4);
        var options = new SamplingOptions { Sampler = SamplerKind.Sde, Steps = 5, CorrectorSteps = 1, Snap = true, End = 0.9 };
        var spec = SamplingTestData.Empirical(Count, 30, 3, 2, options);
        var output = await SamplingJobClient.RunAsync(fixture.Grains, spec, points, weights, ReadOnlyMemory<double>.Empty);

        // Every evaluation is one denoiser call per particle and one softmax pass over all the data: exact counts.
        Assert.Equal((5 * 2) + 1, output.Result.Evaluations);
        Assert.Equal((long)output.Result.Evaluations * 30, Interlocked.Read(ref particleEvaluations));
        Assert.Equal((long)output.Result.Evaluations * 30 * Count, Interlocked.Read(ref pairs));
    }
}
