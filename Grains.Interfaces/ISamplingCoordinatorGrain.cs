using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One per sampling run (key: run id). Validates the spec, lays the data out over data shards and the particles over
/// particle shards, runs the engine's <see cref="Transport.Numerics.Sampling.SamplingDriver"/> (the same driver as
/// the single-process path) over them, reports progress, honours cancellation and serves the samples in chunks.
/// <para>
/// Protocol: <c>CreateAsync</c>; for an empirical target <see cref="UploadDataAsync"/> for every chunk of the
/// data (in order); when the spec says the noise is uploaded, <see cref="UploadNoiseAsync"/> for every chunk of the
/// source points (in order); then <c>StartAsync</c>; poll <c>GetStatusAsync</c> until the state is
/// terminal; then <c>GetResultAsync</c> and <see cref="GetSamplesAsync"/>.
/// </para>
/// </summary>
[Alias("Transport.ISamplingCoordinatorGrain")]
public interface ISamplingCoordinatorGrain : IJobCoordinatorGrain<SamplingJobSpec, SamplingJobProgress, SamplingJobResult>
{
    /// <summary>
    /// Uploads data points [offset, offset + rows) (rows x d) with their weights (rows x 1, positive; normalised over
    /// the whole set). Throws <see cref="JobInputException"/> for non-finite points or non-positive weights.
    /// </summary>
    [Alias("UploadData")]
    Task UploadDataAsync(int offset, FloatBlock points, FloatBlock weights);

    /// <summary>Uploads source points [offset, offset + rows) (rows x d). Throws <see cref="JobInputException"/> for non-finite values.</summary>
    [Alias("UploadNoise")]
    Task UploadNoiseAsync(int offset, FloatBlock noise);

    /// <summary>Samples [offset, offset + count) (count x d, in the order of the source points).</summary>
    [Alias("GetSamples")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSamplesAsync(int offset, int count);
}
