using Orleans.Concurrency;
using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Owns one contiguous block of one cloud (key: "problem/side/index") with its potentials, and runs
/// <see cref="SinkhornBlock"/> on it. Before each update it pulls the potentials it needs straight from
/// its peers (an all-gather of O(n + m) floats), so the coordinator only moves O(shards) small messages.
/// Getters are interleaved so that peers can read while this shard computes.
/// </summary>
[Alias("Transport.ISinkhornShardGrain")]
public interface ISinkhornShardGrain : IGrainWithStringKey
{
    /// <summary>Resets the shard for a problem layout.</summary>
    [Alias("Initialize")]
    Task InitializeAsync(SinkhornShardSetup setup, CloudSide side, int index);

    /// <summary>Stores rows of this block (offset relative to the block start).</summary>
    [Alias("Load")]
    Task LoadAsync(int offset, FloatBlock positions, FloatBlock weights);

    /// <summary>Pulls the clouds it needs from its peers and builds its <see cref="SinkhornBlock"/>.</summary>
    [Alias("Prepare")]
    Task PrepareAsync();

    /// <summary>Bounding box of the block: a 2 x d block (min row, max row).</summary>
    [Alias("GetBoundingBox")]
    Task<FloatBlock> GetBoundingBoxAsync();

    /// <summary>Rows of the block's positions (count x d), for peers building their key clouds.</summary>
    [Alias("GetPositions")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPositionsAsync(int offset, int count);

    /// <summary>Rows of the block's weights (count x 1).</summary>
    [Alias("GetWeights")]
    [AlwaysInterleave]
    Task<FloatBlock> GetWeightsAsync(int offset, int count);

    /// <summary>Rows of the block's cross potential (offset relative to the block).</summary>
    [Alias("GetPotential")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPotentialAsync(int offset, int count);

    /// <summary>Rows of the block's self potential.</summary>
    [Alias("GetSelfPotential")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSelfPotentialAsync(int offset, int count);

    /// <summary>p = T(opposite potential) (source side); returns &lt;p, w&gt; of the block and the evaluations made.</summary>
    [Alias("UpdateCross")]
    Task<ScalarPartial> UpdateCrossAsync(double epsilon);

    /// <summary>Candidate p* = T(opposite potential) and the marginal report of the current state (target side).</summary>
    [Alias("CheckCross")]
    Task<MarginalPartial> CheckCrossAsync(double epsilon);

    /// <summary>Adopts the candidate of the last check.</summary>
    [Alias("CommitCross")]
    Task CommitCrossAsync();

    /// <summary>Self-problem candidate and report of the current state.</summary>
    [Alias("ComputeSelfCandidate")]
    Task<MarginalPartial> ComputeSelfCandidateAsync(double epsilon);

    /// <summary>Adopts the self candidate (replace or average); returns &lt;p, w&gt; after the update.</summary>
    [Alias("CommitSelf")]
    Task<double> CommitSelfAsync(SelfUpdate mode);

    /// <summary>Computes and keeps the barycentric map of the block; returns its share of &lt;P, C&gt; and the evaluations made.</summary>
    [Alias("Evaluate")]
    Task<ScalarPartial> EvaluateAsync(double epsilon);

    /// <summary>Rows of the kept barycentric map (count x d), offset relative to the block.</summary>
    [Alias("GetMap")]
    Task<FloatBlock> GetMapAsync(int offset, int count);
}
