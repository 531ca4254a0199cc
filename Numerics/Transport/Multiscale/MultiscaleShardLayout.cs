namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// How the points of one side are split into shards for a distributed solve: contiguous ranges of leaf clusters
/// (so that a block row never straddles two shards), balanced by point count. A shard may get no cluster.
/// </summary>
public static class MultiscaleShardLayout
{
    /// <summary>
    /// Splits the leaf clusters (point ranges <c>[clusterPoints[c], clusterPoints[c + 1])</c>) into
    /// <paramref name="shards"/> ranges: shard k holds clusters <c>[result[k], result[k + 1])</c>, cut at the
    /// cluster boundary nearest k n / shards.
    /// </summary>
    public static int[] SplitClusters(int[] clusterPoints, int shards)
    {
        ArgumentNullException.ThrowIfNull(clusterPoints);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var clusters = clusterPoints.Length - 1;
        var n = clusterPoints[^1];
        var offsets = new int[shards + 1];
        offsets[shards] = clusters;
        for (var k = 1; k < shards; k++)
        {
            var goal = (double)n * k / shards;
            var b = Array.BinarySearch(clusterPoints, (int)Math.Ceiling(goal));
            b = b >= 0 ? b : ~b;
            b = Math.Min(b, clusters);
            if (b > 0 && goal - clusterPoints[b - 1] <= clusterPoints[b] - goal)
            {
                b--;
            }

            offsets[k] = Math.Max(offsets[k - 1], b);
        }

        return offsets;
    }

    /// <summary>Point offsets of the shards: shard k holds points <c>[result[k], result[k + 1])</c>.</summary>
    public static int[] PointOffsets(int[] clusterPoints, int[] clusterOffsets)
    {
        ArgumentNullException.ThrowIfNull(clusterPoints);
        ArgumentNullException.ThrowIfNull(clusterOffsets);
        return [.. clusterOffsets.Select(c => clusterPoints[c])];
    }

    /// <summary>The shard holding cluster <paramref name="cluster"/> (skipping empty shards).</summary>
    public static int ShardOf(int[] clusterOffsets, int cluster)
    {
        ArgumentNullException.ThrowIfNull(clusterOffsets);
        var low = 0;
        var high = clusterOffsets.Length - 2;

        // The last shard k with clusterOffsets[k] <= cluster: empty shards before it share its start.
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (clusterOffsets[middle] <= cluster)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }
}
