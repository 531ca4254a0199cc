using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Study;

namespace Transport.Grains;

/// <summary>A completed study as a client sees it: the request it ran (uploads included), its results and the last run's samples.</summary>
/// <param name="Request">The request, rebuilt from the kept spec and uploads.</param>
/// <param name="Result">The study's results.</param>
/// <param name="Samples">The last run's samples (n x d row-major, in source order).</param>
public sealed record SampleStudyOutput(SampleRequest Request, SampleStudyResult Result, double[] Samples);

/// <summary>
/// The study kind of <see cref="JobClient"/>: uploads (the data set with its weights, custom noise, in chunks) and the
/// download of a completed study, also by a client that did not submit it (<c>transport runs fetch</c>).
/// </summary>
public static class SampleStudyJobClient
{
    /// <summary>Creates study <paramref name="jobId"/> for <paramref name="request"/>, uploads its data and noise and starts it.</summary>
    public static Task<ISampleStudyCoordinatorGrain> SubmitAsync(IGrainFactory grains, string jobId, SampleRequest request, IReadOnlyList<int> steps, string? label)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(request);
        var spec = SampleStudySpec.From(request, steps, label);
        return new JobClient(grains).SubmitAsync<ISampleStudyCoordinatorGrain, SampleStudySpec, SampleStudyProgress, SampleStudyResult>(jobId, spec, coordinator => UploadAsync(coordinator, request));
    }

    /// <summary>Runs study <paramref name="jobId"/> to its end and downloads it (see <see cref="JobClient"/> for the exceptions).</summary>
    public static Task<SampleStudyOutput> RunAsync(IGrainFactory grains, string jobId, SampleRequest request, IReadOnlyList<int> steps, string? label, Action<JobStatus<SampleStudyProgress>>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(request);
        var spec = SampleStudySpec.From(request, steps, label);
        return new JobClient(grains).RunAsync<ISampleStudyCoordinatorGrain, SampleStudySpec, SampleStudyProgress, SampleStudyResult, SampleStudyOutput>(
            jobId, spec, coordinator => UploadAsync(coordinator, request), DownloadAsync, progress, phase: null, cancellationToken);
    }

    /// <summary>Downloads a completed study: its spec and uploads (to rebuild the request), its results and the last run's samples.</summary>
    public static async Task<SampleStudyOutput> DownloadAsync(ISampleStudyCoordinatorGrain coordinator)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var spec = await coordinator.GetSpecAsync();
        var result = await coordinator.GetResultAsync();
        var d = spec.Dimension;
        double[]? points = null;
        double[]? weights = null;
        if (spec.Target == SampleTarget.Data)
        {
            points = new double[(long)spec.DataCount * d];
            weights = new double[spec.DataCount];
            var chunk = FloatBlock.RowsPerChunk(d);
            for (var offset = 0; offset < spec.DataCount; offset += chunk)
            {
                var part = await coordinator.GetDataAsync(offset, Math.Min(chunk, spec.DataCount - offset));
                part.Points.Values.CopyTo(points.AsSpan(offset * d));
                part.Weights.Values.CopyTo(weights.AsSpan(offset));
            }
        }

        var noise = spec.UploadedNoise ? await BlockTransfer.FetchRowsAsync(spec.Count, d, coordinator.GetNoiseAsync) : null;
        var samples = await BlockTransfer.FetchRowsAsync(result.Count, d, coordinator.GetSamplesAsync);
        return new SampleStudyOutput(spec.ToRequest(points, weights, noise), result, samples);
    }

    private static async Task UploadAsync(ISampleStudyCoordinatorGrain coordinator, SampleRequest request)
    {
        var d = request.Dimension;
        var chunk = FloatBlock.RowsPerChunk(d);
        if (request.Target is { Kind: SampleTarget.Data, Points: { } points } target)
        {
            for (var offset = 0; offset < target.Count; offset += chunk)
            {
                var rows = Math.Min(chunk, target.Count - offset);
                await coordinator.UploadDataAsync(offset, FloatBlock.From(points.AsSpan(offset * d, rows * d), rows, d), FloatBlock.FromVector(target.Weights.AsSpan(offset, rows)));
            }
        }

        if (request.Noise is { } noise)
        {
            for (var offset = 0; offset < request.Count; offset += chunk)
            {
                var rows = Math.Min(chunk, request.Count - offset);
                await coordinator.UploadNoiseAsync(offset, FloatBlock.From(noise.AsSpan(offset * d, rows * d), rows, d));
            }
        }
    }
}
