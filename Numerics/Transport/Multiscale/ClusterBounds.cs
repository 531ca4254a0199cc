namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// What the truncation bounds of one side need about the clusters of one level, measured on the entities that carry
/// the potential (the points, for the search on the points): the radius of every cluster around its centroid, the
/// largest potential of its members, and the linear envelope of the potential (<see cref="ClusterSlopes"/>). Each is a
/// reduction over a cluster's members (maxima, and sums for the envelope's fit), so holders of disjoint member ranges
/// can compute partials that combine.
/// </summary>
/// <param name="Radii">Largest member distance to the centroid, per cluster.</param>
/// <param name="Maxima">Largest member potential, per cluster.</param>
/// <param name="Slopes">Linear envelope of the potential, per cluster.</param>
public sealed record ClusterBounds(double[] Radii, double[] Maxima, ClusterSlopes Slopes)
{
    /// <summary>
    /// The bounds of the clusters of <paramref name="level"/> measured on the entities of <paramref name="into"/>
    /// (&lt; level), which carry <paramref name="potential"/>; <paramref name="radii"/> when already measured.
    /// </summary>
    public static ClusterBounds Measure(ClusterHierarchy hierarchy, int level, int into, ReadOnlySpan<double> potential, double[]? radii = null)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        return new ClusterBounds(
            radii ?? hierarchy.Radii(level, into),
            hierarchy.Maxima(level, into, potential),
            ClusterSlopes.Fit(hierarchy, level, into, potential));
    }

    /// <summary>
    /// The bounds of every level from <paramref name="into"/> + 1 up (index m: level m; lower indices null), measured on
    /// the entities of <paramref name="into"/> carrying <paramref name="potential"/>.
    /// </summary>
    /// <param name="hierarchy">The side's hierarchy.</param>
    /// <param name="into">The level carrying the potential.</param>
    /// <param name="potential">One value per entity of <paramref name="into"/>.</param>
    /// <param name="radii">Per level, the radii already measured on <paramref name="into"/> (null entries: measure).</param>
    public static ClusterBounds?[] MeasureLevels(ClusterHierarchy hierarchy, int into, ReadOnlySpan<double> potential, IReadOnlyList<double[]?>? radii = null)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        var bounds = new ClusterBounds?[hierarchy.LevelCount];
        for (var m = into + 1; m < hierarchy.LevelCount; m++)
        {
            bounds[m] = Measure(hierarchy, m, into, potential, radii?[m]);
        }

        return bounds;
    }
}
