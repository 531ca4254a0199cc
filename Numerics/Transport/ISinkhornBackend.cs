using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>
/// The operations the Sinkhorn schedule (<see cref="SinkhornDriver"/>) needs, whether the blocks live in
/// this process (<see cref="LocalSinkhornBackend"/>) or on shard grains across a cluster. Every call names
/// the problem it acts on (<see cref="SinkhornTerm"/>): the cross problem between the two clouds, or the
/// self problem of one cloud, which is the cross problem of that cloud with itself (its "source" potential
/// f_aa and "target" potential g_aa both live on that cloud's blocks). Every scalar that comes back is a
/// float64 sum over blocks taken in a fixed block order.
/// </summary>
public interface ISinkhornBackend
{
    /// <summary>
    /// Point-pair cost evaluations made so far by every block, summed: each soft c-transform of n
    /// queries against m keys counts n x m.
    /// </summary>
    long KernelEvaluations { get; }

    /// <summary>The bounding box of both clouds together (for the annealing start).</summary>
    ValueTask<BoundingBox> BoundingBoxAsync(CancellationToken cancellationToken);

    /// <summary>
    /// f &lt;- f + w (T(g) - f) on every source row of <paramref name="term"/> (f = T(g) exactly when w = 1), or
    /// f &lt;- (g + T(g)) / 2 for the symmetric update of a self problem (<see cref="SinkhornUpdate"/>);
    /// returns &lt;f, a&gt; after the update.
    /// </summary>
    ValueTask<double> UpdateSourceAsync(SinkhornTerm term, double epsilon, SinkhornUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// g* = T(f) on every target row of <paramref name="term"/> (kept as a candidate); reports the column
    /// marginal of the current (f, g).
    /// </summary>
    ValueTask<MarginalReport> CheckTargetAsync(SinkhornTerm term, double epsilon, CancellationToken cancellationToken);

    /// <summary>g &lt;- g + w (g* - g), or g &lt;- (f + g*) / 2 when symmetric, with the candidate of the last check of <paramref name="term"/>.</summary>
    ValueTask CommitTargetAsync(SinkhornTerm term, SinkhornUpdate update, CancellationToken cancellationToken);
}
