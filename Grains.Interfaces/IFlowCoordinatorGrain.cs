using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One per flow run (key: run id). Lays the particles out over shards, runs the engine's flow schedule
/// (<see cref="Transport.Numerics.Flows.FlowDriver"/>) over them, combines partial sums, energies and error
/// partials in fixed shard order in float64, reports progress, honours cancellation and serves the trajectory.
/// <para>
/// Protocol: <c>CreateAsync</c>, then <see cref="UploadAsync"/> for every chunk of the initial particles,
/// then <c>StartAsync</c>; poll <c>GetStatusAsync</c> until the state is terminal; then
/// <c>GetResultAsync</c> and the chunked getters.
/// </para>
/// </summary>
[Alias("Transport.IFlowCoordinatorGrain")]
public interface IFlowCoordinatorGrain : IJobCoordinatorGrain<FlowJobSpec, FlowJobProgress, FlowJobResult>
{
    /// <summary>
    /// Uploads rows [offset, offset + rows) of the initial particles: positions (rows x d) and weights (rows x 1,
    /// summing to one over all rows). Throws <see cref="JobInputException"/> for non-finite or negative values.
    /// </summary>
    [Alias("Upload")]
    Task UploadAsync(int offset, FloatBlock positions, FloatBlock weights);

    /// <summary>
    /// Uploads rows [offset, offset + rows) of the model data block <paramref name="name"/> announced in the spec's
    /// <see cref="FlowModelSpec.Uploaded"/> (in order, before the start); the coordinator streams them on to its shards.
    /// Throws <see cref="JobInputException"/> naming the block for an unknown name, a wrong shape or order, or
    /// non-finite values.
    /// </summary>
    [Alias("UploadModelData")]
    Task UploadModelDataAsync(string name, int offset, FloatBlock rows);

    /// <summary>Step and time of snapshots [offset, offset + count) (count x 2).</summary>
    [Alias("GetSnapshotTimes")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSnapshotTimesAsync(int offset, int count);

    /// <summary>Rows [offset, offset + count) of snapshot <paramref name="snapshot"/> (count x d, input order).</summary>
    [Alias("GetSnapshot")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSnapshotAsync(int snapshot, int offset, int count);

    /// <summary>Rows [offset, offset + count) of the final positions (count x d, input order).</summary>
    [Alias("GetFinalPositions")]
    [AlwaysInterleave]
    Task<FloatBlock> GetFinalPositionsAsync(int offset, int count);

    /// <summary>Diagnostics rows [offset, offset + count) (count x <see cref="FlowDiagnosticsColumns.Count"/>).</summary>
    [Alias("GetDiagnostics")]
    [AlwaysInterleave]
    Task<FloatBlock> GetDiagnosticsAsync(int offset, int count);

    /// <summary>
    /// The Eulerian values of diagnostics rows: with <paramref name="grids"/> false, rows [offset, offset + count) of
    /// every row's moments and test functions (<see cref="FlowJobResult.EulerianHeadColumns"/> columns); with true, rows
    /// [offset, offset + count) of the rows that hold grids (1 + <see cref="FlowJobResult.EulerianGridColumns"/> columns:
    /// the diagnostics row's index, then its grids).
    /// </summary>
    [Alias("GetEulerian")]
    [AlwaysInterleave]
    Task<FloatBlock> GetEulerianAsync(bool grids, int offset, int count);
}
