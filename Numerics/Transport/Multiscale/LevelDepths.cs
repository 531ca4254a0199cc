namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Chooses the octree depths of the cluster levels, shared by both clouds so that level m means the
/// same cell size on both sides.
/// </summary>
public static class LevelDepths
{
    /// <summary>
    /// Depths of levels 1.. (strictly decreasing). The finest is the depth whose cell count (the larger
    /// of the two clouds') is closest, in log scale, to n / <see cref="MultiscaleOptions.LeafClusterSize"/>;
    /// each further level is one depth coarser. With <see cref="MultiscaleOptions.Levels"/> given, exactly
    /// that many levels are built (the finest depth is raised when needed); otherwise coarsening stops once
    /// at most <see cref="MultiscaleOptions.CoarsestClusters"/> cells remain.
    /// </summary>
    public static int[] Choose(MortonOrder morton, ulong[] sourceCodes, ulong[] targetCodes, MultiscaleOptions options) =>
        Choose(morton, sourceCodes, targetCodes, options, blur: 0);

    /// <summary>
    /// As <see cref="Choose(MortonOrder, ulong[], ulong[], MultiscaleOptions)"/>, and the automatic finest
    /// level is coarsened while its cells' radius (half diagonal) is below half the <paramref name="blur"/>
    /// sqrt(eps / s): finer blocks would not shrink the kept set (it is already about the blur wide) but
    /// would multiply the blocks and the bookkeeping per kept point pair.
    /// </summary>
    public static int[] Choose(MortonOrder morton, ulong[] sourceCodes, ulong[] targetCodes, MultiscaleOptions options, double blur)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(sourceCodes);
        ArgumentNullException.ThrowIfNull(targetCodes);
        ArgumentNullException.ThrowIfNull(options);
        return Choose(morton, CellCounts(morton, sourceCodes), CellCounts(morton, targetCodes), sourceCodes.Length, targetCodes.Length, options, blur);
    }

    /// <summary>
    /// Cells of every depth 0 .. <see cref="MortonOrder.BitsPerDimension"/> among one cloud's sorted codes (all zero for
    /// no codes). A cloud sorted in blocks gets the same counts from its blocks' <see cref="MortonCellSummary"/>.
    /// </summary>
    public static int[] CellCounts(MortonOrder morton, ulong[] sortedCodes)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(sortedCodes);
        var counts = new int[morton.BitsPerDimension + 1];
        for (var t = 0; t < counts.Length; t++)
        {
            counts[t] = morton.CountCells(sortedCodes, t);
        }

        return counts;
    }

    /// <summary>
    /// As <see cref="Choose(MortonOrder, ulong[], ulong[], MultiscaleOptions, double)"/> from the clouds' cell counts
    /// (<see cref="CellCounts"/>, or <see cref="MortonCellSummary.Combine"/> of a cloud sorted in blocks) and point
    /// counts: the codes themselves are not needed, so that several leaf sizes can be tried without counting again and
    /// a distributed sort can choose from its blocks' summaries.
    /// </summary>
    /// <param name="morton">The quantisation shared by both clouds (its depths and cell scale).</param>
    /// <param name="sourceCells">Source cells per depth 0 .. <see cref="MortonOrder.BitsPerDimension"/>.</param>
    /// <param name="targetCells">Target cells per depth.</param>
    /// <param name="sourceCount">Source points.</param>
    /// <param name="targetCount">Target points.</param>
    /// <param name="options">Multiscale options (levels, leaf size, coarsest clusters).</param>
    /// <param name="blur">sqrt(eps / s) at the target eps; 0 leaves the finest level uncoarsened.</param>
    public static int[] Choose(MortonOrder morton, int[] sourceCells, int[] targetCells, int sourceCount, int targetCount, MultiscaleOptions options, double blur)
    {
        ArgumentNullException.ThrowIfNull(morton);
        CheckCells(morton, sourceCells, nameof(sourceCells));
        CheckCells(morton, targetCells, nameof(targetCells));
        ArgumentNullException.ThrowIfNull(options);
        var n = Math.Max(sourceCount, targetCount);
        // Small problems are cheapest dense: the coarse level would hold nearly as many clusters as points.
        if (options.Levels == 1 || (options.Levels is null && n <= options.CoarsestClusters))
        {
            return [];
        }

        var maxDepth = morton.BitsPerDimension;
        var counts = new int[maxDepth + 1];
        for (var t = 0; t <= maxDepth; t++)
        {
            counts[t] = Math.Max(sourceCells[t], targetCells[t]);
        }

        var leafTarget = Math.Max(1.0, (double)n / (options.LeafClusterSize ?? MultiscaleOptions.DefaultLeafClusterSize));
        var finest = 0;
        for (var t = 1; t <= maxDepth; t++)
        {
            if (Math.Abs(Math.Log(counts[t] / leafTarget)) < Math.Abs(Math.Log(counts[finest] / leafTarget)))
            {
                finest = t;
            }
        }

        while (finest > 1 && morton.CellScale / Math.Pow(2, finest + 1) < 0.5 * blur)
        {
            finest--;
        }

        if (options.Levels is { } levels)
        {
            var clusterLevels = levels - 1;
            if (clusterLevels - 1 > maxDepth)
            {
                throw new InvalidInputException("levels", $"{levels} levels need {clusterLevels - 1} octree depths but the dimension allows {maxDepth}");
            }

            finest = Math.Max(finest, clusterLevels - 1);
            return [.. Enumerable.Range(0, clusterLevels).Select(m => finest - m)];
        }

        var depths = new List<int> { finest };
        while (depths[^1] > 0 && counts[depths[^1]] > options.CoarsestClusters)
        {
            depths.Add(depths[^1] - 1);
        }

        return [.. depths];
    }

    /// <summary>
    /// Why the automatic hierarchy cannot help and the solve should run the dense schedule on the points, or null
    /// when it can (or when <see cref="MultiscaleOptions.Levels"/> was given: the caller asked for levels). It cannot
    /// help when there is nothing to cluster (at most <see cref="MultiscaleOptions.CoarsestClusters"/> points per
    /// side), when the finest clusters hold about one point each (no block is larger than a point), or when a side
    /// falls into fewer than <see cref="MinimumFinestClusters"/> cells (duplicated or collapsed points: every block
    /// pair would be kept).
    /// </summary>
    public static string? DenseReason(MortonOrder morton, ulong[] sourceCodes, ulong[] targetCodes, MultiscaleOptions options, int[] depths)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(sourceCodes);
        ArgumentNullException.ThrowIfNull(targetCodes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(depths);
        return DenseReason(CellCounts(morton, sourceCodes), CellCounts(morton, targetCodes), sourceCodes.Length, targetCodes.Length, options, depths);
    }

    /// <summary>
    /// As <see cref="DenseReason(MortonOrder, ulong[], ulong[], MultiscaleOptions, int[])"/> from the clouds' cell counts
    /// per depth (<see cref="CellCounts"/> or <see cref="MortonCellSummary.Combine"/>) and point counts.
    /// </summary>
    /// <param name="sourceCells">Source cells per depth 0 .. <see cref="MortonOrder.BitsPerDimension"/>.</param>
    /// <param name="targetCells">Target cells per depth.</param>
    /// <param name="sourceCount">Source points.</param>
    /// <param name="targetCount">Target points.</param>
    /// <param name="options">Multiscale options (with the leaf size the depths were chosen for).</param>
    /// <param name="depths">The chosen depths of levels 1.. (empty: one level).</param>
    public static string? DenseReason(int[] sourceCells, int[] targetCells, int sourceCount, int targetCount, MultiscaleOptions options, int[] depths)
    {
        ArgumentNullException.ThrowIfNull(sourceCells);
        ArgumentNullException.ThrowIfNull(targetCells);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(depths);
        if (options.Levels is not null)
        {
            return options.Levels == 1 ? "one level was asked for" : null;
        }

        var n = Math.Max(sourceCount, targetCount);
        if (depths.Length == 0)
        {
            return $"{n} points per side is at most {options.CoarsestClusters} (the coarsest clusters would be the points)";
        }

        var sourceLeaves = sourceCells[depths[0]];
        var targetLeaves = targetCells[depths[0]];
        if (Math.Min(sourceLeaves, targetLeaves) < MinimumFinestClusters)
        {
            return $"the finest clusters are only {sourceLeaves} source and {targetLeaves} target cells (duplicated or collapsed points)";
        }

        if (2L * sourceLeaves > sourceCount && 2L * targetLeaves > targetCount)
        {
            return $"the finest clusters hold about one point each ({sourceLeaves} source cells for {sourceCount} points, {targetLeaves} target cells for {targetCount})";
        }

        return null;
    }

    private static void CheckCells(MortonOrder morton, int[] cells, string name)
    {
        ArgumentNullException.ThrowIfNull(cells, name);
        if (cells.Length != morton.BitsPerDimension + 1)
        {
            throw new ArgumentException($"{cells.Length} cell counts for depths 0 .. {morton.BitsPerDimension}", name);
        }
    }

    /// <summary>Fewest finest clusters per side for the hierarchy to be of use.</summary>
    public const int MinimumFinestClusters = 4;
}
