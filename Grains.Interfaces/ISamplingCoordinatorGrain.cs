using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One per sampling run (key: run id). Validates the spec, lays the data out over data shards and the particles over
/// particle shards, runs the engine's <see cref="Transport.Numerics.Sampling.SamplingDriver"/> (the same driver as
/// the single-process path) over them, reports progress, honours cancellation and serves the samples in chunks.
/// <para>
/// Protocol: <see cref="CreateAsync"/>; for an empirical target <see cref="UploadDataAsync"/> for every chunk of the
/// data (in order); when the spec says the noise is uploaded, <see cref="UploadNoiseAsync"/> for every chunk of the
/// source points (in order); then <see cref="StartAsync"/>; poll <see cref="GetStatusAsync"/> until the state is
/// terminal; then <see cref="GetResultAsync"/> and <see cref="GetSamplesAsync"/>.
/// </para>
/// </summary>
[Alias("Transport.ISamplingCoordinatorGrain")]
public interface ISamplingCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Validates the spec and lays out the shards. Throws <see cref="JobInputException"/> naming the field.</summary>
    [Alias("Create")]
    Task CreateAsync(SamplingJobSpec spec);

    /// <summary>
    /// Uploads data points [offset, offset + rows) (rows x d) with their weights (rows x 1, positive; normalised over
    /// the whole set). Throws <see cref="JobInputException"/> for non-finite points or non-positive weights.
    /// </summary>
    [Alias("UploadData")]
    Task UploadDataAsync(int offset, FloatBlock points, FloatBlock weights);

    /// <summary>Uploads source points [offset, offset + rows) (rows x d). Throws <see cref="JobInputException"/> for non-finite values.</summary>
    [Alias("UploadNoise")]
    Task UploadNoiseAsync(int offset, FloatBlock noise);

    /// <summary>Checks that the uploads are complete, prepares the shards and starts the run in the background.</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>Current progress; never waits for the run.</summary>
    [Alias("GetStatus")]
    [AlwaysInterleave]
    Task<SamplingJobStatus> GetStatusAsync();

    /// <summary>Requests cancellation; the run stops before its next step.</summary>
    [Alias("Cancel")]
    [AlwaysInterleave]
    Task CancelAsync();

    /// <summary>The scalar results. Throws when the run is not completed.</summary>
    [Alias("GetResult")]
    [AlwaysInterleave]
    Task<SamplingJobResult> GetResultAsync();

    /// <summary>Samples [offset, offset + count) (count x d, in the order of the source points).</summary>
    [Alias("GetSamples")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSamplesAsync(int offset, int count);
}
