using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// One side of a <see cref="DistributedMortonSort"/>: the cloud's cluster levels (no points), its cells per depth, and
/// where its sorted points and leaves lie on its shards.
/// </summary>
/// <param name="Hierarchy">Levels 1.. of the cloud (<see cref="ClusterHierarchy.FromLeaves"/>); only level 0, not resident, for a dense solve.</param>
/// <param name="CellCounts">Cells per depth 0 .. <see cref="MortonOrder.BitsPerDimension"/> of the whole cloud.</param>
/// <param name="PointOffsets">Shard k holds sorted points [PointOffsets[k], PointOffsets[k + 1]) (after alignment).</param>
/// <param name="LeafOffsets">Shard k holds leaves [LeafOffsets[k], LeafOffsets[k + 1]) of level 1; empty for a dense solve.</param>
public sealed record MortonSortedSide(ClusterHierarchy Hierarchy, int[] CellCounts, int[] PointOffsets, int[] LeafOffsets)
{
    /// <summary>Array elements this side holds (cluster levels, counts and offsets): what a coordinator keeps of it.</summary>
    public long RetainedValues
    {
        get
        {
            long values = CellCounts.Length + PointOffsets.Length + LeafOffsets.Length;
            for (var m = 1; m < Hierarchy.LevelCount; m++)
            {
                var level = Hierarchy[m];
                values += level.Positions.Length + level.Weights.Length + level.ChildOffsets.Length;
            }

            return values;
        }
    }
}

/// <summary>
/// What <see cref="DistributedMortonSort.RunAsync"/> gives the coordinator: the quantisation, the depth choice (as
/// <c>SinkhornRun</c> makes it from whole clouds) and both sides' coarse levels. For a self term <see cref="Target"/> is
/// <see cref="Source"/> (the same object).
/// </summary>
/// <param name="Box">The bounding box of the term's clouds (the quantisation's, and where the annealing starts).</param>
/// <param name="Morton">The quantisation every shard coded its points with.</param>
/// <param name="LeafChoice">The leaf size and its depths (<see cref="LeafSizeChoice"/>).</param>
/// <param name="Depths">Depths of levels 1.. the hierarchies have (empty when <see cref="DenseReason"/> is set).</param>
/// <param name="DenseReason">Why the solve runs dense (<see cref="LevelDepths.DenseReason(int[], int[], int, int, MultiscaleOptions, int[])"/>), or null.</param>
/// <param name="Multiscale">The options with the chosen leaf size.</param>
/// <param name="Source">The source side.</param>
/// <param name="Target">The target side.</param>
public sealed record MortonSortedHierarchies(BoundingBox Box, MortonOrder Morton, LeafSizeChoice LeafChoice, int[] Depths, string? DenseReason, MultiscaleOptions Multiscale, MortonSortedSide Source, MortonSortedSide Target)
{
    /// <summary>Array elements held: both sides (once for a self term) and the depths; O(leaves + shards).</summary>
    public long RetainedValues =>
        Source.RetainedValues + (ReferenceEquals(Source, Target) ? 0 : Target.RetainedValues) + Depths.Length + LeafChoice.Depths.Length + Morton.Dimension;
}

/// <summary>
/// The multiscale hierarchy's inputs without gathering a point (issue 13): the coordinator runs a sample sort of each
/// cloud along the Morton curve on the cloud's own shards and reads back only summaries. Per side: every shard codes and
/// sorts its uploaded rows on the term's box and returns a regular sample of its keys; the coordinator picks splitters;
/// every shard sends each bucket straight to the peer that owns it (chunked) and merges what it received, so that the
/// shards in order hold the cloud in <see cref="MortonOrder.Sort"/> order; their cell-count summaries combine into the
/// cloud's cells per depth, from which the depths are chosen exactly as in process; leaves cut by a shard boundary move
/// whole to the shard of their first point (<see cref="LeafAlignment"/>); and the shards' leaf summaries build the
/// coarse levels (<see cref="ClusterHierarchy.FromLeaves"/>). The coordinator holds O(leaves + shards x samples) values,
/// and no message carries more than <c>chunkBytes</c> of payload.
/// </summary>
/// <param name="grains">Grain factory.</param>
/// <param name="problemId">The job (shard keys are <see cref="ShardLayout.ShardKey"/> of it).</param>
/// <param name="sourceOffsets">Upload layout of the source: shard k holds input rows [offsets[k], offsets[k + 1]).</param>
/// <param name="targetOffsets">Upload layout of the target.</param>
/// <param name="chunkBytes">Largest message payload (<see cref="JobLimits.InstallChunkBytes"/>).</param>
public sealed class DistributedMortonSort(IGrainFactory grains, string problemId, int[] sourceOffsets, int[] targetOffsets, int chunkBytes)
{
    /// <summary>
    /// Sampled keys per shard for the splitters, as a multiple of the shards p of the side (default 4; capped so that a
    /// sample fits one message). Regular sampling with s keys per shard bounds a bucket by about n / p + n / s points.
    /// </summary>
    public int SamplesPerShardFactor { get; init; } = 4;

    /// <summary>
    /// Sorts the clouds of <paramref name="term"/> on their shards and builds their coarse levels: the cross term sorts
    /// both clouds on the union of their boxes, a self term its own cloud on its own box.
    /// </summary>
    /// <param name="term">The solve.</param>
    /// <param name="options">Sinkhorn options: eps, cost and precision enter the leaf size and depth choice.</param>
    /// <param name="multiscale">Multiscale options (levels, leaf size, truncation, memory budget).</param>
    /// <param name="token">Cancels between the protocol's steps.</param>
    public async Task<MortonSortedHierarchies> RunAsync(SinkhornTerm term, SinkhornOptions options, MultiscaleOptions multiscale, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(multiscale);
        CloudSide[] sides = term switch
        {
            SinkhornTerm.Cross => [CloudSide.Source, CloudSide.Target],
            SinkhornTerm.SelfSource => [CloudSide.Source],
            _ => [CloudSide.Target],
        };

        var box = await ShardBoundingBoxes.UnionAsync(sides.SelectMany(Shards));
        var morton = new MortonOrder(box);
        var boxBlock = FloatBlock.From([.. box.Min, .. box.Max], 2, morton.Dimension);
        var sorted = await Task.WhenAll(sides.Select(s => SortAsync(term, s, boxBlock, morton, token)));
        var (source, target) = (sorted[0], sorted[^1]);
        var sourceCount = source.PointOffsets[^1];
        var targetCount = target.PointOffsets[^1];

        // As SinkhornRun does from the whole clouds: the leaf size, its depths, and the dense fallback.
        var blur = Math.Sqrt(options.Epsilon / options.Cost.Scale());
        var leafChoice = LeafSizeChoice.Choose(morton, source.CellCounts, target.CellCounts, sourceCount, targetCount, multiscale, blur, options.Precision);
        var chosen = multiscale with { LeafClusterSize = leafChoice.LeafClusterSize };
        var depths = leafChoice.Depths;
        var denseReason = LevelDepths.DenseReason(source.CellCounts, target.CellCounts, sourceCount, targetCount, chosen, depths);
        if (denseReason is not null)
        {
            depths = [];
        }

        token.ThrowIfCancellationRequested();
        var sidesDone = await Task.WhenAll(sides.Select((s, i) => depths.Length == 0
            ? Task.FromResult(new MortonSortedSide(ClusterHierarchy.PointsNotResident(sorted[i].PointOffsets[^1]), sorted[i].CellCounts, sorted[i].PointOffsets, []))
            : LeavesAsync(term, s, morton, sorted[i], depths, token)));
        return new MortonSortedHierarchies(box, morton, leafChoice, depths, denseReason, chosen, sidesDone[0], sidesDone[^1]);
    }

    /// <summary>Drops the sort state of <paramref name="term"/> on its shards.</summary>
    public Task ReleaseAsync(SinkhornTerm term)
    {
        IEnumerable<CloudSide> sides = term switch
        {
            SinkhornTerm.Cross => [CloudSide.Source, CloudSide.Target],
            SinkhornTerm.SelfSource => [CloudSide.Source],
            _ => [CloudSide.Target],
        };
        return Task.WhenAll(sides.SelectMany(Shards).Select(s => s.ReleaseMortonSortAsync(term)));
    }

    private int[] Offsets(CloudSide side) => side == CloudSide.Source ? sourceOffsets : targetOffsets;

    private ISinkhornShardGrain[] Shards(CloudSide side) =>
        [.. Enumerable.Range(0, Offsets(side).Length - 1).Select(k => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, side, k)))];

    /// <summary>The sample sort of one side; its cells per depth and points per shard (before alignment).</summary>
    private async Task<(int[] CellCounts, int[] PointOffsets)> SortAsync(SinkhornTerm term, CloudSide side, FloatBlock box, MortonOrder morton, CancellationToken token)
    {
        var shards = Shards(side);
        var samples = Math.Clamp(SamplesPerShardFactor * shards.Length, 1, Math.Max(1, chunkBytes / MortonKeys.KeyBytes));
        var sampled = await Task.WhenAll(shards.Select(s => s.MortonSortAsync(term, box, samples)));
        var (codes, indices) = MortonSplitters.Choose([.. sampled.Select(k => new MortonKeySample(k.Codes, k.Indices, k.BlockCount))], shards.Length);
        var splitters = new MortonKeys(codes, indices, 0);
        token.ThrowIfCancellationRequested();

        // Every bucket is at its owner once every exchange has returned: only then may the owners merge.
        await Task.WhenAll(shards.Select(s => s.MortonExchangeAsync(term, splitters, chunkBytes)));
        var summaries = await Task.WhenAll(shards.Select(s => s.MortonMergeAsync(term)));
        var cells = MortonCellSummary.Combine([.. summaries.Select(c => c.ToSummary())], morton.BitsPerDimension + 1);
        return (cells, Prefix(summaries.Select(c => c.PointCount)));
    }

    /// <summary>Alignment at the leaf depth, the shards' leaf summaries, and the side's coarse levels from them.</summary>
    private async Task<MortonSortedSide> LeavesAsync(SinkhornTerm term, CloudSide side, MortonOrder morton, (int[] CellCounts, int[] PointOffsets) sorted, int[] depths, CancellationToken token)
    {
        var shards = Shards(side);
        var leafDepth = depths[0];
        var edges = await Task.WhenAll(shards.Select(s => s.MortonLeafEdgeAsync(term, leafDepth)));
        var moves = LeafAlignment.Moves([.. edges.Select(e => e.ToEdge())]);

        // Each shard gives at most one move; all are in once every move has returned.
        await Task.WhenAll(moves.Select(m => shards[m.From].MortonAlignAsync(term, m.To, m.Count, chunkBytes)));
        var pointCounts = LeafAlignment.CountsAfter([.. edges.Select(e => e.ToEdge())], moves);
        token.ThrowIfCancellationRequested();
        var leafCounts = await Task.WhenAll(shards.Select(s => s.MortonLeavesAsync(term, leafDepth)));
        var perLeaf = MortonLeafChunk.LeavesPerChunk(morton.Dimension, chunkBytes);
        var parts = await Task.WhenAll(shards.Select(async (s, k) =>
        {
            var chunks = new List<LeafClusters>();
            for (var at = 0; at < leafCounts[k]; at += perLeaf)
            {
                chunks.Add((await s.GetMortonLeavesAsync(term, at, Math.Min(perLeaf, leafCounts[k] - at))).ToLeaves(leafDepth, morton.Dimension));
            }

            return chunks;
        }));
        var leaves = LeafClusters.Concatenate([.. parts.SelectMany(p => p)], leafDepth, morton.Dimension);
        var hierarchy = ClusterHierarchy.FromLeaves(morton, leaves, depths);
        return new MortonSortedSide(hierarchy, sorted.CellCounts, Prefix(pointCounts), Prefix(leafCounts));
    }

    private static int[] Prefix(IEnumerable<int> counts)
    {
        var offsets = new List<int> { 0 };
        foreach (var count in counts)
        {
            offsets.Add(offsets[^1] + count);
        }

        return [.. offsets];
    }
}
