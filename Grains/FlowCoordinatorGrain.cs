using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// Drives one flow run across shard grains: validates the spec, lays out the blocks, routes uploads, runs
/// <see cref="FlowDriver"/> (the same schedule as the single-process path) on a <see cref="DistributedFlowBackend"/>
/// on its own activation, and serves progress and the trajectory in chunks.
/// </summary>
/// <param name="models">Builds the job's model from its spec.</param>
/// <param name="limits">The silo's admission limits and upload lease.</param>
public sealed partial class FlowCoordinatorGrain(IFlowModelFactory models, IOptions<JobLimits> limits) : JobCoordinatorGrain<FlowJobSpec, FlowJobProgress, FlowJobResult>(limits), IFlowCoordinatorGrain
{
    /// <summary>Most snapshot values (snapshots x n x d) a fixed-step run may keep.</summary>
    public const long MaxSnapshotValues = 1L << 28;

    private FlowOptions? options;
    private IFlowModel? model;
    private int[] offsets = [];
    private IFlowShardGrain[] shards = [];
    private double[] allWeights = [];
    private ChunkedUpload? upload;
    private FlowTrajectory? trajectory;

    // The Sinkhorn shards of a Sinkhorn-divergence flow (dense or multiscale) (the model the driver runs then wraps the job's model).
    private SinkhornFlowOnShards? sinkhornShards;

    // What the last validation built, handed to the creation once the job is admitted (no model while data is to come).
    private (FlowOptions Options, IFlowModel? Model)? validated;

    // The model data blocks uploaded in chunks (FlowModelSpec.Uploaded), assembled here until the start.
    private ModelDataUpload? modelData;

    /// <inheritdoc />
    protected override string Kind => "flow";

    /// <inheritdoc />
    protected override FlowJobProgress InitialProgress(FlowJobSpec spec) => FlowJobProgress.None;

    /// <inheritdoc />
    protected override (string? Label, string Summary) Describe(FlowJobSpec spec) =>
        (spec.Label, string.Create(CultureInfo.InvariantCulture, $"model={spec.Model.Name} n={spec.Count} d={spec.Dimension} shards={spec.Shards}"));

    /// <inheritdoc />
    protected override async Task ReleaseShardsAsync()
    {
        trajectory = null;
        await Task.WhenAll(shards.Select(s => s.ReleaseShardAsync()));
        if (sinkhornShards is not null)
        {
            await sinkhornShards.ReleaseAsync();
        }

        modelData = null;
        if (Checkpointing.Enabled)
        {
            await CoordinatorStore.ClearModelDataAsync(Spec.Model.Uploaded?.Length ?? 0);
            await CoordinatorStore.ClearAsync();
        }
    }

    /// <inheritdoc />
    protected override FlowJobSpec ValidateJob(FlowJobSpec spec)
    {
        validated = Validate(spec);
        return spec with { Model = spec.Model with { Dimension = spec.Dimension } };
    }

    /// <inheritdoc />
    protected override JobDemand Demand(FlowJobSpec spec) => JobFootprints.Flow(spec, validated!.Value.Options);

    /// <inheritdoc />
    protected override async Task<FlowJobSpec> CreateJobAsync(FlowJobSpec spec)
    {
        var (validOptions, validModel) = validated ?? throw new InvalidOperationException("validate the spec first");
        validated = null;
        offsets = ShardLayout.Split(spec.Count, spec.Shards);
        options = validOptions;
        model = null;
        sinkhornShards = null;
        if (validModel is not null)
        {
            UseModel(validModel);
        }

        modelData = new ModelDataUpload(spec.Model.Uploaded);
        var runId = this.GetPrimaryKeyString();
        shards = [.. Enumerable.Range(0, offsets.Length - 1).Select(k => GrainFactory.GetGrain<IFlowShardGrain>(FlowLayout.ShardKey(runId, k)))];
        var setup = new FlowShardSetup { RunId = runId, Job = spec, Offsets = offsets };
        await Task.WhenAll(shards.Select((s, k) => s.InitializeAsync(setup, k)));
        // Every weight is kept here only for a model whose stage preparation reads all particles (with their weights); a
        // model built at the start (its data still to come) gathers them then.
        allWeights = model?.PrepareNeedsAllPositions == true ? new double[spec.Count] : [];
        upload = new ChunkedUpload("initial", "weights", spec.Count, spec.Dimension);
        trajectory = null;
        return spec;
    }

    /// <inheritdoc />
    public async Task UploadAsync(int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        RequireUploadable();
        var mass = upload!.Check(offset, positions, weights);
        await UploadChecks.RouteAsync(offsets, offset, positions, weights, (k, row, p, w) => shards[k].LoadAsync(row, p, w));
        if (allWeights.Length > 0)
        {
            weights.Values.CopyTo(allWeights.AsSpan(offset));
        }

        upload.Accept(positions.Rows, mass);
    }

    /// <inheritdoc />
    public async Task UploadModelDataAsync(string name, int offset, FloatBlock rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        RequireUploadable();
        var data = modelData ?? throw new InvalidOperationException("the job has no model data upload");
        var block = data.Check(name, offset, rows);

        // Streamed on: every shard builds the model from its own copy.
        await Task.WhenAll(shards.Select(s => s.LoadModelDataAsync(name, offset, rows)));
        data.Store(block, offset, rows);
    }

    /// <inheritdoc />
    protected override async Task PrepareRunAsync(FlowJobSpec spec)
    {
        upload!.RequireComplete();
        if (model is null)
        {
            await BuildUploadedModelAsync(spec);
        }

        await Task.WhenAll(shards.Select(s => s.PrepareAsync()));
        if (sinkhornShards is not null)
        {
            await sinkhornShards.InitializeShardsAsync();
        }

        await SealShardsAsync();
    }

    /// <inheritdoc />
    protected override async Task<FlowJobResult> RunJobAsync(FlowJobSpec spec, Activity? activity, CancellationToken cancellationToken)
    {
        await EnsureModelAsync();
        var flowModel = model!;
        activity?.SetTag("transport.shards", shards.Length);
        activity?.SetTag("transport.model", flowModel.Name);
        FlowTrajectory run;
        if (Checkpointing.Enabled)
        {
            run = await RunCheckpointedAsync(cancellationToken);
        }
        else
        {
            var weights = flowModel.PrepareNeedsAllPositions ? allWeights : [];
            var backend = new DistributedFlowBackend(shards, offsets, flowModel, weights);
            run = await FlowDriver.RunAsync(backend, flowModel, options!, ReportProgress, cancellationToken);
        }

        trajectory = run;
        Report(Progress with { Step = run.Steps, Time = run.FinalTime });
        activity?.SetTag("transport.steps", run.Steps);
        return new FlowJobResult
        {
            Count = run.Count,
            Dimension = run.Dimension,
            Steps = run.Steps,
            RejectedSteps = run.RejectedSteps,
            FinalTime = run.FinalTime,
            SnapshotCount = run.Snapshots.Count,
            DiagnosticsCount = run.Diagnostics.Count,
            EulerianHeadColumns = EulerianHead,
            EulerianGridColumns = EulerianHead == 0 ? 0 : (run.Diagnostics.FirstOrDefault(r => r.Eulerian is not null)?.Eulerian?.Length ?? EulerianHead) - EulerianHead,
            EulerianGridRows = EulerianHead == 0 ? 0 : run.Diagnostics.Count(r => r.Eulerian?.Length > EulerianHead),
            Shards = shards.Length,
            Seconds = RunElapsed.TotalSeconds,
            Checkpoints = checkpointsWritten,
            Recoveries = Recoveries,
            Traffic = await JobTrafficReport.SumAsync([.. shards, .. sinkhornShards?.Shards ?? []], run.Steps + run.RejectedSteps),
        };
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetSnapshotTimesAsync(int offset, int count)
    {
        var snapshots = (await CompletedAsync()).Snapshots;
        CheckRange(offset, count, snapshots.Count, 2);
        var values = new double[count * 2];
        for (var s = 0; s < count; s++)
        {
            values[2 * s] = snapshots[offset + s].Step;
            values[(2 * s) + 1] = snapshots[offset + s].Time;
        }

        return FloatBlock.From(values, count, 2);
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetSnapshotAsync(int snapshot, int offset, int count)
    {
        var run = await CompletedAsync();
        if (snapshot < 0 || snapshot >= run.Snapshots.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(snapshot), $"snapshot {snapshot} is outside [0, {run.Snapshots.Count})");
        }

        return Rows(run.Snapshots[snapshot].Positions, offset, count, run.Count, run.Dimension);
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetFinalPositionsAsync(int offset, int count)
    {
        var run = await CompletedAsync();
        return Rows(run.FinalPositions, offset, count, run.Count, run.Dimension);
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetEulerianAsync(bool grids, int offset, int count)
    {
        var rows = (await CompletedAsync()).Diagnostics;
        var head = EulerianHead;
        if (head == 0)
        {
            throw new InvalidOperationException("this run measured no density (no eulerian in its spec)");
        }

        // Grid rows lead with the index of their diagnostics row (the snapshot states).
        var chosen = grids ? [.. Enumerable.Range(0, rows.Count).Where(r => rows[r].Eulerian?.Length > head)] : Enumerable.Range(0, rows.Count).ToList();
        var values = grids ? (chosen.Count == 0 ? 0 : rows[chosen[0]].Eulerian!.Length - head) : head;
        var columns = grids ? 1 + values : values;
        CheckRange(offset, count, chosen.Count, columns);
        var block = new double[count * columns];
        for (var r = 0; r < count; r++)
        {
            var index = chosen[offset + r];
            var sums = rows[index].Eulerian ?? throw new InvalidOperationException($"diagnostics row {index} holds no Eulerian values");
            var into = block.AsSpan(r * columns, columns);
            if (grids)
            {
                into[0] = index;
                sums.AsSpan(head, values).CopyTo(into[1..]);
            }
            else
            {
                sums.AsSpan(0, values).CopyTo(into);
            }
        }

        return FloatBlock.From(block, count, columns);
    }

    /// <summary>Values of a diagnostics row before its grids (moments and test functions); 0 without <c>eulerian</c>.</summary>
    private int EulerianHead => Spec.Eulerian is { } eulerian ? new Numerics.Flows.Eulerian.EulerianLayout(eulerian.ToOptions(), Spec.Dimension).HistogramOffset : 0;

    /// <inheritdoc />
    public async Task<FloatBlock> GetDiagnosticsAsync(int offset, int count)
    {
        var rows = (await CompletedAsync()).Diagnostics;
        const int Columns = FlowDiagnosticsColumns.Count;
        CheckRange(offset, count, rows.Count, Columns);
        var values = new double[count * Columns];
        for (var r = 0; r < count; r++)
        {
            var row = rows[offset + r];
            var at = r * Columns;
            values[at] = row.Step;
            values[at + 1] = row.Time;
            values[at + 2] = row.StepSize;
            values[at + 3] = row.Energy;
            values[at + 4] = row.KineticEnergy;
            values[at + 5] = row.RejectedAttempts;
            values[at + 6] = row.ErrorNorm;
        }

        return FloatBlock.From(values, count, Columns);
    }

    private void ReportProgress(FlowStepDiagnostics row)
    {
        var taken = row.StepSize > 0 ? 1 : 0;
        if (taken == 1)
        {
            TransportTelemetry.FlowSteps.Add(1, new KeyValuePair<string, object?>("model", model?.Name));
        }

        if (row.RejectedAttempts > 0)
        {
            TransportTelemetry.FlowRejectedSteps.Add(row.RejectedAttempts, new KeyValuePair<string, object?>("model", model?.Name));
        }

        Report(new FlowJobProgress(row.Step + taken, row.Time + row.StepSize, row.Energy, row.KineticEnergy, row.StepSize));
    }

    private static void CheckRange(int offset, int count, int total, int columns)
    {
        // In long: offset + count near int.MaxValue would wrap negative and pass.
        if (offset < 0 || count < 0 || (long)offset + count > total)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {(long)offset + count}) are outside [0, {total})");
        }

        if ((long)count * columns * sizeof(double) > FloatBlock.MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"at most {FloatBlock.RowsPerChunk(columns)} rows per request");
        }
    }

    private static FloatBlock Rows(double[] values, int offset, int count, int total, int dimension)
    {
        CheckRange(offset, count, total, dimension);
        return FloatBlock.From(values.AsSpan(offset * dimension, count * dimension), count, dimension);
    }
}
