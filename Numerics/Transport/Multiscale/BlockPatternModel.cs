namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// How many block pairs the truncation search (<see cref="TruncationSearch"/>) keeps and drops on each level, predicted
/// from the clusters' counts and cell radii before anything is searched (for <see cref="MultiscaleMemoryEstimate"/>; the
/// solve itself never uses it).
/// <para>
/// The pairs of level k (potentials on level k - 1) are searched once eps falls below s r_k^2 (the jump rule, r_k the
/// clusters' radius), or at the target eps when that is larger, so the kept band is sqrt(tau eps / s) &lt;=
/// sqrt(tau) max(r_k, blur) wide. A pair is kept while its bound (f + g - s gap^2) / eps, with gap = |c_I - c_J| - r_I
/// - r_J, exceeds -tau (the potentials' variation inside a cluster is mostly taken out by the linear envelope,
/// <see cref="ClusterSlopes"/>), so a source cluster keeps the target clusters whose centres lie within
/// rho_k = sqrt(tau) max(r_k, blur) + 2 r_k of its transport image. With r_k the half diagonal sqrt(d) h_k / 2 of a
/// cell of side h_k, that is P_k = min(T_k, omega_d (rho_k / h_k)^d) partners (omega_d the unit ball's volume), about
/// 207 in d = 3 at tau = 5 whatever the cell size: the band and the radii both scale with the cells, so the kept pairs
/// grow with the number of clusters, not with the points per cluster.
/// </para>
/// <para>
/// The prediction errs on the large side: on uniform clouds in the cube (d = 3, blur 0.01 x diameter) the solve keeps
/// 145 to 150 partners per leaf and 50 to 105 per coarser cluster (the radii measured on the members are below the half
/// diagonal, and a level is left only after eps fell below s r^2). A level's search tests the children of the pairs
/// kept one level up (the coarsest level tests all of its pairs) and drops the rest; dropped pairs stay listed to the
/// end, since the safeguard re-checks them.
/// </para>
/// </summary>
public static class BlockPatternModel
{
    /// <summary>Kept and dropped block pairs per cluster level, finest first (index 0 is level 1, the leaves).</summary>
    /// <param name="sourceClusters">Source clusters per level, finest first.</param>
    /// <param name="targetClusters">Target clusters per level, finest first.</param>
    /// <param name="cellRadii">Half diagonal of a level's cells, finest first.</param>
    /// <param name="dimension">Dimension d.</param>
    /// <param name="blur">sqrt(eps / s) at the target eps, in the units of the radii.</param>
    /// <param name="truncation">The truncation threshold tau.</param>
    public static (long[] Kept, long[] Dropped) Predict(
        IReadOnlyList<int> sourceClusters,
        IReadOnlyList<int> targetClusters,
        IReadOnlyList<double> cellRadii,
        int dimension,
        double blur,
        double truncation)
    {
        ArgumentNullException.ThrowIfNull(sourceClusters);
        ArgumentNullException.ThrowIfNull(targetClusters);
        ArgumentNullException.ThrowIfNull(cellRadii);
        var levels = sourceClusters.Count;
        var kept = new long[levels];
        var dropped = new long[levels];
        for (var k = levels - 1; k >= 0; k--)
        {
            double rows = sourceClusters[k], columns = targetClusters[k];
            var tested = k == levels - 1
                ? rows * columns
                : kept[k + 1] * (rows / sourceClusters[k + 1]) * (columns / targetClusters[k + 1]);
            var partners = Math.Clamp(PartnersPerCluster(cellRadii[k], dimension, blur, truncation), 1.0, columns);
            var keptHere = Math.Min(tested, rows * partners);
            kept[k] = (long)Math.Ceiling(keptHere);
            dropped[k] = (long)Math.Ceiling(tested - keptHere);
        }

        return (kept, dropped);
    }

    /// <summary>
    /// omega_d (rho / h)^d: the cells of side h = 2 r / sqrt(d) whose centres lie within rho = sqrt(tau) max(r, blur) + 2 r
    /// of a point (unbounded by the clusters there are: the caller caps it).
    /// </summary>
    public static double PartnersPerCluster(double cellRadius, int dimension, double blur, double truncation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (!(cellRadius > 0))
        {
            return double.PositiveInfinity;
        }

        var side = 2 * cellRadius / Math.Sqrt(dimension);
        var reach = (Math.Sqrt(truncation) * Math.Max(cellRadius, blur)) + (2 * cellRadius);
        // In logarithms: (rho / h)^d overflows a double from d of about 300 on.
        var logPartners = LogUnitBallVolume(dimension) + (dimension * Math.Log(reach / side));
        return logPartners > 700 ? double.PositiveInfinity : Math.Exp(logPartners);
    }

    /// <summary>log omega_d, from omega_0 = 1, omega_1 = 2 and omega_d = omega_(d-2) 2 pi / d.</summary>
    private static double LogUnitBallVolume(int dimension)
    {
        var log = dimension % 2 == 0 ? 0.0 : Math.Log(2);
        for (var k = dimension % 2 == 0 ? 2 : 3; k <= dimension; k += 2)
        {
            log += Math.Log(2 * Math.PI / k);
        }

        return log;
    }
}
