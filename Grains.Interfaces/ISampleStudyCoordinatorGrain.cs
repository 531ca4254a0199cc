using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One per <c>transport sample</c> study (key: run id, kind <c>sample</c> in the registry). It runs the whole study
/// in the cluster: the reference, the optional OT coupling (a Sinkhorn job), one sampling job per step count and the
/// metrics, so the console may disconnect (<c>--detach</c>) and another process collect the files later.
/// <para>
/// Protocol: <c>CreateAsync</c>; for a data set target <see cref="ISampleTransferGrain.UploadDataAsync"/> for every chunk (in order);
/// with uploaded noise <see cref="ISampleTransferGrain.UploadNoiseAsync"/> for every chunk (in order); <c>StartAsync</c>; poll
/// <c>GetStatusAsync</c>; then <c>GetResultAsync</c> and <see cref="ISampleTransferGrain.GetSamplesAsync"/>. <see cref="GetDataAsync"/>
/// and <see cref="GetNoiseAsync"/> return the uploads, for a client that rebuilds the outputs of a detached study.
/// </para>
/// </summary>
[Alias("Transport.ISampleStudyCoordinatorGrain")]
public interface ISampleStudyCoordinatorGrain : IJobCoordinatorGrain<SampleStudySpec, SampleStudyProgress, SampleStudyResult>, ISampleTransferGrain
{
    /// <summary>Uploaded data points [offset, offset + count) and their normalised weights.</summary>
    [Alias("GetData")]
    [AlwaysInterleave]
    Task<SampleStudyDataChunk> GetDataAsync(int offset, int count);

    /// <summary>Uploaded source points [offset, offset + count).</summary>
    [Alias("GetNoise")]
    [AlwaysInterleave]
    Task<FloatBlock> GetNoiseAsync(int offset, int count);
}

/// <summary>A chunk of a study's data set: points and their weights.</summary>
/// <param name="Points">Rows x d points.</param>
/// <param name="Weights">Rows x 1 weights.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SampleStudyDataChunk")]
public sealed record SampleStudyDataChunk([property: Id(0)] FloatBlock Points, [property: Id(1)] FloatBlock Weights);
