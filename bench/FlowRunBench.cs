using System.Diagnostics;
using Transport.Grains;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.IO;

namespace Transport.Bench;

/// <summary>One flow to time: a catalog model, its parameters, data and initial particles.</summary>
/// <param name="Flow">Row label.</param>
/// <param name="Model">Catalog model name.</param>
/// <param name="ParametersJson">The model's run-specification keys (as JSON).</param>
/// <param name="Dimension">d.</param>
/// <param name="Initial">Row-major n x d initial positions.</param>
/// <param name="Data">Target cloud (Sinkhorn flow) or none.</param>
/// <param name="Options">Integrator, step and end time.</param>
internal sealed record FlowCase(string Flow, string Model, string ParametersJson, int Dimension, double[] Initial, FlowModelData Data, FlowOptions Options)
{
    public int Count => Initial.Length / Dimension;

    public int Steps => Options.FixedStepCount();

    public IFlowModel BuildModel() => FlowModelCatalog.Build(Model, Dimension, JsonSpecReader.Parse(ParametersJson), Data);
}

/// <summary>Wall and CPU time of one whole flow run on one path.</summary>
/// <param name="Flow">Row label of the flow.</param>
/// <param name="Path">single-process, single-process S blocks, or cluster.</param>
/// <param name="Count">N.</param>
/// <param name="Dimension">d.</param>
/// <param name="Steps">Integrator steps.</param>
/// <param name="Seconds">Wall seconds of the run (NaN when unavailable).</param>
/// <param name="CpuSeconds">Process CPU seconds over the run (all threads).</param>
/// <param name="PrepareSeconds">Seconds in <see cref="IFlowModel.PrepareStage"/> (coordinator work; local paths only, else NaN).</param>
/// <param name="ShardSeconds">Cluster: sum over shards of the <c>transport.shard.step.duration</c> records (block work), else NaN.</param>
/// <param name="Note">"not available: reason" or empty.</param>
internal sealed record FlowRunResult(
    string Flow,
    string Path,
    int Count,
    int Dimension,
    int Steps,
    double Seconds,
    double CpuSeconds,
    double PrepareSeconds,
    double ShardSeconds,
    string Note)
{
    /// <summary>Particle-steps per second: N x steps / wall seconds.</summary>
    public double ParticleStepsPerSecond => (double)Count * Steps / Seconds;
}

/// <summary>
/// Times a whole <see cref="FlowDriver"/> run (initial snapshot, K steps, final snapshot, the final
/// energy stage) single-process (<see cref="LocalFlowBackend"/>, 1 block), split into S local blocks
/// run in turn (the cluster's block work without grains or messages), and on the cluster path
/// (embedded silo, flow coordinator + S shard grains, the job's own in-cluster run time).
/// </summary>
internal static class FlowRunBench
{
    public static async Task<FlowRunResult> RunLocalAsync(FlowCase flow, int blocks)
    {
        var model = new TimedFlowModel(flow.BuildModel());
        var backend = new LocalFlowBackend(model, flow.Initial, [], flow.Options, blocks);
        var cpu = ProcessCpu.Seconds();
        var start = Stopwatch.GetTimestamp();
        _ = await FlowDriver.RunAsync(backend, model, flow.Options, null, CancellationToken.None);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var path = blocks == 1 ? "single-process" : $"single-process, {blocks} blocks";
        return new FlowRunResult(flow.Flow, path, flow.Count, flow.Dimension, flow.Steps, seconds, ProcessCpu.Seconds() - cpu, model.PrepareSeconds, double.NaN, string.Empty);
    }

    public static async Task<FlowRunResult> RunClusterAsync(FlowCase flow, ClusterIterationBench cluster, int shards)
    {
        FlowRunResult Unavailable(string reason) =>
            new(flow.Flow, "cluster", flow.Count, flow.Dimension, flow.Steps, double.NaN, double.NaN, double.NaN, double.NaN, $"not available: {reason}");
        if (cluster.Grains is not { } grains)
        {
            return Unavailable(cluster.StartFailure ?? "no silo");
        }

        var spec = FlowJobSpec(flow, shards);
        var client = new FlowJobClient(grains) { PollInterval = TimeSpan.FromMilliseconds(10) };
        try
        {
            using var listener = new ShardStepListener();
            var cpu = ProcessCpu.Seconds();
            var output = await client.RunAsync($"bench-flow-{Guid.NewGuid():N}", spec, flow.Initial, ReadOnlyMemory<double>.Empty);
            var cpuSeconds = ProcessCpu.Seconds() - cpu;
            return new FlowRunResult(flow.Flow, "cluster", flow.Count, flow.Dimension, flow.Steps, output.Result.Seconds, cpuSeconds, double.NaN, listener.FlowSeconds, string.Empty);
        }
#pragma warning disable CA1031 // A failing run is reported in the table instead of ending the benchmark.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var inner = exception is AggregateException { InnerException: { } first } ? first : exception;
            return Unavailable($"{inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static Transport.Grains.Interfaces.FlowJobSpec FlowJobSpec(FlowCase flow, int shards) =>
        Transport.Grains.Interfaces.FlowJobSpec.From(
            CatalogFlowModels.Describe(flow.Model, flow.ParametersJson, flow.Dimension, flow.Data),
            flow.Count,
            flow.Dimension,
            shards,
            flow.Options);
}
