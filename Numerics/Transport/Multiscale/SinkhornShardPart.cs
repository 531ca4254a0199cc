using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The transforms one shard runs over its rows against its compact keys: p = T(keys' potential) on its points, the
/// mean squared distance and the barycentric map. The keys are those of its kept blocks (a multiscale pattern, see
/// <see cref="MultiscaleShardPlan"/>) or every point of the other cloud (a dense solve, <see cref="Dense"/>: the same
/// transform with every block kept). A shard without rows does nothing and reports no work.
/// </summary>
public sealed class SinkhornShardPart
{
    private readonly BlockSparseTransform? transform;

    /// <summary>
    /// The part of a dense solve: the rows, split into chunks for parallelism, against one block holding every key
    /// (the in-process dense solve builds the same blocks, <see cref="MultiscaleStage"/>).
    /// </summary>
    public static SinkhornShardPart Dense(double[] positions, double[] weights, int dimension, double[] keyPositions, double[] keyWeights, CostFunction cost, Precision precision, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(keyWeights);
        var rows = MultiscaleStage.Chunks(weights.Length);
        return new SinkhornShardPart(positions, weights, dimension, rows, BlockPattern.Full(rows.Length - 1, 1), keyPositions, keyWeights, [0, keyWeights.Length], cost, precision, maxDegreeOfParallelism);
    }

    /// <summary>Builds the transform (nothing when there are no rows).</summary>
    /// <param name="positions">Row-major positions of the shard's points.</param>
    /// <param name="weights">Weights of the shard's points.</param>
    /// <param name="dimension">Dimension.</param>
    /// <param name="rowBoundaries">Row blocks as ranges of the shard's points.</param>
    /// <param name="pattern">Rows = row blocks, columns = compact key clusters.</param>
    /// <param name="keyPositions">Row-major positions of the compact keys.</param>
    /// <param name="keyWeights">Weights of the compact keys.</param>
    /// <param name="keyBoundaries">Compact key clusters as ranges of the keys.</param>
    /// <param name="cost">Ground cost.</param>
    /// <param name="precision">Kernel arithmetic.</param>
    /// <param name="maxDegreeOfParallelism">Threads (-1: all).</param>
    public SinkhornShardPart(
        double[] positions,
        double[] weights,
        int dimension,
        int[] rowBoundaries,
        BlockPattern pattern,
        double[] keyPositions,
        double[] keyWeights,
        int[] keyBoundaries,
        CostFunction cost,
        Precision precision,
        int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(rowBoundaries);
        RowCount = weights.Length;
        Dimension = dimension;
        if (RowCount > 0)
        {
            var queries = ClusterLevel.Points(positions, weights, dimension);
            var keys = ClusterLevel.Points(keyPositions, keyWeights, dimension);
            transform = BlockSparseTransform.Create(queries, rowBoundaries, keys, keyBoundaries, pattern, cost, precision, maxDegreeOfParallelism);
        }
    }

    /// <summary>Points (rows) of the shard.</summary>
    public int RowCount { get; }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Point-pair cost evaluations of one call (0 without rows).</summary>
    public long EvaluationsPerCall => transform?.EvaluationsPerCall ?? 0;

    /// <summary>Writes T(keyPotential) for every row.</summary>
    public void Apply(double[] keyPotential, double epsilon, double[] result) => transform?.Apply(keyPotential, epsilon, result);

    /// <summary>Writes every row's mean squared distance under the row-normalised kept-block plan.</summary>
    public void MeanSquaredDistance(double[] keyPotential, double epsilon, double[] result) => transform?.MeanSquaredDistance(keyPotential, epsilon, result);

    /// <summary>Writes every row's barycentric image (rows x d).</summary>
    public void BarycentricMap(double[] keyPotential, double epsilon, double[] result) => transform?.BarycentricMap(keyPotential, epsilon, result);

    /// <summary>The barycentric map and the mean squared distance of every row in one pass (the final evaluation).</summary>
    public void MapAndMeanSquaredDistance(double[] keyPotential, double epsilon, double[] map, double[] meanSquared) =>
        transform?.MapAndMeanSquaredDistance(keyPotential, epsilon, map, meanSquared);
}
