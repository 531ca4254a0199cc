namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The points (level 0) of a multiscale solve and their potentials, wherever they live: in process, or spread over
/// shards that never send them anywhere. <see cref="SinkhornRun"/> keeps only the cluster levels (1 and up) and asks
/// the points for what it needs from them: the clusters' radii measured on the points (once), the extrapolation of the
/// leaf potentials onto the points (the jump to the points), the per-cluster bounds of the point potentials (the
/// pattern search and the safeguard), the iterations on a leaf-pair pattern (<see cref="ISinkhornBackend"/>, installed
/// with no hierarchy and no potentials: both are already here), and the outputs in input order.
/// </summary>
public interface IMultiscalePoints : ISinkhornBackend
{
    /// <summary>
    /// The radius of every cluster of every level 1.. around its centroid, measured on its member points (index m:
    /// level m; index 0 null). They do not depend on the potentials: asked for once.
    /// </summary>
    ValueTask<PointLevels<double[]>> RadiiAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts potentials on the points from the leaf potentials (level 1): f = T_b(g) on every source point against the
    /// target leaves and g = T_a(f) on every target point against the source leaves, each restricted to
    /// <paramref name="coarsePattern"/> (pairs of level-2 clusters; null: every leaf). Returns the kernel evaluations.
    /// </summary>
    ValueTask<long> ExtrapolateAsync(BlockPattern? coarsePattern, double[] leafF, double[] leafG, double epsilon, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the warm-start potentials this point side was made with on the points (in process: the arrays of a
    /// <see cref="MultiscaleWarmStart"/>, input order; on shards: an earlier solve's outputs the input rows' shards hold).
    /// Called once, before the first bounds, by a warm solve only.
    /// </summary>
    ValueTask StartAsync(CancellationToken cancellationToken);

    /// <summary>The bounds of every cluster level 1.. measured on the points with their current potentials (index m: level m).</summary>
    ValueTask<PointLevels<ClusterBounds>> BoundsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The potentials and <paramref name="sortedMap"/> (the finish's map, sorted order; empty when not evaluated) in input
    /// order, shifted so that &lt;f, a&gt; = &lt;g, b&gt;; null when they stay with the points' holders, which serve them.
    /// </summary>
    ValueTask<MultiscalePointOutputs?> OutputsAsync(double[] sortedMap, CancellationToken cancellationToken);
}

/// <summary>One value per cluster level of each side (index m: level m; index 0, the points, is null).</summary>
/// <typeparam name="T">What each level holds.</typeparam>
/// <param name="Source">Source side, per level.</param>
/// <param name="Target">Target side, per level.</param>
public sealed record PointLevels<T>(T?[] Source, T?[] Target)
    where T : class;

/// <summary>The arrays of a finished multiscale solve, input order.</summary>
/// <param name="F">Source potential.</param>
/// <param name="G">Target potential.</param>
/// <param name="Map">Barycentric map (row-major n x d), empty when not evaluated.</param>
public sealed record MultiscalePointOutputs(double[] F, double[] G, double[] Map);
