using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>The scalar results of a completed flow run and its trajectory (final positions in input order).</summary>
/// <param name="Result">Scalar results.</param>
/// <param name="Trajectory">Snapshots, diagnostics and final state, as the single-process driver returns them.</param>
public sealed record FlowJobOutput(FlowJobResult Result, FlowTrajectory Trajectory);

/// <summary>
/// The caller's side of the flow coordinator protocol: uploads the initial particles in chunks, starts the
/// run, polls progress until it ends, and downloads the trajectory in chunks into a <see cref="FlowTrajectory"/>.
/// </summary>
public sealed class FlowJobClient(IGrainFactory grains)
{
    /// <summary>How often progress is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Creates run <paramref name="runId"/>, uploads <paramref name="positions"/> (n x d row-major) and
    /// <paramref name="weights"/> (n entries summing to one, or empty for uniform 1/n) and starts it.
    /// Throws <see cref="JobInputException"/> for an invalid spec or input.
    /// </summary>
    public async Task<IFlowCoordinatorGrain> SubmitAsync(string runId, FlowJobSpec spec, ReadOnlyMemory<double> positions, ReadOnlyMemory<double> weights)
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

        var uniform = weights.IsEmpty ? Enumerable.Repeat(1.0 / spec.Count, spec.Count).ToArray() : null;
        var coordinator = grains.GetGrain<IFlowCoordinatorGrain>(runId);
        await coordinator.CreateAsync(spec);
        var chunk = FloatBlock.RowsPerChunk(d);
        for (var offset = 0; offset < spec.Count; offset += chunk)
        {
            var rows = Math.Min(chunk, spec.Count - offset);
            var w = uniform is null ? weights.Span.Slice(offset, rows) : uniform.AsSpan(offset, rows);
            await coordinator.UploadAsync(offset, FloatBlock.From(positions.Span.Slice(offset * d, rows * d), rows, d), FloatBlock.FromVector(w));
        }

        await coordinator.StartAsync();
        return coordinator;
    }

    /// <summary>Polls until the run ends; cancelling <paramref name="cancellationToken"/> asks the coordinator to stop.</summary>
    public async Task<FlowJobStatus> WaitAsync(IFlowCoordinatorGrain coordinator, Action<FlowJobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        return await JobPolling.WaitAsync(coordinator.GetStatusAsync, s => s.State, coordinator.CancelAsync, progress, PollInterval, cancellationToken);
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

        var trajectory = new FlowTrajectory(n, d, snapshots, diagnostics, result.Steps, result.RejectedSteps, result.FinalTime);
        return new FlowJobOutput(result, trajectory);
    }

    /// <summary>Submits, waits and downloads; throws <see cref="InvalidOperationException"/> if the run fails or is cancelled.</summary>
    public async Task<FlowJobOutput> RunAsync(string runId, FlowJobSpec spec, ReadOnlyMemory<double> positions, ReadOnlyMemory<double> weights, Action<FlowJobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        var coordinator = await SubmitAsync(runId, spec, positions, weights);
        var status = await WaitAsync(coordinator, progress, cancellationToken);
        if (status.State != JobState.Completed)
        {
            throw new InvalidOperationException($"run {runId} ended {status.State}: {status.Error}");
        }

        return await DownloadAsync(coordinator);
    }
}
