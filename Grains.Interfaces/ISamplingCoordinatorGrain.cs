namespace Transport.Grains.Interfaces;

/// <summary>
/// One per sampling run (key: run id). Validates the spec, lays the data out over data shards and the particles over
/// particle shards, runs the engine's <see cref="Transport.Numerics.Sampling.SamplingDriver"/> (the same driver as
/// the single-process path) over them, reports progress, honours cancellation and serves the samples in chunks.
/// <para>
/// Protocol: <c>CreateAsync</c>; for an empirical target <see cref="ISampleTransferGrain.UploadDataAsync"/> for every chunk of the
/// data (in order); when the spec says the noise is uploaded, <see cref="ISampleTransferGrain.UploadNoiseAsync"/> for every chunk of the
/// source points (in order); then <c>StartAsync</c>; poll <c>GetStatusAsync</c> until the state is
/// terminal; then <c>GetResultAsync</c> and <see cref="ISampleTransferGrain.GetSamplesAsync"/>.
/// </para>
/// </summary>
[Alias("Transport.ISamplingCoordinatorGrain")]
public interface ISamplingCoordinatorGrain : IJobCoordinatorGrain<SamplingJobSpec, SamplingJobProgress, SamplingJobResult>, ISampleTransferGrain
{
}
