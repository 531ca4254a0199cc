using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// The transfers of a job that samples: the data set and custom source points go up in chunks (in order), the samples
/// come down in chunks. Shared by a sampling job's coordinator and a sampling study's.
/// </summary>
[Alias("Transport.ISampleTransferGrain")]
public interface ISampleTransferGrain : IGrainWithStringKey
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

    /// <summary>Samples [offset, offset + count) (count x d, in the order of the source points) of the completed run.</summary>
    [Alias("GetSamples")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSamplesAsync(int offset, int count);
}
