using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>Arrays of a completed job, in input order.</summary>
/// <param name="Result">Scalar results.</param>
/// <param name="F">Source potential (n).</param>
/// <param name="G">Target potential (m).</param>
/// <param name="Map">Barycentric map of the source points (n x d, row-major).</param>
public sealed record SinkhornJobOutput(SinkhornJobResult Result, double[] F, double[] G, double[] Map);

/// <summary>
/// The caller's side of the coordinator protocol: uploads both clouds in chunks, starts the job,
/// polls progress until it ends, and downloads the arrays in chunks. Used by the console, the
/// benchmarks and the tests, so they all drive a cluster the same way.
/// </summary>
public sealed class SinkhornJobClient(IGrainFactory grains)
{
    /// <summary>How often progress is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Creates the job <paramref name="problemId"/> and uploads both clouds (already validated by
    /// <see cref="PointCloud.Create"/>, so weights sum to one). Throws <see cref="JobInputException"/> for invalid options.
    /// </summary>
    public async Task<ISinkhornCoordinatorGrain> SubmitAsync(string problemId, SinkhornJobSpec spec, PointCloud source, PointCloud target)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var coordinator = grains.GetGrain<ISinkhornCoordinatorGrain>(problemId);
        await coordinator.CreateAsync(spec);
        await UploadAsync(coordinator, CloudSide.Source, source);
        await UploadAsync(coordinator, CloudSide.Target, target);
        await coordinator.StartAsync();
        return coordinator;
    }

    /// <summary>
    /// Polls until the job leaves the running state, reporting each status to <paramref name="progress"/>.
    /// Cancelling <paramref name="cancellationToken"/> asks the coordinator to cancel and keeps waiting for it to stop.
    /// </summary>
    public async Task<SinkhornJobStatus> WaitAsync(ISinkhornCoordinatorGrain coordinator, Action<SinkhornJobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        return await JobPolling.WaitAsync(coordinator.GetStatusAsync, s => s.State, coordinator.CancelAsync, progress, PollInterval, cancellationToken);
    }

    /// <summary>Downloads the result and the arrays of a completed job.</summary>
    public static async Task<SinkhornJobOutput> DownloadAsync(ISinkhornCoordinatorGrain coordinator, int n, int m, int dimension)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var result = await coordinator.GetResultAsync();
        var f = await BlockTransfer.FetchRowsAsync(n, 1, (offset, count) => coordinator.GetPotentialAsync(CloudSide.Source, offset, count));
        var g = await BlockTransfer.FetchRowsAsync(m, 1, (offset, count) => coordinator.GetPotentialAsync(CloudSide.Target, offset, count));
        var map = await BlockTransfer.FetchRowsAsync(n, dimension, coordinator.GetMapAsync);
        return new SinkhornJobOutput(result, f, g, map);
    }

    /// <summary>
    /// Submits, waits and downloads; throws <see cref="JobInputException"/> if the run failed on its input
    /// (<see cref="SinkhornJobStatus.ErrorField"/>) and <see cref="InvalidOperationException"/> if it failed
    /// otherwise or was cancelled.
    /// </summary>
    public async Task<SinkhornJobOutput> RunAsync(string problemId, SinkhornJobSpec spec, PointCloud source, PointCloud target, Action<SinkhornJobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var coordinator = await SubmitAsync(problemId, spec, source, target);
        var status = await WaitAsync(coordinator, progress, cancellationToken);
        if (status is { State: JobState.Failed, ErrorField: { } field })
        {
            throw new JobInputException(field, status.Error ?? $"{field}: rejected by the cluster");
        }

        if (status.State != JobState.Completed)
        {
            throw new InvalidOperationException($"job {problemId} ended {status.State}: {status.Error}");
        }

        return await DownloadAsync(coordinator, source.Count, target.Count, source.Dimension);
    }

    private static async Task UploadAsync(ISinkhornCoordinatorGrain coordinator, CloudSide side, PointCloud cloud)
    {
        var d = cloud.Dimension;
        var chunk = FloatBlock.RowsPerChunk(d);
        for (var offset = 0; offset < cloud.Count; offset += chunk)
        {
            var rows = Math.Min(chunk, cloud.Count - offset);
            await coordinator.UploadAsync(
                side,
                offset,
                FloatBlock.From(cloud.Positions.Slice(offset * d, rows * d), rows, d),
                FloatBlock.FromVector(cloud.Weights.Slice(offset, rows)));
        }
    }
}
