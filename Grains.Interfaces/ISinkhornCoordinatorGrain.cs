using Orleans.Concurrency;
using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One per problem (key: problem id). Splits the clouds over shards, runs the Sinkhorn schedule by
/// fanning out to them, combines scalar partials in fixed shard order in float64, reports progress,
/// honours cancellation and serves the results.
/// <para>
/// Protocol: <see cref="CreateAsync"/>, then <see cref="UploadAsync"/> for every chunk of both clouds,
/// then <see cref="StartAsync"/>; poll <see cref="GetStatusAsync"/> until the state is terminal; then
/// <see cref="GetResultAsync"/> and the array getters (chunked).
/// </para>
/// </summary>
[Alias("Transport.ISinkhornCoordinatorGrain")]
public interface ISinkhornCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Validates the spec and lays out the shards. Throws <see cref="JobInputException"/> for invalid options.</summary>
    [Alias("Create")]
    Task CreateAsync(SinkhornJobSpec spec);

    /// <summary>
    /// Uploads rows [offset, offset + rows) of one cloud: positions (rows x d) and weights (rows x 1, normalised
    /// to the cloud's unit mass). Throws <see cref="JobInputException"/> for non-finite or negative values.
    /// </summary>
    [Alias("Upload")]
    Task UploadAsync(CloudSide side, int offset, FloatBlock positions, FloatBlock weights);

    /// <summary>Checks that both clouds are complete and starts the run in the background.</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>Current progress; never waits for the run.</summary>
    [Alias("GetStatus")]
    [AlwaysInterleave]
    Task<SinkhornJobStatus> GetStatusAsync();

    /// <summary>Requests cancellation; the run stops at the next iteration boundary.</summary>
    [Alias("Cancel")]
    [AlwaysInterleave]
    Task CancelAsync();

    /// <summary>The scalar results. Throws when the job is not completed.</summary>
    [Alias("GetResult")]
    Task<SinkhornJobResult> GetResultAsync();

    /// <summary>Rows [offset, offset + count) of f (source) or g (target), in the output convention.</summary>
    [Alias("GetPotential")]
    Task<FloatBlock> GetPotentialAsync(CloudSide side, int offset, int count);

    /// <summary>Rows [offset, offset + count) of the barycentric map of the source points (count x d).</summary>
    [Alias("GetMap")]
    Task<FloatBlock> GetMapAsync(int offset, int count);
}
