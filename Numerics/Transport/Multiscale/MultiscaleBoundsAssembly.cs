namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Puts the bounds of one side's clusters together from what its parts measured (<see cref="MultiscalePointPart"/>),
/// in part order: radii and maxima by maximum (exact); the envelope of a cluster whole in one part as that part fitted
/// it; the envelope of a cluster shared by parts fitted here from their summed moments, its residual maximum then
/// measured by each of them with that slope (<see cref="SharedSlopes"/>, <see cref="Complete"/>). Holds O(clusters).
/// </summary>
public sealed class MultiscaleBoundsAssembly
{
    private readonly ClusterHierarchy hierarchy;
    private readonly IReadOnlyList<MultiscalePartLevel?[]> partLevels;
    private readonly double[][] maxima;
    private readonly double[][] slopes;
    private readonly double[][] residuals;

    /// <summary>Starts from the first round: every part's <see cref="MultiscalePointPart.Bounds"/> of one potential.</summary>
    /// <param name="hierarchy">The side's cluster levels.</param>
    /// <param name="partLevels">Each part's levels, in part order.</param>
    /// <param name="parts">Each part's bounds, in part order.</param>
    public MultiscaleBoundsAssembly(ClusterHierarchy hierarchy, IReadOnlyList<MultiscalePartLevel?[]> partLevels, IReadOnlyList<MultiscalePartBounds[]> parts)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        ArgumentNullException.ThrowIfNull(partLevels);
        ArgumentNullException.ThrowIfNull(parts);
        this.hierarchy = hierarchy;
        this.partLevels = partLevels;
        var levels = hierarchy.LevelCount;
        var d = hierarchy[1].Dimension;
        maxima = new double[levels][];
        slopes = new double[levels][];
        residuals = new double[levels][];
        for (var m = 1; m < levels; m++)
        {
            var count = hierarchy[m].Count;
            maxima[m] = Filled(count, double.NegativeInfinity);
            slopes[m] = new double[count * d];
            residuals[m] = Filled(count, double.NegativeInfinity);
            var moments = new Dictionary<int, ClusterMoments>();
            for (var k = 0; k < parts.Count; k++)
            {
                var level = partLevels[k][m]!;
                var part = parts[k][m];
                var shared = 0;
                for (var t = 0; t < level.Count; t++)
                {
                    var c = level.FirstCluster + t;
                    maxima[m][c] = Math.Max(maxima[m][c], part.Maxima[t]);
                    if (level.IsShared(t))
                    {
                        var sums = part.SharedMoments[shared++];
                        moments[c] = moments.TryGetValue(c, out var before) ? before.Add(sums) : sums;
                    }
                    else
                    {
                        part.Slopes.AsSpan(t * d, d).CopyTo(slopes[m].AsSpan(c * d, d));
                        residuals[m][c] = part.Residuals[t];
                    }
                }
            }

            foreach (var (c, sums) in moments)
            {
                ClusterSlopes.FitFromMoments(sums, slopes[m].AsSpan(c * d, d));
            }
        }
    }

    /// <summary>Whether some cluster is shared by parts (then the second round, <see cref="SharedSlopes"/>, is needed).</summary>
    public bool HasSharedClusters => partLevels.Any(levels => levels.Skip(1).Any(level => level!.SharedClusters().Length > 0));

    /// <summary>Per level, the fitted slopes of part <paramref name="part"/>'s shared clusters (row-major), for its <see cref="MultiscalePointPart.SharedResiduals"/>.</summary>
    public double[]?[] SharedSlopes(int part)
    {
        var d = hierarchy[1].Dimension;
        var result = new double[]?[hierarchy.LevelCount];
        for (var m = 1; m < hierarchy.LevelCount; m++)
        {
            var level = partLevels[part][m]!;
            result[m] = [.. level.SharedClusters().SelectMany(t => slopes[m].AsSpan((level.FirstCluster + t) * d, d).ToArray())];
        }

        return result;
    }

    /// <summary>
    /// The bounds of every level (index m: level m; 0 null) with the parts' residual maxima of their shared clusters
    /// (in part order; empty when <see cref="HasSharedClusters"/> is false) and the radii measured on the points.
    /// </summary>
    public ClusterBounds?[] Complete(IReadOnlyList<double[]?[]> sharedResiduals, IReadOnlyList<double[]?> radii)
    {
        ArgumentNullException.ThrowIfNull(sharedResiduals);
        ArgumentNullException.ThrowIfNull(radii);
        for (var k = 0; k < sharedResiduals.Count; k++)
        {
            for (var m = 1; m < hierarchy.LevelCount; m++)
            {
                var level = partLevels[k][m]!;
                var shared = level.SharedClusters();
                for (var s = 0; s < shared.Length; s++)
                {
                    var c = level.FirstCluster + shared[s];
                    residuals[m][c] = Math.Max(residuals[m][c], sharedResiduals[k][m]![s]);
                }
            }
        }

        var bounds = new ClusterBounds?[hierarchy.LevelCount];
        for (var m = 1; m < hierarchy.LevelCount; m++)
        {
            bounds[m] = new ClusterBounds(radii[m]!, maxima[m], ClusterSlopes.Of(slopes[m], residuals[m]));
        }

        return bounds;
    }

    /// <summary>Radii of every level from the parts' radii (in part order): the largest part radius of each cluster.</summary>
    public static double[]?[] CombineRadii(ClusterHierarchy hierarchy, IReadOnlyList<MultiscalePartLevel?[]> partLevels, IReadOnlyList<double[]?[]> partRadii)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        ArgumentNullException.ThrowIfNull(partLevels);
        ArgumentNullException.ThrowIfNull(partRadii);
        var result = new double[]?[hierarchy.LevelCount];
        for (var m = 1; m < hierarchy.LevelCount; m++)
        {
            var radii = new double[hierarchy[m].Count];
            for (var k = 0; k < partRadii.Count; k++)
            {
                var level = partLevels[k][m]!;
                for (var t = 0; t < level.Count; t++)
                {
                    var c = level.FirstCluster + t;
                    radii[c] = Math.Max(radii[c], partRadii[k][m]![t]);
                }
            }

            result[m] = radii;
        }

        return result;
    }

    private static double[] Filled(int count, double value)
    {
        var array = new double[count];
        Array.Fill(array, value);
        return array;
    }
}
