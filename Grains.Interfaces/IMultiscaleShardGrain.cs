using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// One shard of one side of a distributed multiscale solve on the points (key:
/// "{problem}/{solve}/{side}/{index}", solve = cross, self-source or self-target). It holds a contiguous range of
/// the Morton-sorted points (whole leaf clusters), its pattern rows over a compact set of partner keys, and its
/// potential. Each half step it pulls only the potential ranges of its partner shards it needs, straight from
/// them. A source shard holds f; a target shard holds g and the candidate of the last check separately, so a
/// read during a half step always sees the committed values.
/// </summary>
[Alias("Transport.IMultiscaleShardGrain")]
public interface IMultiscaleShardGrain : IGrainWithStringKey
{
    /// <summary>Takes the shard's points, pattern rows, partner keys and starting potential (replaces any earlier pattern).</summary>
    [Alias("Install")]
    Task InstallAsync(MultiscaleShardInstall install);

    /// <summary>
    /// The committed potential over the given ranges of the shard's points, concatenated. Interleaved: partners read
    /// while this shard is busy or idle; values change only in an update or a commit, never during a partner's half step.
    /// </summary>
    [Alias("GetPotentialRanges")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPotentialRangesAsync(int[] starts, int[] counts);

    /// <summary>
    /// Source side: T(g) over the shard's rows, blended into f at once (f &lt;- f + w (T(g) - f), or with
    /// <paramref name="symmetric"/> (self problems) f &lt;- g + w (T(g) - g), g of the same rows pulled from the mirror
    /// shard); returns &lt;a, f&gt; of the new f as <see cref="MultiscaleShardPartial.Value"/>.
    /// </summary>
    [Alias("Update")]
    Task<MultiscaleShardPartial> UpdateAsync(double epsilon, double relaxation, bool symmetric);

    /// <summary>Target side: candidate = T(f) over the shard's rows and the marginal report of g against it.</summary>
    [Alias("Check")]
    Task<MultiscaleShardPartial> CheckAsync(double epsilon);

    /// <summary>
    /// Target side: g &lt;- g + w (candidate - g), or with <paramref name="symmetric"/> g &lt;- f + w (candidate - f), f of
    /// the same rows pulled from the mirror shard. Returns the bytes pulled.
    /// </summary>
    [Alias("Commit")]
    Task<long> CommitAsync(double relaxation, bool symmetric);

    /// <summary>
    /// Source side: the mean squared distance and the barycentric map of the rows at the current g; returns the
    /// cost share sum_i a_i s meanSquared_i and keeps the map for <see cref="GetMapAsync"/>.
    /// </summary>
    [Alias("Finish")]
    Task<MultiscaleShardPartial> FinishAsync(double epsilon);

    /// <summary>Rows of the kept map (count x d), offset relative to the shard.</summary>
    [Alias("GetMap")]
    Task<FloatBlock> GetMapAsync(int offset, int count);

    /// <summary>Drops the shard's state and lets it deactivate (the coordinator keeps the results).</summary>
    [Alias("Release")]
    Task ReleaseAsync();
}
