using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>The samples of a completed sampling run (n x d row-major, in the order of the source points) and its results.</summary>
/// <param name="Samples">The samples.</param>
/// <param name="Result">Scalar results.</param>
public sealed record SamplingJobOutput(double[] Samples, SamplingJobResult Result);

/// <summary>
/// The sampling kind of <see cref="JobClient"/>: its uploads (data points and weights, custom noise, in chunks) and
/// download (the samples); submitting, waiting and the terminal states are <see cref="JobClient"/>'s.
/// </summary>
public static class SamplingJobClient
{
    /// <summary>Runs a sampling job to its end and downloads its samples (see <see cref="JobClient"/> for the exceptions).</summary>
    public static Task<SamplingJobOutput> RunAsync(
        IGrainFactory grains,
        SamplingJobSpec spec,
        ReadOnlyMemory<double> data,
        ReadOnlyMemory<double> weights,
        ReadOnlyMemory<double> noise,
        Action<JobStatus<SamplingJobProgress>>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(grains, $"sampling-{Guid.NewGuid():N}", spec, data, weights, noise, progress, cancellationToken);

    /// <summary>Runs sampling job <paramref name="jobId"/> to its end and downloads its samples (see <see cref="JobClient"/> for the exceptions).</summary>
    public static Task<SamplingJobOutput> RunAsync(
        IGrainFactory grains,
        string jobId,
        SamplingJobSpec spec,
        ReadOnlyMemory<double> data,
        ReadOnlyMemory<double> weights,
        ReadOnlyMemory<double> noise,
        Action<JobStatus<SamplingJobProgress>>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckShapes(grains, spec, data, weights, noise);
        return new JobClient(grains).RunAsync<ISamplingCoordinatorGrain, SamplingJobSpec, SamplingJobProgress, SamplingJobResult, SamplingJobOutput>(
            jobId, spec, coordinator => UploadAsync(coordinator, spec, data, weights, noise), DownloadAsync, progress, phase: null, cancellationToken);
    }

    /// <summary>Creates job <paramref name="jobId"/>, uploads its data and noise and starts it.</summary>
    public static Task<ISamplingCoordinatorGrain> SubmitAsync(IGrainFactory grains, string jobId, SamplingJobSpec spec, ReadOnlyMemory<double> data, ReadOnlyMemory<double> weights, ReadOnlyMemory<double> noise)
    {
        CheckShapes(grains, spec, data, weights, noise);
        return new JobClient(grains).SubmitAsync<ISamplingCoordinatorGrain, SamplingJobSpec, SamplingJobProgress, SamplingJobResult>(jobId, spec, coordinator => UploadAsync(coordinator, spec, data, weights, noise));
    }

    /// <summary>Waits for the job to end (see <see cref="JobClient.WaitAsync"/>).</summary>
    public static Task<JobStatus<SamplingJobProgress>> WaitAsync(IGrainFactory grains, ISamplingCoordinatorGrain coordinator, Action<JobStatus<SamplingJobProgress>>? progress = null, CancellationToken cancellationToken = default) =>
        new JobClient(grains).WaitAsync(coordinator, progress, cancellationToken);

    private static void CheckShapes(IGrainFactory grains, SamplingJobSpec spec, ReadOnlyMemory<double> data, ReadOnlyMemory<double> weights, ReadOnlyMemory<double> noise)
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
    }

    /// <summary>Downloads the result and the samples of a completed run.</summary>
    public static async Task<SamplingJobOutput> DownloadAsync(ISamplingCoordinatorGrain coordinator)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        var result = await coordinator.GetResultAsync();
        var samples = await BlockTransfer.FetchRowsAsync(result.Count, result.Dimension, coordinator.GetSamplesAsync);
        return new SamplingJobOutput(samples, result);
    }

    private static async Task UploadAsync(ISamplingCoordinatorGrain coordinator, SamplingJobSpec spec, ReadOnlyMemory<double> data, ReadOnlyMemory<double> weights, ReadOnlyMemory<double> noise)
    {
        var d = spec.Dimension;
        var dataCount = spec.Target == "empirical" ? spec.DataCount : 0;
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

    }
}
