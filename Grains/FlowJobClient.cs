using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>The scalar results of a completed flow run and its trajectory (final positions in input order).</summary>
/// <param name="Result">Scalar results.</param>
/// <param name="Trajectory">Snapshots, diagnostics and final state, as the single-process driver returns them.</param>
public sealed record FlowJobOutput(FlowJobResult Result, FlowTrajectory Trajectory);

/// <summary>
/// The flow kind of <see cref="JobClient"/>: its upload (the initial particles and weights, in chunks) and downloads
/// (snapshots and diagnostics); submitting, waiting and the terminal states are <see cref="JobClient"/>'s.
/// </summary>
/// <param name="grains">The cluster's grain factory.</param>
public sealed class FlowJobClient(IGrainFactory grains)
{
    /// <summary>How often the status is polled.</summary>
    public TimeSpan PollInterval { get; init; } = JobClient.DefaultPollInterval;

    /// <summary>
    /// Model data above this many bytes is uploaded in chunks after the job is created instead of inside its spec
    /// (<see cref="FlowModelSpec.ForUpload"/>); default <see cref="FlowModelSpec.InlineDataBytes"/>.
    /// </summary>
    public long InlineDataBytes { get; init; } = FlowModelSpec.InlineDataBytes;

    /// <summary>Runs flow <paramref name="runId"/> to its end and downloads its trajectory (see <see cref="JobClient"/> for the exceptions).</summary>
    public Task<FlowJobOutput> RunAsync(string runId, FlowJobSpec spec, ReadOnlyMemory<double> positions, ReadOnlyMemory<double> weights, Action<JobStatus<FlowJobProgress>>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckShapes(spec, positions, weights);
        var (sent, data) = Split(spec);
        return new JobClient(grains) { PollInterval = PollInterval }.RunAsync<IFlowCoordinatorGrain, FlowJobSpec, FlowJobProgress, FlowJobResult, FlowJobOutput>(
            runId, sent, coordinator => UploadAsync(coordinator, sent, data, positions, weights), DownloadAsync, progress, phase: null, cancellationToken);
    }

    /// <summary>Creates run <paramref name="runId"/>, uploads the particles and starts it.</summary>
    public Task<IFlowCoordinatorGrain> SubmitAsync(string runId, FlowJobSpec spec, ReadOnlyMemory<double> positions, ReadOnlyMemory<double> weights)
    {
        CheckShapes(spec, positions, weights);
        var (sent, data) = Split(spec);
        return new JobClient(grains).SubmitAsync<IFlowCoordinatorGrain, FlowJobSpec, FlowJobProgress, FlowJobResult>(runId, sent, coordinator => UploadAsync(coordinator, sent, data, positions, weights));
    }

    /// <summary>Waits for the run to end (see <see cref="JobClient.WaitAsync"/>).</summary>
    public Task<JobStatus<FlowJobProgress>> WaitAsync(IFlowCoordinatorGrain coordinator, Action<JobStatus<FlowJobProgress>>? progress = null, CancellationToken cancellationToken = default) =>
        new JobClient(grains) { PollInterval = PollInterval }.WaitAsync(coordinator, progress, cancellationToken);

    private static void CheckShapes(FlowJobSpec spec, ReadOnlyMemory<double> positions, ReadOnlyMemory<double> weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var d = spec.Dimension;
        if (d <= 0 || positions.Length != (long)spec.Count * d)
        {
            throw new JobInputException("initial", $"initial: expected {spec.Count} x {d} coordinates, got {positions.Length} values");
        }

        if (!weights.IsEmpty && weights.Length != spec.Count)
        {
            throw new JobInputException("weights", $"weights: expected {spec.Count} entries (one per particle), got {weights.Length}");
        }
    }

    /// <summary>Downloads the result and the trajectory of a completed run.</summary>
    public static async Task<FlowJobOutput> DownloadAsync(IFlowCoordinatorGrain coordinator)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var result = await coordinator.GetResultAsync();
        var n = result.Count;
        var d = result.Dimension;
        var times = await BlockTransfer.FetchRowsAsync(result.SnapshotCount, 2, coordinator.GetSnapshotTimesAsync);
        var snapshots = new List<FlowSnapshot>(result.SnapshotCount);
        for (var s = 0; s < result.SnapshotCount; s++)
        {
            var index = s;
            var positions = await BlockTransfer.FetchRowsAsync(n, d, (offset, count) => coordinator.GetSnapshotAsync(index, offset, count));
            snapshots.Add(new FlowSnapshot((long)times[2 * s], times[(2 * s) + 1], positions));
        }

        const int Columns = FlowDiagnosticsColumns.Count;
        var table = await BlockTransfer.FetchRowsAsync(result.DiagnosticsCount, Columns, coordinator.GetDiagnosticsAsync);
        var diagnostics = new List<FlowStepDiagnostics>(result.DiagnosticsCount);
        for (var r = 0; r < result.DiagnosticsCount; r++)
        {
            var at = r * Columns;
            diagnostics.Add(new FlowStepDiagnostics((long)table[at], table[at + 1], table[at + 2], table[at + 3], table[at + 4], (int)table[at + 5], table[at + 6]));
        }

        if (result.EulerianHeadColumns > 0)
        {
            await AttachEulerianAsync(coordinator, result, diagnostics);
        }

        var trajectory = new FlowTrajectory(n, d, snapshots, diagnostics, result.Steps, result.RejectedSteps, result.FinalTime);
        return new FlowJobOutput(result, trajectory);
    }

    /// <summary>
    /// Puts the run's Eulerian values back on its rows as the driver recorded them: every row's moments and test
    /// functions, and the grids on the rows of snapshot states (each grid row names its diagnostics row).
    /// </summary>
    private static async Task AttachEulerianAsync(IFlowCoordinatorGrain coordinator, FlowJobResult result, List<FlowStepDiagnostics> diagnostics)
    {
        var (head, gridColumns) = (result.EulerianHeadColumns, result.EulerianGridColumns);
        var heads = await BlockTransfer.FetchRowsAsync(diagnostics.Count, head, (offset, count) => coordinator.GetEulerianAsync(false, offset, count));
        var grids = new Dictionary<int, double[]>();
        if (result.EulerianGridRows > 0 && gridColumns > 0)
        {
            var table = await BlockTransfer.FetchRowsAsync(result.EulerianGridRows, 1 + gridColumns, (offset, count) => coordinator.GetEulerianAsync(true, offset, count));
            for (var g = 0; g < result.EulerianGridRows; g++)
            {
                var row = table.AsSpan(g * (1 + gridColumns), 1 + gridColumns);
                grids[(int)row[0]] = row[1..].ToArray();
            }
        }

        for (var r = 0; r < diagnostics.Count; r++)
        {
            var grid = grids.GetValueOrDefault(r);
            var values = new double[head + (grid?.Length ?? 0)];
            heads.AsSpan(r * head, head).CopyTo(values);
            grid?.CopyTo(values.AsSpan(head));
            diagnostics[r] = diagnostics[r] with { Eulerian = values };
        }
    }

    /// <summary>Rows [<paramref name="row"/>, row + <paramref name="count"/>) of <paramref name="block"/>.</summary>
    private static FloatBlock Rows(FloatBlock block, int row, int count) =>
        FloatBlock.From(block.Values.Slice(row * block.Columns, count * block.Columns), count, block.Columns);

    /// <summary>The spec to create the job with and the model data to upload in chunks after it (none when it fits inline).</summary>
    private (FlowJobSpec Spec, FloatBlock[] Data) Split(FlowJobSpec spec)
    {
        var (model, data) = spec.Model.ForUpload(InlineDataBytes);
        return (spec with { Model = model }, data);
    }

    private static async Task UploadAsync(IFlowCoordinatorGrain coordinator, FlowJobSpec spec, FloatBlock[] data, ReadOnlyMemory<double> positions, ReadOnlyMemory<double> weights)
    {
        // The uploaded model data first (its blocks in the order the spec announces them), each in chunks.
        for (var k = 0; k < data.Length; k++)
        {
            var shape = spec.Model.Uploaded[k];
            var rowsPerChunk = FloatBlock.RowsPerChunk(shape.Columns);
            for (var row = 0; row < shape.Rows; row += rowsPerChunk)
            {
                await coordinator.UploadModelDataAsync(shape.Name, row, Rows(data[k], row, Math.Min(rowsPerChunk, shape.Rows - row)));
            }
        }

        var d = spec.Dimension;
        var uniform = weights.IsEmpty ? Enumerable.Repeat(1.0 / spec.Count, spec.Count).ToArray() : null;
        var chunk = FloatBlock.RowsPerChunk(d);
        for (var offset = 0; offset < spec.Count; offset += chunk)
        {
            var rows = Math.Min(chunk, spec.Count - offset);
            var w = uniform is null ? weights.Span.Slice(offset, rows) : uniform.AsSpan(offset, rows);
            await coordinator.UploadAsync(offset, FloatBlock.From(positions.Span.Slice(offset * d, rows * d), rows, d), FloatBlock.FromVector(w));
        }
    }
}
