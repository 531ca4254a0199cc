using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Holds one contiguous block of a sampling run's data (key: "run/data/index"): the points and their log-weights
/// (normalised over the whole data set, so blocks combine exactly), laid out once for the softmax reduction. Particle
/// shards send it their queries and combine the answers of all data shards in data-shard order.
/// </summary>
[Alias("Transport.ISamplingDataShardGrain")]
public interface ISamplingDataShardGrain : IGrainWithStringKey, ITrafficCountingGrain
{
    /// <summary>Resets the shard for a block of <see cref="SamplingDataShardSetup.Rows"/> points.</summary>
    [Alias("Initialize")]
    Task InitializeAsync(SamplingDataShardSetup setup);

    /// <summary>Stores points (rows x d) and raw weights (rows x 1) of this block (offset relative to the block start).</summary>
    [Alias("Load")]
    Task LoadAsync(int offset, FloatBlock points, FloatBlock weights);

    /// <summary>Normalises the weights by the whole set's <paramref name="totalWeight"/> and lays the block out.</summary>
    [Alias("Prepare")]
    Task PrepareAsync(double totalWeight);

    /// <summary>
    /// The block's softmax partials for the queries (rows x d) at coefficients (a, b), packed rows x (2 + d): per query
    /// the running maximum m, the sum z = sum_j exp(s_j - m) and the weighted value sums u = sum_j exp(s_j - m) v_j.
    /// Read-only after <see cref="PrepareAsync"/>, so particle shards are answered concurrently.
    /// </summary>
    [Alias("Reduce")]
    [AlwaysInterleave]
    Task<FloatBlock> ReduceAsync(double a, double b, FloatBlock queries);

    /// <summary>Drops everything the shard holds and deactivates it (the job is released).</summary>
    [Alias("ReleaseShard")]
    Task ReleaseShardAsync();

    /// <summary>
    /// Writes the prepared data block (setup, points, weights and the total weight) to the cluster's grain storage, so
    /// that it can be rebuilt on another silo if its own dies; returns its row count and weight sum.
    /// </summary>
    [Alias("Seal")]
    Task<ShardSeal> SealAsync();

    /// <summary>Makes sure the prepared block is here (an activation that lost it reads it back); returns its row count and weight sum.</summary>
    [Alias("Recover")]
    Task<ShardSeal> RecoverAsync();
}
