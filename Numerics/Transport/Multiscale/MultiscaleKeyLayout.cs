namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The shape of one shard's share of a pattern on the points, from cluster boundaries only (no point): its rows (its
/// leaf clusters) re-indexed onto a compact key set (only the partner leaf clusters it keeps, in global order), the
/// compact clusters as ranges of the keys, and per partner shard the ranges of its points that are the keys (which is
/// also where the keys' potentials are pulled from each half step).
/// </summary>
/// <param name="Pattern">Kept pairs: rows = the shard's leaf clusters, columns = the compact key clusters.</param>
/// <param name="KeyClusters">The compact key clusters' global indices, ascending.</param>
/// <param name="KeyBoundaries">Compact key clusters as ranges of the keys.</param>
/// <param name="Partners">Per partner shard (ascending) the ranges of its points that are keys; concatenated, the keys.</param>
public sealed record MultiscaleKeyLayout(BlockPattern Pattern, int[] KeyClusters, int[] KeyBoundaries, IReadOnlyList<MultiscalePartnerRanges> Partners)
{
    /// <summary>The layout of the shard holding the leaf clusters <c>[firstCluster, endCluster)</c> of its side.</summary>
    /// <param name="pattern">Kept leaf-cluster pairs with this side's clusters as rows.</param>
    /// <param name="firstCluster">First leaf cluster of the shard.</param>
    /// <param name="endCluster">End of the shard's leaf clusters.</param>
    /// <param name="oppositePoints">The other side's leaf clusters as point ranges (<c>Boundaries(1, 0)</c>).</param>
    /// <param name="oppositeClusterOffsets">The other side's leaf-cluster split over its shards.</param>
    public static MultiscaleKeyLayout Create(BlockPattern pattern, int firstCluster, int endCluster, int[] oppositePoints, int[] oppositeClusterOffsets)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(oppositePoints);
        ArgumentNullException.ThrowIfNull(oppositeClusterOffsets);
        var oppositeShardPoints = MultiscaleShardLayout.PointOffsets(oppositePoints, oppositeClusterOffsets);

        // The compact key set: every partner cluster some row keeps, ascending (= global order of the points).
        var needed = new SortedSet<int>();
        for (var k = pattern.RowStarts[firstCluster]; k < pattern.RowStarts[endCluster]; k++)
        {
            needed.Add(pattern.Columns[k]);
        }

        var compact = new Dictionary<int, int>();
        var keyBoundaries = new int[needed.Count + 1];
        var keyCount = 0;
        var partners = new List<MultiscalePartnerRanges>();
        var starts = new List<int>();
        var counts = new List<int>();
        var partner = -1;
        foreach (var cluster in needed)
        {
            keyBoundaries[compact.Count] = keyCount;
            compact[cluster] = compact.Count;
            var from = oppositePoints[cluster];
            var size = oppositePoints[cluster + 1] - from;
            keyCount += size;
            var holder = MultiscaleShardLayout.ShardOf(oppositeClusterOffsets, cluster);
            if (holder != partner)
            {
                Flush();
                partner = holder;
            }

            // Adjacent clusters of one partner merge into one range: fewer, larger reads.
            var local = from - oppositeShardPoints[holder];
            if (starts.Count > 0 && starts[^1] + counts[^1] == local)
            {
                counts[^1] += size;
            }
            else
            {
                starts.Add(local);
                counts.Add(size);
            }
        }

        Flush();
        keyBoundaries[^1] = keyCount;
        var rows = endCluster - firstCluster;
        var localPairs = new List<(int Row, int Column)>();
        for (var r = 0; r < rows; r++)
        {
            for (var k = pattern.RowStarts[firstCluster + r]; k < pattern.RowStarts[firstCluster + r + 1]; k++)
            {
                localPairs.Add((r, compact[pattern.Columns[k]]));
            }
        }

        return new MultiscaleKeyLayout(BlockPattern.FromPairs(rows, needed.Count, localPairs), [.. needed], keyBoundaries, partners);

        void Flush()
        {
            if (starts.Count > 0)
            {
                partners.Add(new MultiscalePartnerRanges(partner, [.. starts], [.. counts]));
                starts.Clear();
                counts.Clear();
            }
        }
    }
}
