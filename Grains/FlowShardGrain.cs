using Microsoft.Extensions.Options;
using Orleans.Placement;
using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;

namespace Transport.Grains;

/// <summary>
/// A block of a flow's particles with its integrator state. The per-particle arithmetic is the engine's
/// <see cref="FlowBlockState"/> (the same code the single-process backend runs); this grain only moves data:
/// partial sums and measures up to the coordinator, stage positions from its peers for all-pairs models, and
/// it runs the block's work off the grain scheduler.
/// </summary>
// Shards spread over the silos (fewest activations first) rather than gathering on their caller's silo: a job's
// shards are what lets it use the cluster, and a silo's loss then costs only its share of them.
[ActivationCountBasedPlacement]
public sealed partial class FlowShardGrain(IFlowModelFactory models, IOptions<JobLimits> limits) : TrafficCountedGrain("flow-shard"), IFlowShardGrain
{
    private FlowShardSetup? setup;
    private int index;
    private int count;
    private double[] positions = [];
    private double[] weights = [];
    private double[] allWeights = [];
    private FlowBlockState? state;
    private int currentStage;
    private double[] partials = [];
    private double[] stagedSums = [];
    private double[] stagedData = [];

    // The model data blocks uploaded in chunks (FlowModelSpec.Uploaded), until the model is built.
    private ModelDataUpload? modelData;

    // A shard asked to work without a setup is a new activation: its silo was lost (or it was released).
    private FlowShardSetup Setup => setup ?? throw new ShardStateLostException($"flow shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost, or it was released)");

    private FlowBlockState State => state ?? (setup is null ? throw new ShardStateLostException($"flow shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost)") : throw new InvalidOperationException("flow shard not prepared"));

    private int Dimension => Setup.Job.Dimension;

    /// <inheritdoc />
    public Task InitializeAsync(FlowShardSetup setup, int index)
    {
        ArgumentNullException.ThrowIfNull(setup);
        this.setup = setup;
        this.index = index;
        count = setup.Offsets[index + 1] - setup.Offsets[index];
        positions = new double[count * setup.Job.Dimension];
        weights = new double[count];
        allWeights = [];
        state = null;
        currentStage = 0;
        modelData = new ModelDataUpload(setup.Job.Model.Uploaded);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LoadModelDataAsync(string name, int offset, FloatBlock rows)
    {
        var data = modelData ?? throw new InvalidOperationException("the shard is prepared; its model data is complete");
        data.Accept(name, offset, rows);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LoadAsync(int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        var d = Dimension;
        if (state is not null)
        {
            throw new InvalidOperationException("the shard is prepared; initialise it again to load new particles");
        }

        if (offset < 0 || (long)offset + positions.Rows > count || positions.Columns != d || weights.Rows != positions.Rows)
        {
            throw new ArgumentException($"rows [{offset}, {(long)offset + positions.Rows}) do not fit block of {count} x {d}");
        }

        positions.Values.CopyTo(this.positions.AsSpan(offset * d));
        weights.Values.CopyTo(this.weights.AsSpan(offset));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task PrepareAsync()
    {
        // Results live here: stay active as long as the coordinator keeps the job.
        DelayDeactivation(TimeSpan.FromHours(24));
        var job = Setup.Job;
        if (job.Model.Uploaded.Length > 0)
        {
            // The setup from now on holds the whole model (what the seal stores, for a shard re-created elsewhere).
            job = job with { Model = (modelData ?? throw new InvalidOperationException("no model data was received")).Complete(job.Model) };
            setup = Setup with { Job = job };
            modelData = null;
        }

        var model = models.Create(job.Model);
        sinkhornProblemId = SinkhornFlowOnShards.Applies(model) ? SinkhornFlowOnShards.ProblemId(Setup.RunId) : null;
        sinkhornMapsInOutputs = model is SinkhornDivergenceFlowModel { Multiscale: not null };
        var block = new ParticleBlock(positions, weights, Dimension, Setup.Offsets[index]);
        state = new FlowBlockState(model, block, job.ToOptions());
        currentStage = 0;
        allWeights = GathersPositions(model)
            ? await BlockTransfer.GatherAsync(Setup.Offsets, 1, (k, start, rows) =>
                k == index ? Task.FromResult(FloatBlock.FromVector(weights.AsSpan(start, rows))) : Peer(k).GetWeightsAsync(start, rows))
            : [];
    }

    /// <inheritdoc />
    public async Task<FloatBlock> BeginStageAsync(int stage, double time, double stepSize)
    {
        var target = State;
        partials = await MeasureAsync("flow-begin-stage", () =>
        {
            target.PrepareStage(stage, stepSize);
            var sums = new double[target.Model.PartialLength];
            target.AccumulatePartials(stage, time, sums);
            return sums;
        });
        currentStage = stage;
        if (OnSinkhornShards)
        {
            await SendStagePositionsAsync(stage);
        }

        return (long)partials.Length * sizeof(double) <= FloatBlock.MaxBytes ? FloatBlock.FromVector(partials) : FloatBlock.Empty;
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetPartialsAsync(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > partials.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"entries [{offset}, {(long)offset + count}) are outside [0, {partials.Length})");
        }

        return Task.FromResult(FloatBlock.FromVector(partials.AsSpan(offset, count)));
    }

    /// <inheritdoc />
    public Task ReceiveGlobalsAsync(FlowGlobalsPart part, int total, int offset, FloatBlock chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        var buffer = part == FlowGlobalsPart.Sums ? stagedSums : stagedData;
        if (buffer.Length != total)
        {
            buffer = new double[total];
            if (part == FlowGlobalsPart.Sums)
            {
                stagedSums = buffer;
            }
            else
            {
                stagedData = buffer;
            }
        }

        // In long, as every range check: offset + rows near int.MaxValue would wrap negative and pass.
        if (offset < 0 || (long)offset + chunk.Rows > total || chunk.Columns != 1)
        {
            throw new ArgumentException($"chunk of {chunk.Rows} x {chunk.Columns} at {offset} does not fit a vector of {total}");
        }

        chunk.Values.CopyTo(buffer.AsSpan(offset));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<FlowMeasurePartial> VelocityAsync(int stage, FlowStageGlobals globals, bool measure)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var target = State;
        ReadOnlyMemory<double> all = ReadOnlyMemory<double>.Empty;
        ReadOnlyMemory<double> allW = ReadOnlyMemory<double>.Empty;
        if (GathersPositions(target.Model))
        {
            all = await GatherStagePositionsAsync(stage);
            allW = allWeights;
        }

        var sums = Unpack(globals.Sums, globals.SumsLength, stagedSums, "partial sums");
        var stageData = Unpack(globals.StageData, globals.StageDataLength, stagedData, "stage data");
        if (OnSinkhornShards)
        {
            stageData = await BlockStageDataAsync(stageData);
        }

        var flowGlobals = new FlowGlobals(globals.Time, all, allW, sums, stageData) { MeasureGrids = globals.MeasureGrids };
        var result = await MeasureAsync("flow-velocity", () => target.Velocity(stage, flowGlobals, measure));
        return new FlowMeasurePartial(result.EnergyShare, result.KineticEnergy, result.Eulerian);
    }

    /// <inheritdoc />
    public async Task<FlowErrorPartialWire> CompleteStepAsync(double stepSize, long stepIndex, double noiseAmplitude)
    {
        var target = State;
        var error = await MeasureAsync("flow-complete-step", () => target.CompleteStep(stepSize, stepIndex, noiseAmplitude));
        return new FlowErrorPartialWire(error.SumOfSquares, error.Max, error.Count);
    }

    /// <inheritdoc />
    public Task CommitAsync(bool accept)
    {
        State.Commit(accept);
        currentStage = 0;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetPositionsAsync(int offset, int count) => Task.FromResult(Rows(positions, offset, count));

    /// <inheritdoc />
    public Task<FloatBlock> GetStagePositionsAsync(int stage, int offset, int count)
    {
        if (stage != currentStage)
        {
            throw new InvalidOperationException($"shard {index} is at stage {currentStage}, stage {stage} was asked for");
        }

        return Task.FromResult(Rows(State.StageBlock(stage).PositionArray, offset, count));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetWeightsAsync(int offset, int count) => Task.FromResult(FloatBlock.FromVector(weights.AsSpan(offset, count)));

    private static double[] Unpack(FloatBlock inline, int length, double[] staged, string what)
    {
        if (inline.Rows == length)
        {
            return inline.Values.ToArray();
        }

        if (staged.Length != length)
        {
            throw new InvalidOperationException($"{what}: {length} values were announced, {staged.Length} were received");
        }

        return staged;
    }

    private FloatBlock Rows(double[] source, int offset, int rows)
    {
        var d = Dimension;
        if (offset < 0 || rows < 0 || (long)offset + rows > count)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {(long)offset + rows}) are outside [0, {count})");
        }

        return FloatBlock.From(source.AsSpan(offset * d, rows * d), rows, d);
    }

    private IFlowShardGrain Peer(int peer) => GrainFactory.GetGrain<IFlowShardGrain>(FlowLayout.ShardKey(Setup.RunId, peer));

    private Task<double[]> GatherStagePositionsAsync(int stage)
    {
        var d = Dimension;
        return BlockTransfer.GatherAsync(Setup.Offsets, d, (k, start, rows) =>
        {
            if (k == index)
            {
                return Task.FromResult(Rows(State.StageBlock(stage).PositionArray, start, rows));
            }

            TransportTelemetry.BytesExchanged.Add((long)rows * d * sizeof(double));
            return Peer(k).GetStagePositionsAsync(stage, start, rows);
        });
    }

    /// <summary>Runs block work off the grain scheduler and records its duration.</summary>
    private static async Task<T> MeasureAsync<T>(string operation, Func<T> work)
    {
        var started = Stopwatch.GetTimestamp();
        var value = await Task.Run(work);
        TransportTelemetry.StepDuration.Record(
            Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation));
        return value;
    }

    /// <inheritdoc />
    public async Task ReleaseShardAsync()
    {
        // The activation goes, and with it every array it holds (and what it stored).
        await ClearStoredAsync();
        DeactivateOnIdle();
    }
}

/// <summary>Grain keys of a flow run's shards.</summary>
public static class FlowLayout
{
    /// <summary>Grain key of shard <paramref name="index"/> of run <paramref name="runId"/>: "run/index".</summary>
    public static string ShardKey(string runId, int index) => $"{runId}/{index}";
}
