using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The leaf size a multiscale solve uses and the hierarchy it gives: the one given in
/// <see cref="MultiscaleOptions.LeafClusterSize"/>, or else the smallest of 8, 16, 32, ... whose estimated peak
/// (<see cref="MultiscaleMemoryEstimate"/> of the clouds' actual cells, <see cref="BlockPatternModel"/> for the pairs)
/// fits <see cref="MultiscaleOptions.EffectiveMemoryBudget"/>. Doubling stops short of a leaf size that would make the
/// solve dense (a dense solve of a problem that large would not end); when no multiscale leaf size fits, the one with
/// the smallest estimate is used. The kept pairs are counted twice over (<see cref="KeptPairMargin"/>): their model
/// errs by up to 1.6x either way, and a leaf size too small for the memory costs more than one too large (at 10^6
/// points per side, leaves of 8 took 466 s and 17.6 GB where leaves of 16 took 417 s and 3.2 GB).
/// </summary>
/// <param name="LeafClusterSize">The leaf size the solve uses.</param>
/// <param name="Depths">Octree depths of levels 1.. for it (<see cref="LevelDepths"/>; empty: one level).</param>
/// <param name="EstimatedPeakBytes">The estimate for those levels.</param>
/// <param name="FitsBudget">Whether the estimate is within the budget.</param>
public sealed record LeafSizeChoice(int LeafClusterSize, int[] Depths, long EstimatedPeakBytes, bool FitsBudget)
{
    /// <summary>Chooses for the clouds of <paramref name="sourceCodes"/> and <paramref name="targetCodes"/> (sorted Morton codes).</summary>
    /// <param name="morton">The quantisation shared by both clouds.</param>
    /// <param name="sourceCodes">Sorted source codes.</param>
    /// <param name="targetCodes">Sorted target codes.</param>
    /// <param name="options">Multiscale options (leaf size, budget, truncation, levels).</param>
    /// <param name="blur">sqrt(eps / s) at the target eps.</param>
    /// <param name="precision">Kernel arithmetic.</param>
    public static LeafSizeChoice Choose(MortonOrder morton, ulong[] sourceCodes, ulong[] targetCodes, MultiscaleOptions options, double blur, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(sourceCodes);
        ArgumentNullException.ThrowIfNull(targetCodes);
        ArgumentNullException.ThrowIfNull(options);
        return Choose(morton, LevelDepths.CellCounts(morton, sourceCodes), LevelDepths.CellCounts(morton, targetCodes), sourceCodes.Length, targetCodes.Length, options, blur, precision);
    }

    /// <summary>
    /// As <see cref="Choose(MortonOrder, ulong[], ulong[], MultiscaleOptions, double, Precision)"/> from the clouds' cell
    /// counts per depth (<see cref="LevelDepths.CellCounts"/>, or <see cref="MortonCellSummary.Combine"/> of clouds
    /// sorted in blocks) and point counts: what a coordinator that never holds the codes chooses from.
    /// </summary>
    /// <param name="morton">The quantisation shared by both clouds.</param>
    /// <param name="sourceCells">Source cells per depth 0 .. <see cref="MortonOrder.BitsPerDimension"/>.</param>
    /// <param name="targetCells">Target cells per depth.</param>
    /// <param name="sourceCount">Source points.</param>
    /// <param name="targetCount">Target points.</param>
    /// <param name="options">Multiscale options (leaf size, budget, truncation, levels).</param>
    /// <param name="blur">sqrt(eps / s) at the target eps.</param>
    /// <param name="precision">Kernel arithmetic.</param>
    public static LeafSizeChoice Choose(MortonOrder morton, int[] sourceCells, int[] targetCells, int sourceCount, int targetCount, MultiscaleOptions options, double blur, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(sourceCells);
        ArgumentNullException.ThrowIfNull(targetCells);
        ArgumentNullException.ThrowIfNull(options);
        var budget = options.EffectiveMemoryBudget;
        var largest = Math.Max(sourceCount, targetCount);
        LeafSizeChoice? best = null;
        var leaf = options.LeafClusterSize ?? MultiscaleOptions.DefaultLeafClusterSize;
        while (true)
        {
            var trial = options with { LeafClusterSize = leaf };
            var depths = LevelDepths.Choose(morton, sourceCells, targetCells, sourceCount, targetCount, trial, blur);
            var dense = LevelDepths.DenseReason(sourceCells, targetCells, sourceCount, targetCount, trial, depths) is not null;
            var estimate = Estimate(morton, sourceCells, targetCells, sourceCount, targetCount, dense ? [] : depths, blur, options.Truncation, precision);
            var choice = new LeafSizeChoice(leaf, depths, estimate, estimate <= budget);
            if (options.LeafClusterSize is not null || choice.FitsBudget || (dense && best is null))
            {
                // Given, fitting, or dense from the start (the leaves do not matter then).
                return choice;
            }

            if (dense || leaf >= largest)
            {
                return best ?? choice;
            }

            if (best is null || estimate < best.EstimatedPeakBytes)
            {
                best = choice;
            }

            leaf *= 2;
        }
    }

    /// <summary>The estimate for the levels of <paramref name="depths"/> (empty: dense) of clouds with the given cells per depth.</summary>
    internal static long Estimate(MortonOrder morton, int[] sourceCells, int[] targetCells, int sourceCount, int targetCount, int[] depths, double blur, double truncation, Precision precision)
    {
        var shape = MultiscaleMemoryShape.Predicted(
            sourceCount,
            targetCount,
            morton.Dimension,
            precision,
            [.. depths.Select(t => sourceCells[t])],
            [.. depths.Select(t => targetCells[t])],
            [.. depths.Select(t => morton.CellScale / Math.Pow(2, t + 1))],
            blur,
            truncation);

        // The kept pairs are most of the peak and the model has predicted them 1.6x low (10^6 points per side in d = 3,
        // leaves of 8: 126 million kept against 80 million predicted; the run peaked at 17.6 GB against 11.2 GB
        // estimated) as well as 1.6x high (8,000 points): the choice counts them with this margin.
        shape = shape with { KeptPairs = [.. shape.KeptPairs.Select(k => (long)Math.Ceiling(k * KeptPairMargin))] };
        return MultiscaleMemoryEstimate.Of(shape).PeakBytes;
    }

    /// <summary>The factor on the predicted kept pairs when a leaf size is checked against the budget.</summary>
    internal const double KeptPairMargin = 2.0;
}
