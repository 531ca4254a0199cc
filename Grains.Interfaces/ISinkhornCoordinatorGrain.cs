using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One per problem (key: problem id). Splits the clouds over shards, runs the Sinkhorn schedule by
/// fanning out to them, combines scalar partials in fixed shard order in float64, reports progress,
/// honours cancellation and serves the results.
/// <para>
/// Protocol: <c>CreateAsync</c>, then <see cref="UploadAsync"/> for every chunk of both clouds,
/// then <c>StartAsync</c>; poll <c>GetStatusAsync</c> until the state is terminal; then
/// <c>GetResultAsync</c> and the array getters (chunked).
/// </para>
/// </summary>
[Alias("Transport.ISinkhornCoordinatorGrain")]
public interface ISinkhornCoordinatorGrain : IJobCoordinatorGrain<SinkhornJobSpec, SinkhornJobProgress, SinkhornJobResult>
{
    /// <summary>
    /// Uploads rows [offset, offset + rows) of one cloud: positions (rows x d) and weights (rows x 1, normalised
    /// to the cloud's unit mass). Throws <see cref="JobInputException"/> for non-finite or negative values.
    /// </summary>
    [Alias("Upload")]
    Task UploadAsync(CloudSide side, int offset, FloatBlock positions, FloatBlock weights);

    /// <summary>Rows [offset, offset + count) of f (source) or g (target), in the output convention.</summary>
    [Alias("GetPotential")]
    Task<FloatBlock> GetPotentialAsync(CloudSide side, int offset, int count);

    /// <summary>Rows [offset, offset + count) of the barycentric map of the source points (count x d).</summary>
    [Alias("GetMap")]
    Task<FloatBlock> GetMapAsync(int offset, int count);
}
