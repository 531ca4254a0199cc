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

    /// <summary>
    /// Rows of the block's potentials of its cloud's self problem: <paramref name="role"/> Source is f_aa (the
    /// self problem's source potential), Target is g_aa.
    /// </summary>
    [Alias("GetSelfPotentialOf")]
    [AlwaysInterleave]
    Task<FloatBlock> GetSelfPotentialAsync(CloudSide role, int offset, int count);

    /// <summary>
    /// Source half-step of <paramref name="term"/> on the block's rows (the cross problem on a source shard, the
    /// self problem of the shard's own cloud): pulls the problem's target potential from the shards holding it,
    /// then f &lt;- Blend(f, T(g)) (<see cref="SinkhornUpdate"/> of <paramref name="weight"/> and
    /// <paramref name="symmetric"/>); returns &lt;f, w&gt; of the block and the evaluations made.
    /// </summary>
    [Alias("UpdateTerm")]
    Task<ScalarPartial> UpdateAsync(SinkhornTerm term, double epsilon, double weight, bool symmetric);

    /// <summary>
    /// Target half-step of <paramref name="term"/>, first part (the cross problem on a target shard, the self problem
    /// of the shard's own cloud): pulls the problem's source potential, keeps the candidate g* = T(f) and reports the
    /// column marginal of the block's current g.
    /// </summary>
    [Alias("CheckTerm")]
    Task<MarginalPartial> CheckAsync(SinkhornTerm term, double epsilon);

    /// <summary>Target half-step of <paramref name="term"/>, second part: g &lt;- Blend(g, g*) with the candidate of the last check.</summary>
    [Alias("CommitTerm")]
    Task CommitAsync(SinkhornTerm term, double weight, bool symmetric);

    /// <summary>Computes and keeps the barycentric map of the block; returns its share of &lt;P, C&gt; and the evaluations made.</summary>
    [Alias("Evaluate")]
    Task<ScalarPartial> EvaluateAsync(double epsilon);

    /// <summary>Rows of the kept barycentric map (count x d), offset relative to the block.</summary>
    [Alias("GetMap")]
    Task<FloatBlock> GetMapAsync(int offset, int count);
}
