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
/// The Sinkhorn kind of <see cref="JobClient"/>: its uploads (both clouds, in chunks) and downloads (result, potentials,
/// map); submitting, waiting and the terminal states are <see cref="JobClient"/>'s.
/// </summary>
/// <param name="grains">The cluster's grain factory.</param>
public sealed class SinkhornJobClient(IGrainFactory grains)
{
    /// <summary>How often the status is polled.</summary>
    public TimeSpan PollInterval { get; init; } = JobClient.DefaultPollInterval;

    /// <summary>
    /// Runs problem <paramref name="problemId"/> to its end and downloads its outputs (see <see cref="JobClient"/> for the
    /// exceptions of the terminal states).
    /// </summary>
    public Task<SinkhornJobOutput> RunAsync(string problemId, SinkhornJobSpec spec, PointCloud source, PointCloud target, Action<JobStatus<SinkhornJobProgress>>? progress = null, Action<string>? phase = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return new JobClient(grains) { PollInterval = PollInterval }.RunAsync<ISinkhornCoordinatorGrain, SinkhornJobSpec, SinkhornJobProgress, SinkhornJobResult, SinkhornJobOutput>(
            problemId,
            spec,
            coordinator => UploadAsync(coordinator, source, target),
            coordinator => DownloadAsync(coordinator, source.Count, target.Count, source.Dimension),
            progress,
            phase,
            cancellationToken);
    }

    /// <summary>Creates problem <paramref name="problemId"/>, uploads both clouds and starts it.</summary>
    public Task<ISinkhornCoordinatorGrain> SubmitAsync(string problemId, SinkhornJobSpec spec, PointCloud source, PointCloud target)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return new JobClient(grains).SubmitAsync<ISinkhornCoordinatorGrain, SinkhornJobSpec, SinkhornJobProgress, SinkhornJobResult>(problemId, spec, coordinator => UploadAsync(coordinator, source, target));
    }

    /// <summary>Waits for the job to end (see <see cref="JobClient.WaitAsync"/>).</summary>
    public Task<JobStatus<SinkhornJobProgress>> WaitAsync(ISinkhornCoordinatorGrain coordinator, Action<JobStatus<SinkhornJobProgress>>? progress = null, CancellationToken cancellationToken = default) =>
        new JobClient(grains) { PollInterval = PollInterval }.WaitAsync(coordinator, progress, cancellationToken);

    /// <summary>The result, both potentials and the map of a completed job, fetched in chunks.</summary>
    public static async Task<SinkhornJobOutput> DownloadAsync(ISinkhornCoordinatorGrain coordinator, int n, int m, int dimension)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var result = await coordinator.GetResultAsync();
        var f = await BlockTransfer.FetchRowsAsync(n, 1, (offset, count) => coordinator.GetPotentialAsync(CloudSide.Source, offset, count));
        var g = await BlockTransfer.FetchRowsAsync(m, 1, (offset, count) => coordinator.GetPotentialAsync(CloudSide.Target, offset, count));
        var map = await BlockTransfer.FetchRowsAsync(n, dimension, coordinator.GetMapAsync);
        return new SinkhornJobOutput(result, f, g, map);
    }

    private static async Task UploadAsync(ISinkhornCoordinatorGrain coordinator, PointCloud source, PointCloud target)
    {
        await UploadAsync(coordinator, CloudSide.Source, source);
        await UploadAsync(coordinator, CloudSide.Target, target);
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
