using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// A cloud reordered along a Morton curve and clustered into nested octree cells: level 0 holds the
/// points in Morton order, level m the non-empty cells of depth <c>depths[m - 1]</c> (decreasing), each a
/// contiguous range of the level below. <see cref="Order"/> maps sorted positions back to input indices.
/// A hierarchy built from leaf summaries (<see cref="FromLeaves"/>) has the cluster levels only: its points stay
/// where they were sorted (<see cref="HasPoints"/> is false), and what needs their positions throws.
/// </summary>
public sealed class ClusterHierarchy
{
    private readonly ClusterLevel?[] levels;
    private readonly int[]? order;

    private ClusterHierarchy(ClusterLevel?[] levels, int[]? order, int pointCount)
    {
        this.levels = levels;
        this.order = order;
        PointCount = pointCount;
    }

    /// <summary>Number of levels (1 = points only), level 0 counted whether or not its points are here.</summary>
    public int LevelCount => levels.Length;

    /// <summary>Number of points (level 0 entities), also when they are not resident.</summary>
    public int PointCount { get; }

    /// <summary>Whether level 0 (the points and <see cref="Order"/>) is held here; false for <see cref="FromLeaves"/>.</summary>
    public bool HasPoints => levels[0] is not null;

    /// <summary><c>Order[s]</c> is the input index of the point at sorted position s.</summary>
    /// <exception cref="InvalidOperationException">The points are not resident (<see cref="HasPoints"/> is false).</exception>
    public int[] Order => order ?? throw NotResident("the sorted order");

    /// <summary>The level <paramref name="level"/> (0 = points).</summary>
    /// <exception cref="InvalidOperationException">Level 0 of a hierarchy whose points are not resident.</exception>
    public ClusterLevel this[int level] => levels[level] ?? throw NotResident("level 0");

    /// <summary>Builds the hierarchy of <paramref name="cloud"/> from its sorted codes.</summary>
    /// <param name="cloud">The cloud (input order).</param>
    /// <param name="morton">The quantisation shared by both clouds of the problem.</param>
    /// <param name="sortedCodes">Codes in sorted order, from <see cref="MortonOrder.Sort"/>.</param>
    /// <param name="order">Permutation from <see cref="MortonOrder.Sort"/>.</param>
    /// <param name="depths">Cell depths of levels 1.., strictly decreasing.</param>
    /// <remarks>
    /// Level 1 (the leaves) aggregates the points; levels 2.. aggregate the level below them by
    /// <see cref="AggregateClusters"/>, the routine <see cref="FromLeaves"/> runs, so both give the same levels bitwise.
    /// </remarks>
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

        var result = new ClusterLevel?[depths.Count + 1];
        result[0] = new ClusterLevel(positions, weights, d, [], -1);
        if (depths.Count > 0)
        {
            var leaves = LeafClusters.Of(morton, positions, weights, sortedCodes, d, depths[0]);
            ClusterLevels(morton, leaves, depths, result);
        }

        return new ClusterHierarchy(result, order, n);
    }

    /// <summary>
    /// The cluster levels 1.. of a cloud from its leaf clusters (the cells of depth <c>depths[0]</c>, in Morton order, of
    /// every block of a distributed sort concatenated in block order: <see cref="LeafClusters.Concatenate"/>), without
    /// its points: level 1 is the leaves, level m &gt;= 2 the cells of depth <c>depths[m - 1]</c> of the leaves' prefixes,
    /// each centroid the mass-weighted mean of its children's (the point-count-weighted mean when it has no mass).
    /// Equals <see cref="Build"/>'s levels 1.. bitwise when the leaves are those of the same sorted cloud. Level 0 is
    /// not resident: <see cref="PointCount"/> and <see cref="Boundaries"/> still work (from the leaves' point counts),
    /// <see cref="Order"/>, level 0 and <see cref="Radii"/> into level 0 throw <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <param name="morton">The quantisation the leaves were cut with.</param>
    /// <param name="leaves">The leaves of the whole cloud in Morton order, each whole (one summary per cell).</param>
    /// <param name="depths">Cell depths of levels 1.., strictly decreasing, <c>depths[0]</c> the leaves' depth.</param>
    public static ClusterHierarchy FromLeaves(MortonOrder morton, LeafClusters leaves, IReadOnlyList<int> depths)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentNullException.ThrowIfNull(depths);
        if (depths.Count == 0 || depths[0] != leaves.Depth)
        {
            throw new ArgumentException($"leaves of depth {leaves.Depth} do not start the depths [{string.Join(", ", depths)}]", nameof(depths));
        }

        for (var c = 1; c < leaves.Count; c++)
        {
            if (leaves.Prefixes[c] <= leaves.Prefixes[c - 1])
            {
                throw new ArgumentException($"leaf {c} (cell {leaves.Prefixes[c]}) does not follow leaf {c - 1} (cell {leaves.Prefixes[c - 1]}): the leaves must be whole and in Morton order", nameof(leaves));
            }
        }

        var result = new ClusterLevel?[depths.Count + 1];
        ClusterLevels(morton, leaves, depths, result);
        return new ClusterHierarchy(result, null, leaves.PointCount);
    }

    /// <summary>
    /// The one-level hierarchy of a cloud of <paramref name="pointCount"/> points whose points are not resident: what a
    /// distributed sort gives when the solve runs dense (no cluster levels).
    /// </summary>
    public static ClusterHierarchy PointsNotResident(int pointCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pointCount);
        return new ClusterHierarchy([null], null, pointCount);
    }

    /// <summary>
    /// The one-level hierarchy of a dense solve: the points of <paramref name="cloud"/> in input order (identity
    /// <see cref="Order"/>), no clusters.
    /// </summary>
    public static ClusterHierarchy Points(PointCloud cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var level = new ClusterLevel(cloud.Positions.ToArray(), cloud.Weights.ToArray(), cloud.Dimension, [], -1);
        return new ClusterHierarchy([level], Enumerable.Range(0, cloud.Count).ToArray(), cloud.Count);
    }

    /// <summary>
    /// Boundaries of the clusters of <paramref name="level"/> as index ranges of the entities of
    /// <paramref name="into"/> (&lt;= level): cluster I covers <c>[b[I], b[I + 1])</c>.
    /// </summary>
    public int[] Boundaries(int level, int into)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(into, level);
        var boundaries = Enumerable.Range(0, (level == 0 ? PointCount : this[level].Count) + 1).ToArray();
        for (var m = level; m > into; m--)
        {
            var offsets = this[m].ChildOffsets;
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
        var clusters = this[level];
        var members = this[into];
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

    /// <summary>Levels 1.. into <paramref name="result"/>: the leaves, then each coarser level aggregated from the one below.</summary>
    private static void ClusterLevels(MortonOrder morton, LeafClusters leaves, IReadOnlyList<int> depths, ClusterLevel?[] result)
    {
        var leafOffsets = new int[leaves.Count + 1];
        for (var c = 0; c < leaves.Count; c++)
        {
            leafOffsets[c + 1] = leafOffsets[c] + leaves.Counts[c];
        }

        result[1] = new ClusterLevel(leaves.Centroids, leaves.Masses, leaves.Dimension, leafOffsets, depths[0]);

        // Points per entity of the level below and the leaf-depth cell of its first leaf, to read its coarser prefixes.
        var counts = leaves.Counts;
        var prefixes = leaves.Prefixes;
        for (var m = 2; m <= depths.Count; m++)
        {
            var depth = depths[m - 1];
            var shift = (depths[0] - depth) * morton.CodedDimensions;
            var offsets = new List<int>();
            for (var c = 0; c < prefixes.Length; c++)
            {
                if (c == 0 || prefixes[c] >> shift != prefixes[c - 1] >> shift)
                {
                    offsets.Add(c);
                }
            }

            offsets.Add(prefixes.Length);
            var childOffsets = offsets.ToArray();
            var (level, levelCounts) = AggregateClusters(result[m - 1]!, counts, childOffsets, depth);
            result[m] = level;
            counts = levelCounts;
            prefixes = [.. childOffsets[..^1].Select(c => prefixes[c])];
        }
    }

    /// <summary>
    /// One cluster level from the level below: a cluster's mass is the sum of its children's, its centroid their
    /// mass-weighted mean, or, when it has no mass, their point-count-weighted mean (the plain mean of its points, as a
    /// massless leaf has: a position inside its members' hull for the bounds). Summed child by child in order, so that
    /// every caller gets the same bits.
    /// </summary>
    private static (ClusterLevel Level, int[] Counts) AggregateClusters(ClusterLevel below, int[] belowCounts, int[] childOffsets, int depth)
    {
        var d = below.Dimension;
        var count = childOffsets.Length - 1;
        var centroids = new double[count * d];
        var masses = new double[count];
        var counts = new int[count];
        for (var c = 0; c < count; c++)
        {
            var mass = 0.0;
            var members = 0;
            for (var e = childOffsets[c]; e < childOffsets[c + 1]; e++)
            {
                mass += below.Weights[e];
                members += belowCounts[e];
            }

            var useWeights = mass > 0;
            var centre = centroids.AsSpan(c * d, d);
            for (var e = childOffsets[c]; e < childOffsets[c + 1]; e++)
            {
                var w = useWeights ? below.Weights[e] / mass : (double)belowCounts[e] / members;
                for (var k = 0; k < d; k++)
                {
                    centre[k] += w * below.Positions[(e * d) + k];
                }
            }

            masses[c] = mass;
            counts[c] = members;
        }

        return (new ClusterLevel(centroids, masses, d, childOffsets, depth), counts);
    }

    /// <summary>
    /// Mass and centroid of points [<paramref name="start"/>, <paramref name="end"/>) of a sorted block, into
    /// <paramref name="centre"/> (zeroed by the caller): the weighted mean, or the plain mean when they have no mass.
    /// </summary>
    internal static double Centroid(ReadOnlySpan<double> positions, ReadOnlySpan<double> weights, int d, int start, int end, Span<double> centre)
    {
        var mass = 0.0;
        for (var s = start; s < end; s++)
        {
            mass += weights[s];
        }

        // A cluster without mass still needs a position inside its members' hull for the bounds:
        // the plain mean.
        var useWeights = mass > 0;
        var members = end - start;
        for (var s = start; s < end; s++)
        {
            var w = useWeights ? weights[s] / mass : 1.0 / members;
            for (var k = 0; k < d; k++)
            {
                centre[k] += w * positions[(s * d) + k];
            }
        }

        return mass;
    }

    private static InvalidOperationException NotResident(string what) =>
        new($"{what} is not resident: this hierarchy was built from leaf summaries (its points stay on the shards that sorted them)");
}
