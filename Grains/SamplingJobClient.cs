using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>The samples of a completed sampling run (n x d row-major, in the order of the source points) and its results.</summary>
/// <param name="Samples">The samples.</param>
/// <param name="Result">Scalar results.</param>
public sealed record SamplingJobOutput(double[] Samples, SamplingJobResult Result);

/// <summary>
/// The caller's side of the sampling coordinator protocol: creates the run, uploads the data (with weights) and the
/// source noise in chunks, starts it, polls progress until it ends, and downloads the samples in chunks.
/// </summary>
public static class SamplingJobClient
{
    /// <summary>How often progress is polled.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Runs <paramref name="spec"/> as a new job and returns its samples. <paramref name="data"/> (DataCount x d) and
    /// <paramref name="weights"/> (DataCount entries, or empty for uniform) are the empirical data (empty otherwise);
    /// <paramref name="noise"/> (n x d) is the source noise when <see cref="SamplingJobSpec.UploadedNoise"/> is set.
    /// Throws <see cref="JobInputException"/> for invalid input and <see cref="InvalidOperationException"/> when the run
    /// fails or is cancelled (cancelling <paramref name="cancellationToken"/> asks the coordinator to stop).
    /// </summary>
    public static async Task<SamplingJobOutput> RunAsync(
        IGrainFactory grains,
        SamplingJobSpec spec,
        ReadOnlyMemory<double> data,
        ReadOnlyMemory<double> weights,
        ReadOnlyMemory<double> noise,
        IProgress<SamplingJobStatus>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var jobId = $"sampling-{Guid.NewGuid():N}";
        var coordinator = await SubmitAsync(grains, jobId, spec, data, weights, noise);
        var status = await WaitAsync(coordinator, progress, cancellationToken);
        if (status.State != JobState.Completed)
        {
            throw new InvalidOperationException($"sampling run {jobId} ended {status.State}: {status.Error}");
        }

        return await DownloadAsync(coordinator);
    }

    /// <summary>Creates run <paramref name="jobId"/>, uploads its data and noise and starts it.</summary>
    public static async Task<ISamplingCoordinatorGrain> SubmitAsync(
        IGrainFactory grains,
        string jobId,
        SamplingJobSpec spec,
        ReadOnlyMemory<double> data,
        ReadOnlyMemory<double> weights,
        ReadOnlyMemory<double> noise)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(spec);
        var d = spec.Dimension;
        var empirical = spec.Target == "empirical";
        var dataCount = empirical ? spec.DataCount : 0;
        if (d > 0 && data.Length != (long)dataCount * d)
        {
            throw new JobInputException("data", $"data: expected {dataCount} x {d} coordinates, got {data.Length} values");
        }

        if (!weights.IsEmpty && weights.Length != dataCount)
        {
            throw new JobInputException("data-weights", $"data-weights: expected {dataCount} entries (one per data point), got {weights.Length}");
        }

        if (d > 0 && noise.Length != (spec.UploadedNoise ? (long)spec.Count * d : 0))
        {
            throw new JobInputException("noise", $"noise: expected {(spec.UploadedNoise ? spec.Count : 0)} x {d} values, got {noise.Length}");
        }

        var coordinator = grains.GetGrain<ISamplingCoordinatorGrain>(jobId);
        await coordinator.CreateAsync(spec);
        var chunk = FloatBlock.RowsPerChunk(d);
        for (var offset = 0; offset < dataCount; offset += chunk)
        {
            var rows = Math.Min(chunk, dataCount - offset);
            var w = weights.IsEmpty ? Enumerable.Repeat(1.0, rows).ToArray() : weights.Span.Slice(offset, rows).ToArray();
            await coordinator.UploadDataAsync(offset, FloatBlock.From(data.Span.Slice(offset * d, rows * d), rows, d), FloatBlock.FromVector(w));
        }

        for (var offset = 0; spec.UploadedNoise && offset < spec.Count; offset += chunk)
        {
            var rows = Math.Min(chunk, spec.Count - offset);
            await coordinator.UploadNoiseAsync(offset, FloatBlock.From(noise.Span.Slice(offset * d, rows * d), rows, d));
        }

        await coordinator.StartAsync();
        return coordinator;
    }

    /// <summary>Polls until the run ends; cancelling <paramref name="cancellationToken"/> asks the coordinator to stop.</summary>
    public static async Task<SamplingJobStatus> WaitAsync(ISamplingCoordinatorGrain coordinator, IProgress<SamplingJobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        return await JobPolling.WaitAsync(coordinator.GetStatusAsync, s => s.State, coordinator.CancelAsync, progress is null ? null : progress.Report, PollInterval, cancellationToken);
    }

    /// <summary>Downloads the result and the samples of a completed run.</summary>
    public static async Task<SamplingJobOutput> DownloadAsync(ISamplingCoordinatorGrain coordinator)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var result = await coordinator.GetResultAsync();
        var samples = await BlockTransfer.FetchRowsAsync(result.Count, result.Dimension, coordinator.GetSamplesAsync);
        return new SamplingJobOutput(samples, result);
    }
}
