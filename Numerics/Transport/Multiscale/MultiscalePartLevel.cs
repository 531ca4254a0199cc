namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The clusters of one level that one part's leaves fall in (a part is a contiguous run of whole leaf clusters of one
/// side, in Morton order: what one shard holds), as ranges of the part's leaves, with their centroids. Only the first
/// and the last may also have leaves in the neighbouring parts (<see cref="FirstShared"/>, <see cref="LastShared"/>):
/// what a part measures on those is a partial that combines with its neighbours'.
/// </summary>
/// <param name="FirstCluster">Global index of the first cluster.</param>
/// <param name="LeafBoundaries">Cluster t covers the part's leaves <c>[LeafBoundaries[t], LeafBoundaries[t + 1])</c>.</param>
/// <param name="Centroids">Centroids of the clusters (row-major, clusters x d).</param>
/// <param name="FirstShared">The first cluster has leaves before the part.</param>
/// <param name="LastShared">The last cluster has leaves after the part.</param>
public sealed record MultiscalePartLevel(int FirstCluster, int[] LeafBoundaries, double[] Centroids, bool FirstShared, bool LastShared)
{
    /// <summary>Clusters the part's leaves fall in.</summary>
    public int Count => LeafBoundaries.Length - 1;

    /// <summary>Whether cluster t (of this part) has leaves in other parts.</summary>
    public bool IsShared(int t) => (t == 0 && FirstShared) || (t == Count - 1 && LastShared);

    /// <summary>The part's clusters that have leaves in other parts (at most two), ascending.</summary>
    public int[] SharedClusters() => [.. Enumerable.Range(0, Count).Where(IsShared)];

    /// <summary>
    /// The levels 1.. of <paramref name="hierarchy"/> over the leaves <c>[leafStart, leafEnd)</c> (index m: level m;
    /// index 0 null). Only the cluster levels are read.
    /// </summary>
    public static MultiscalePartLevel?[] Of(ClusterHierarchy hierarchy, int leafStart, int leafEnd)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        var levels = new MultiscalePartLevel?[hierarchy.LevelCount];
        var d = hierarchy[1].Dimension;
        for (var m = 1; m < hierarchy.LevelCount; m++)
        {
            var boundaries = hierarchy.Boundaries(m, 1);
            if (leafStart >= leafEnd)
            {
                levels[m] = new MultiscalePartLevel(0, [0], [], false, false);
                continue;
            }

            // The last cluster starting at or before the first leaf, and the first starting at or after the end.
            var first = Array.BinarySearch(boundaries, leafStart);
            first = first >= 0 ? first : ~first - 1;
            var end = Array.BinarySearch(boundaries, leafEnd);
            end = end >= 0 ? end : ~end;
            var local = new int[end - first + 1];
            for (var c = first; c <= end; c++)
            {
                local[c - first] = Math.Clamp(boundaries[c] - leafStart, 0, leafEnd - leafStart);
            }

            var centroids = hierarchy[m].Positions.AsSpan(first * d, (end - first) * d).ToArray();
            levels[m] = new MultiscalePartLevel(first, local, centroids, boundaries[first] < leafStart, boundaries[end] > leafEnd);
        }

        return levels;
    }
}
