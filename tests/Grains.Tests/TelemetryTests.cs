using System.Diagnostics.Metrics;

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
}
