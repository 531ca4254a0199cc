using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// A cloud reordered along a Morton curve and clustered into nested octree cells: level 0 holds the
/// points in Morton order, level m the non-empty cells of depth <c>depths[m - 1]</c> (decreasing), each a
/// contiguous range of the level below. <see cref="Order"/> maps sorted positions back to input indices.
/// </summary>
public sealed class ClusterHierarchy
{
    private readonly ClusterLevel[] levels;

    private ClusterHierarchy(ClusterLevel[] levels, int[] order)
    {
        this.levels = levels;
        Order = order;
    }

    /// <summary>Number of levels (1 = points only).</summary>
    public int LevelCount => levels.Length;

    /// <summary><c>Order[s]</c> is the input index of the point at sorted position s.</summary>
    public int[] Order { get; }

    /// <summary>The level <paramref name="level"/> (0 = points).</summary>
    public ClusterLevel this[int level] => levels[level];

    /// <summary>Builds the hierarchy of <paramref name="cloud"/> from its sorted codes.</summary>
    /// <param name="cloud">The cloud (input order).</param>
    /// <param name="morton">The quantisation shared by both clouds of the problem.</param>
    /// <param name="sortedCodes">Codes in sorted order, from <see cref="MortonOrder.Sort"/>.</param>
    /// <param name="order">Permutation from <see cref="MortonOrder.Sort"/>.</param>
    /// <param name="depths">Cell depths of levels 1.., strictly decreasing.</param>
    public static ClusterHierarchy Build(PointCloud cloud, MortonOrder morton, ulong[] sortedCodes, int[] order, IReadOnlyList<int> depths)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(sortedCodes);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(depths);
        var d = cloud.Dimension;
        var n = cloud.Count;
        var positions = new double[n * d];
        var weights = new double[n];
        for (var s = 0; s < n; s++)
        {
            cloud.Point(order[s]).CopyTo(positions.AsSpan(s * d, d));
            weights[s] = cloud.Weights[order[s]];
        }

        var result = new ClusterLevel[depths.Count + 1];
        result[0] = new ClusterLevel(positions, weights, d, [], -1);

        // First point (sorted index) of every entity of the level below, to read its cell prefix.
        var firstPoint = Enumerable.Range(0, n).ToArray();
        for (var m = 1; m <= depths.Count; m++)
        {
            var below = result[m - 1];
            var depth = depths[m - 1];
            var offsets = new List<int>();
            var starts = new List<int>();
            for (var c = 0; c < below.Count; c++)
            {
                if (c == 0 || morton.Prefix(sortedCodes[firstPoint[c]], depth) != morton.Prefix(sortedCodes[firstPoint[c - 1]], depth))
                {
                    offsets.Add(c);
                    starts.Add(firstPoint[c]);
                }
            }

            offsets.Add(below.Count);
            var childOffsets = offsets.ToArray();
            var pointOffsets = new int[starts.Count + 1];
            starts.CopyTo(pointOffsets);
            pointOffsets[^1] = n;
            result[m] = Aggregate(positions, weights, d, pointOffsets, childOffsets, depth);
            firstPoint = [.. starts];
        }

        return new ClusterHierarchy(result, order);
    }

    /// <summary>
    /// The one-level hierarchy of a dense solve: the points of <paramref name="cloud"/> in input order (identity
    /// <see cref="Order"/>), no clusters.
    /// </summary>
    public static ClusterHierarchy Points(PointCloud cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var level = new ClusterLevel(cloud.Positions.ToArray(), cloud.Weights.ToArray(), cloud.Dimension, [], -1);
        return new ClusterHierarchy([level], Enumerable.Range(0, cloud.Count).ToArray());
    }

    /// <summary>
    /// Boundaries of the clusters of <paramref name="level"/> as index ranges of the entities of
    /// <paramref name="into"/> (&lt;= level): cluster I covers <c>[b[I], b[I + 1])</c>.
    /// </summary>
    public int[] Boundaries(int level, int into)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(into, level);
        var boundaries = Enumerable.Range(0, levels[level].Count + 1).ToArray();
        for (var m = level; m > into; m--)
        {
            var offsets = levels[m].ChildOffsets;
            for (var i = 0; i < boundaries.Length; i++)
            {
                boundaries[i] = offsets[boundaries[i]];
            }
        }

        return boundaries;
    }

    /// <summary>
    /// Radius of every cluster of <paramref name="level"/> measured on the entities of
    /// <paramref name="into"/>: the largest distance from any member to the centroid (zero-weight members
    /// included: they still receive potentials, so the bounds must cover them).
    /// </summary>
    public double[] Radii(int level, int into)
    {
        var clusters = levels[level];
        var members = levels[into];
        var boundaries = Boundaries(level, into);
        var d = clusters.Dimension;
        var radii = new double[clusters.Count];
        for (var c = 0; c < clusters.Count; c++)
        {
            var centre = clusters.Positions.AsSpan(c * d, d);
            var largest = 0.0;
            for (var e = boundaries[c]; e < boundaries[c + 1]; e++)
            {
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var diff = members.Positions[(e * d) + k] - centre[k];
                    sum += diff * diff;
                }

                largest = Math.Max(largest, sum);
            }

            radii[c] = Math.Sqrt(largest);
        }

        return radii;
    }

    /// <summary>Per-cluster maxima of a per-entity value of level <paramref name="into"/>.</summary>
    public double[] Maxima(int level, int into, ReadOnlySpan<double> values)
    {
        var boundaries = Boundaries(level, into);
        var result = new double[boundaries.Length - 1];
        for (var c = 0; c < result.Length; c++)
        {
            var largest = double.NegativeInfinity;
            for (var e = boundaries[c]; e < boundaries[c + 1]; e++)
            {
                largest = Math.Max(largest, values[e]);
            }

            result[c] = largest;
        }

        return result;
    }

    private static ClusterLevel Aggregate(double[] positions, double[] weights, int d, int[] pointOffsets, int[] childOffsets, int depth)
    {
        var count = pointOffsets.Length - 1;
        var centroids = new double[count * d];
        var masses = new double[count];
        for (var c = 0; c < count; c++)
        {
            var mass = 0.0;
            var centre = centroids.AsSpan(c * d, d);
            for (var s = pointOffsets[c]; s < pointOffsets[c + 1]; s++)
            {
                mass += weights[s];
            }

            // A cluster without mass still needs a position inside its members' hull for the bounds:
            // the plain mean.
            var useWeights = mass > 0;
            var members = pointOffsets[c + 1] - pointOffsets[c];
            for (var s = pointOffsets[c]; s < pointOffsets[c + 1]; s++)
            {
                var w = useWeights ? weights[s] / mass : 1.0 / members;
                for (var k = 0; k < d; k++)
                {
                    centre[k] += w * positions[(s * d) + k];
                }
            }

            masses[c] = mass;
        }

        return new ClusterLevel(centroids, masses, d, childOffsets, depth);
    }
}
