namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Summaries of the leaf clusters (non-empty octree cells of one depth) of a block sorted along the Morton curve, in
/// order: each leaf's cell, point count, mass (sum of weights) and centroid (weight-weighted mean, the plain mean when
/// it has no mass). What a shard that sorted its points sends so that the cluster levels can be built elsewhere
/// (<see cref="ClusterHierarchy.FromLeaves"/>); O(leaves) values, never a point.
/// </summary>
/// <param name="Depth">The cells' depth (bits per dimension).</param>
/// <param name="Dimension">Dimension of the points.</param>
/// <param name="Prefixes">Cell of each leaf (code prefix of <paramref name="Depth"/>), increasing.</param>
/// <param name="Counts">Points per leaf.</param>
/// <param name="Masses">Mass per leaf.</param>
/// <param name="Centroids">Row-major centroids (leaves x dimension).</param>
public sealed record LeafClusters(int Depth, int Dimension, ulong[] Prefixes, int[] Counts, double[] Masses, double[] Centroids)
{
    /// <summary>Number of leaves.</summary>
    public int Count => Prefixes.Length;

    /// <summary>Points in all leaves.</summary>
    public int PointCount => Counts.Sum();

    /// <summary>
    /// The leaves of a sorted block: its cells of depth <paramref name="depth"/>. A block of a distributed sort must hold
    /// its leaves whole (<see cref="LeafAlignment"/>) for the summaries to be those of the whole cloud.
    /// </summary>
    public static LeafClusters Of(MortonOrder morton, MortonSortedBlock block, int depth)
    {
        ArgumentNullException.ThrowIfNull(morton);
        ArgumentNullException.ThrowIfNull(block);
        return Of(morton, block.Positions, block.Weights, block.Codes, block.Dimension, depth);
    }

    /// <summary>The leaves of sorted arrays (positions row-major, weights and codes in the same sorted order).</summary>
    internal static LeafClusters Of(MortonOrder morton, ReadOnlySpan<double> positions, ReadOnlySpan<double> weights, ReadOnlySpan<ulong> sortedCodes, int d, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, morton.BitsPerDimension);
        var starts = new List<int>();
        var prefixes = new List<ulong>();
        for (var s = 0; s < sortedCodes.Length; s++)
        {
            var prefix = morton.Prefix(sortedCodes[s], depth);
            if (s == 0 || prefix != prefixes[^1])
            {
                starts.Add(s);
                prefixes.Add(prefix);
            }
        }

        starts.Add(sortedCodes.Length);
        var count = prefixes.Count;
        var counts = new int[count];
        var masses = new double[count];
        var centroids = new double[count * d];
        for (var c = 0; c < count; c++)
        {
            counts[c] = starts[c + 1] - starts[c];
            masses[c] = ClusterHierarchy.Centroid(positions, weights, d, starts[c], starts[c + 1], centroids.AsSpan(c * d, d));
        }

        return new LeafClusters(depth, d, [.. prefixes], counts, masses, centroids);
    }

    /// <summary>Leaves [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) (copied).</summary>
    public LeafClusters Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        return new LeafClusters(
            Depth,
            Dimension,
            Prefixes.AsSpan(start, count).ToArray(),
            Counts.AsSpan(start, count).ToArray(),
            Masses.AsSpan(start, count).ToArray(),
            Centroids.AsSpan(start * Dimension, count * Dimension).ToArray());
    }

    /// <summary>The leaves of consecutive blocks, in block order (all of one depth and dimension).</summary>
    public static LeafClusters Concatenate(IReadOnlyList<LeafClusters> parts, int depth, int dimension)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Any(p => p.Depth != depth || p.Dimension != dimension))
        {
            throw new ArgumentException($"leaves of several depths or dimensions in a concatenation of depth {depth}, dimension {dimension}", nameof(parts));
        }

        return new LeafClusters(
            depth,
            dimension,
            [.. parts.SelectMany(p => p.Prefixes)],
            [.. parts.SelectMany(p => p.Counts)],
            [.. parts.SelectMany(p => p.Masses)],
            [.. parts.SelectMany(p => p.Centroids)]);
    }
}
