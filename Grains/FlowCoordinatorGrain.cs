using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// Drives one flow run across shard grains: validates the spec, lays out the blocks, routes uploads, runs
/// <see cref="FlowDriver"/> (the same schedule as the single-process path) on a <see cref="DistributedFlowBackend"/>
/// on its own activation, and serves progress and the trajectory in chunks.
/// </summary>
public sealed class FlowCoordinatorGrain(IFlowModelFactory models) : Grain, IFlowCoordinatorGrain, IDisposable
{
    /// <summary>Largest trajectory kept for a fixed-step run (values; 2 GiB of float64).</summary>
    public const long MaxSnapshotValues = 1L << 28;

    private const double MassTolerance = 1e-9;

    private FlowJobSpec? spec;
    private FlowOptions? options;
    private IFlowModel? model;
    private int[] offsets = [];
    private IFlowShardGrain[] shards = [];
    private double[] allWeights = [];
    private long uploadedRows;
    private double mass;
    private FlowJobStatus status = new(JobState.Created, 0, 0, double.NaN, double.NaN, 0, null);
    private FlowTrajectory? trajectory;
    private FlowJobResult? result;
    private CancellationTokenSource? cancellation;

    /// <inheritdoc />
    public void Dispose() => cancellation?.Dispose();

    /// <inheritdoc />
    public async Task CreateAsync(FlowJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (status.State == JobState.Running)
        {
            throw new InvalidOperationException($"run '{this.GetPrimaryKeyString()}' is running; cancel it or use another id");
        }

        var (validated, built) = Validate(spec);
        spec = spec with { Model = spec.Model with { Dimension = spec.Dimension } };
        this.spec = spec;
        options = validated;
        model = built;
        offsets = ShardLayout.Split(spec.Count, spec.Shards);
        var runId = this.GetPrimaryKeyString();
        shards = Enumerable.Range(0, offsets.Length - 1)
            .Select(k => GrainFactory.GetGrain<IFlowShardGrain>(FlowLayout.ShardKey(runId, k))).ToArray();
        var setup = new FlowShardSetup { RunId = runId, Job = spec, Offsets = offsets };
        await Task.WhenAll(shards.Select((s, k) => s.InitializeAsync(setup, k)));
        allWeights = new double[spec.Count];
        uploadedRows = 0;
        mass = 0;
        trajectory = null;
        result = null;
        status = new FlowJobStatus(JobState.Created, 0, 0, double.NaN, double.NaN, 0, null);
    }

    /// <inheritdoc />
    public async Task UploadAsync(int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        var job = spec ?? throw new InvalidOperationException("call CreateAsync first");
        if (status.State != JobState.Created)
        {
            throw new InvalidOperationException("uploads are accepted only before the run starts");
        }

        var d = job.Dimension;
        var rows = positions.Rows;
        if (positions.Columns != d)
        {
            throw new JobInputException("initial", $"initial: rows have {positions.Columns} coordinates, expected dimension {d}");
        }

        if (weights.Rows != rows || weights.Columns != 1)
        {
            throw new JobInputException("weights", $"weights: expected {rows} x 1 weights for the chunk, got {weights.Rows} x {weights.Columns}");
        }

        if (offset < 0 || offset + rows > job.Count)
        {
            throw new JobInputException("initial", $"initial: rows [{offset}, {offset + rows}) are outside [0, {job.Count})");
        }

        // Chunks arrive in order, so a repeated or missing chunk cannot pass for a complete cloud.
        if (offset != uploadedRows)
        {
            throw new JobInputException("initial", $"initial: chunk starts at row {offset}, expected row {uploadedRows} (chunks are uploaded in order)");
        }

        UploadChecks.CheckCoordinates("initial", positions.Values, d, offset);
        var chunkMass = UploadChecks.CheckWeights("weights", weights.Values, offset);
        await UploadChecks.RouteAsync(offsets, offset, positions, weights, (k, row, p, w) => shards[k].LoadAsync(row, p, w));
        weights.Values.CopyTo(allWeights.AsSpan(offset));
        uploadedRows += rows;
        mass += chunkMass;
    }

    /// <inheritdoc />
    public async Task StartAsync()
    {
        var job = spec ?? throw new InvalidOperationException("call CreateAsync first");
        if (status.State != JobState.Created)
        {
            throw new InvalidOperationException($"the run is {status.State}; create it again to rerun");
        }

        if (uploadedRows != job.Count)
        {
            throw new JobInputException("initial", $"initial: {uploadedRows} of {job.Count} rows were uploaded");
        }

        if (Math.Abs(mass - 1) > MassTolerance)
        {
            throw new JobInputException("weights", $"weights: uploaded weights sum to {mass.ToString("R", CultureInfo.InvariantCulture)}; they must be normalised to 1");
        }

        await Task.WhenAll(shards.Select(s => s.PrepareAsync()));
        if (status.State != JobState.Created)
        {
            // Cancelled while the shards were preparing: do not start.
            return;
        }

        cancellation?.Dispose();
        cancellation = new CancellationTokenSource();
        status = new FlowJobStatus(JobState.Running, 0, 0, double.NaN, double.NaN, 0, null);
        DelayDeactivation(TimeSpan.FromHours(24));
        _ = RunAsync(cancellation.Token);
    }

    /// <inheritdoc />
    public Task<FlowJobStatus> GetStatusAsync() => Task.FromResult(status);

    /// <inheritdoc />
    public Task CancelAsync()
    {
        if (status.State == JobState.Created)
        {
            status = status with { State = JobState.Cancelled };
        }

        cancellation?.Cancel();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<FlowJobResult> GetResultAsync() =>
        Task.FromResult(result ?? throw new InvalidOperationException($"no result: the run is {status.State}"));

    /// <inheritdoc />
    public Task<FloatBlock> GetSnapshotTimesAsync(int offset, int count)
    {
        var snapshots = Completed().Snapshots;
        CheckRange(offset, count, snapshots.Count, 2);
        var values = new double[count * 2];
        for (var s = 0; s < count; s++)
        {
            values[2 * s] = snapshots[offset + s].Step;
            values[(2 * s) + 1] = snapshots[offset + s].Time;
        }

        return Task.FromResult(FloatBlock.From(values, count, 2));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetSnapshotAsync(int snapshot, int offset, int count)
    {
        var run = Completed();
        if (snapshot < 0 || snapshot >= run.Snapshots.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(snapshot), $"snapshot {snapshot} is outside [0, {run.Snapshots.Count})");
        }

        return Task.FromResult(Rows(run.Snapshots[snapshot].Positions, offset, count, run.Count, run.Dimension));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetFinalPositionsAsync(int offset, int count)
    {
        var run = Completed();
        return Task.FromResult(Rows(run.FinalPositions, offset, count, run.Count, run.Dimension));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetDiagnosticsAsync(int offset, int count)
    {
        var rows = Completed().Diagnostics;
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

        return Task.FromResult(FloatBlock.From(values, count, Columns));
    }

    private async Task RunAsync(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var flowModel = model!;
        using var activity = TransportTelemetry.ActivitySource.StartActivity("flow.run");
        activity?.SetTag("transport.shards", shards.Length);
        activity?.SetTag("transport.model", flowModel.Name);
        try
        {
            var weights = flowModel.NeedsAllPositions ? allWeights : [];
            var backend = new DistributedFlowBackend(shards, offsets, flowModel, weights);
            var run = await FlowDriver.RunAsync(backend, flowModel, options!, ReportProgress, token);
            trajectory = run;
            result = new FlowJobResult
            {
                Count = run.Count,
                Dimension = run.Dimension,
                Steps = run.Steps,
                RejectedSteps = run.RejectedSteps,
                FinalTime = run.FinalTime,
                SnapshotCount = run.Snapshots.Count,
                DiagnosticsCount = run.Diagnostics.Count,
                Shards = shards.Length,
                Seconds = clock.Elapsed.TotalSeconds,
            };
            status = status with { State = JobState.Completed, Step = run.Steps, Time = run.FinalTime };
            activity?.SetTag("transport.steps", run.Steps);
            activity?.SetStatus(ActivityStatusCode.Ok);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            status = status with { State = JobState.Cancelled, Error = "cancelled" };
        }
        catch (Exception ex)
        {
            status = status with { State = JobState.Failed, Error = ex.Message };
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
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

        status = new FlowJobStatus(JobState.Running, row.Step + taken, row.Time + row.StepSize, row.Energy, row.KineticEnergy, row.StepSize, null);
    }

    private FlowTrajectory Completed() => trajectory ?? throw new InvalidOperationException($"no result: the run is {status.State}");

    private static void CheckRange(int offset, int count, int total, int columns)
    {
        if (offset < 0 || count < 0 || offset + count > total)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {offset + count}) are outside [0, {total})");
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

    private (FlowOptions Options, IFlowModel Model) Validate(FlowJobSpec spec)
    {
        try
        {
            if (spec.Model is null)
            {
                throw new InvalidInputException("model", "missing");
            }

            if (spec.Count <= 0)
            {
                throw new InvalidInputException("initial", $"no particles (n = {spec.Count})");
            }

            if (spec.Dimension <= 0)
            {
                throw new InvalidInputException("dim", $"must be positive, got {spec.Dimension}");
            }

            UploadChecks.CheckShards(spec.Shards);
            UploadChecks.CheckSize("initial", spec.Count, spec.Dimension);

            if (spec.Model.Dimension != 0 && spec.Model.Dimension != spec.Dimension)
            {
                throw new InvalidInputException("initial", $"particles have dimension {spec.Dimension}, the model was described for {spec.Model.Dimension}");
            }

            var flowOptions = spec.ToOptions();
            flowOptions.Validate();
            if (flowOptions.Integrator != FlowIntegrator.Adaptive)
            {
                // Snapshots are kept (and downloaded) whole: refuse a run whose trajectory cannot fit.
                var snapshots = ((long)flowOptions.FixedStepCount() / flowOptions.SnapshotEvery) + 2;
                if (snapshots * spec.Count * spec.Dimension > MaxSnapshotValues)
                {
                    throw new InvalidInputException("snapshot_every", $"{snapshots} snapshots of {spec.Count} x {spec.Dimension} values exceed the limit of {MaxSnapshotValues} values; raise snapshot_every");
                }
            }

            var built = models.Create(spec.Model with { Dimension = spec.Dimension });
            if (built.Dimension != spec.Dimension)
            {
                throw new InvalidInputException("initial", $"particles have dimension {spec.Dimension}, model '{built.Name}' needs {built.Dimension}");
            }

            var diffusion = built.Diffusion(0);
            if (flowOptions.Integrator != FlowIntegrator.EulerMaruyama && diffusion != 0)
            {
                throw new InvalidInputException("integrator", $"{FlowNames.Name(flowOptions.Integrator)} is deterministic but model '{built.Name}' has noise g(0) = {diffusion.ToString("R", CultureInfo.InvariantCulture)}; use euler-maruyama");
            }

            return (flowOptions, built);
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
    }
}
