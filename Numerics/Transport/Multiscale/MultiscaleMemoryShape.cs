using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The sizes a multiscale solve's memory follows (<see cref="MultiscaleMemoryEstimate"/>): the clouds, the clusters of
/// every level, and the block pairs the truncation search keeps and drops on every level, either counted from a solve
/// or predicted (<see cref="BlockPatternModel"/>).
/// </summary>
public sealed record MultiscaleMemoryShape
{
    /// <summary>Source points n.</summary>
    public required int SourceCount { get; init; }

    /// <summary>Target points m.</summary>
    public required int TargetCount { get; init; }

    /// <summary>Dimension d.</summary>
    public required int Dimension { get; init; }

    /// <summary>Kernel arithmetic (the key copies are in it); default double.</summary>
    public Precision Precision { get; init; } = Precision.Double;

    /// <summary>Source clusters per cluster level, finest (the leaves) first; empty for a dense solve.</summary>
    public IReadOnlyList<int> SourceClusters { get; init; } = [];

    /// <summary>Target clusters per cluster level, finest first.</summary>
    public IReadOnlyList<int> TargetClusters { get; init; } = [];

    /// <summary>Kept block pairs of clusters of each level, finest first (level 1: the leaf pairs the points iterate on).</summary>
    public IReadOnlyList<long> KeptPairs { get; init; } = [];

    /// <summary>Pairs the search dropped on each level, finest first (all stay listed to the end of the solve).</summary>
    public IReadOnlyList<long> DroppedPairs { get; init; } = [];

    /// <summary>Levels including the points (1: dense).</summary>
    public int Levels => SourceClusters.Count + 1;

    /// <summary>
    /// The shape of a solve whose levels have the given clusters and cell radii (finest first), its block pairs
    /// predicted by <see cref="BlockPatternModel"/>.
    /// </summary>
    public static MultiscaleMemoryShape Predicted(
        int sourceCount,
        int targetCount,
        int dimension,
        Precision precision,
        IReadOnlyList<int> sourceClusters,
        IReadOnlyList<int> targetClusters,
        IReadOnlyList<double> cellRadii,
        double blur,
        double truncation)
    {
        var (kept, dropped) = BlockPatternModel.Predict(sourceClusters, targetClusters, cellRadii, dimension, blur, truncation);
        return new MultiscaleMemoryShape
        {
            SourceCount = sourceCount,
            TargetCount = targetCount,
            Dimension = dimension,
            Precision = precision,
            SourceClusters = sourceClusters,
            TargetClusters = targetClusters,
            KeptPairs = kept,
            DroppedPairs = dropped,
        };
    }

    /// <summary>
    /// The shape of clouds spread evenly over a cube of side 1: <paramref name="levels"/> levels (1: dense) whose leaves
    /// hold about <paramref name="leafSize"/> points of the larger cloud and each coarser level 2^d times more (one
    /// octree depth), with the blur in units of the cube's side.
    /// </summary>
    public static MultiscaleMemoryShape Uniform(int sourceCount, int targetCount, int dimension, int levels, int leafSize, double blur, double truncation = 5, Precision precision = Precision.Double)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(levels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(leafSize);
        var larger = Math.Max(sourceCount, targetCount);
        var sources = new int[levels - 1];
        var targets = new int[levels - 1];
        var radii = new double[levels - 1];
        for (var k = 0; k < levels - 1; k++)
        {
            var cells = Math.Max(1.0, larger / (leafSize * Math.Pow(2, dimension * k)));
            sources[k] = (int)Math.Ceiling(Math.Min(sourceCount, cells));
            targets[k] = (int)Math.Ceiling(Math.Min(targetCount, cells));
            radii[k] = 0.5 * Math.Sqrt(dimension) * Math.Pow(cells, -1.0 / dimension);
        }

        return Predicted(sourceCount, targetCount, dimension, precision, sources, targets, radii, blur, truncation);
    }
}
