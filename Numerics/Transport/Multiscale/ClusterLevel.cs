namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// One level of a <see cref="ClusterHierarchy"/>: its entities (points at level 0, clusters above)
/// with weights and positions (weighted centroids for clusters), and for a cluster level the range of
/// children at the level below.
/// </summary>
public sealed class ClusterLevel
{
    internal ClusterLevel(double[] positions, double[] weights, int dimension, int[] childOffsets, int depth)
    {
        Positions = positions;
        Weights = weights;
        Dimension = dimension;
        ChildOffsets = childOffsets;
        Depth = depth;
    }

    /// <summary>
    /// A level of plain points (no children), e.g. the part of a cloud one shard holds, to build a
    /// <see cref="BlockSparseTransform"/> over it.
    /// </summary>
    /// <param name="positions">Row-major positions (count x dimension).</param>
    /// <param name="weights">One weight per point.</param>
    /// <param name="dimension">Dimension of the points.</param>
    public static ClusterLevel Points(double[] positions, double[] weights, int dimension)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        if ((long)weights.Length * dimension != positions.Length)
        {
            throw new ArgumentException($"{positions.Length} coordinates do not make {weights.Length} points of dimension {dimension}", nameof(positions));
        }

        return new ClusterLevel(positions, weights, dimension, [], -1);
    }

    /// <summary>Number of entities.</summary>
    public int Count => Weights.Length;

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Row-major positions (centroids for clusters).</summary>
    public double[] Positions { get; }

    /// <summary>Masses (sum of the members' weights).</summary>
    public double[] Weights { get; }

    /// <summary>
    /// Children of entity I are the entities <c>ChildOffsets[I] .. ChildOffsets[I + 1] - 1</c> of the level
    /// below (empty array at level 0).
    /// </summary>
    public int[] ChildOffsets { get; }

    /// <summary>Octree depth (bits per dimension) of the cells; -1 at level 0 (points).</summary>
    public int Depth { get; }
}
