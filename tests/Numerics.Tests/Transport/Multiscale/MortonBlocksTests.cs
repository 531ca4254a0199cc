using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// The pieces of a Morton sort done in blocks (<see cref="MortonSortedBlock"/>, <see cref="MortonSplitters"/>,
/// <see cref="MortonCellSummary"/>, <see cref="LeafAlignment"/>, <see cref="LeafClusters"/>,
/// <see cref="ClusterHierarchy.FromLeaves"/>) against the single-process truth: <see cref="MortonOrder.Sort"/> of the
/// whole cloud, <see cref="LevelDepths.CellCounts"/> of its codes and <see cref="ClusterHierarchy.Build"/>. Orders,
/// counts and the hierarchy from the leaves are exact (bitwise); <see cref="ClusterHierarchy.Build"/>'s coarse levels are
/// checked against a direct aggregation of their points within 1e-12 relative (sums grouped by child instead of by point).
/// </summary>
public sealed class MortonBlocksTests(ITestOutputHelper output)
{
    private const double AggregationRelative = 1e-12;

    /// <summary>A cloud with a dense clump, exact duplicates and some zero weights, in [0, 1]^d.</summary>
    private static PointCloud SkewedCloud(int n, int d, int seed)
    {
        var random = new Random(seed);
        var positions = new double[n * d];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            var kind = random.Next(10);
            for (var k = 0; k < d; k++)
            {
                positions[(i * d) + k] = kind switch
                {
                    < 4 => 0.3 + (1e-4 * random.NextDouble()), // the clump
                    4 => 0.75, // exact duplicates
                    _ => random.NextDouble(),
                };
            }

            weights[i] = random.Next(7) == 0 ? 0 : random.NextDouble();
        }

        weights[0] = 1; // some mass
        return PointCloud.Create(positions, n, d, weights);
    }

    /// <summary>Random cuts of [0, n) into <paramref name="blocks"/> blocks, some of them empty.</summary>
    private static int[] RandomOffsets(int n, int blocks, Random random)
    {
        var cuts = Enumerable.Range(0, blocks - 1).Select(_ => random.Next(n + 1)).Order().ToList();
        if (blocks > 2)
        {
            cuts[blocks / 2] = cuts[(blocks / 2) - 1]; // an empty block
        }

        return [0, .. cuts, n];
    }

    private static MortonSortedBlock[] SortInBlocks(MortonOrder morton, PointCloud cloud, int[] offsets)
    {
        var d = cloud.Dimension;
        return [.. Enumerable.Range(0, offsets.Length - 1).Select(b => MortonSortedBlock.Sort(
            morton,
            cloud.Positions.Slice(offsets[b] * d, (offsets[b + 1] - offsets[b]) * d),
            cloud.Weights.Slice(offsets[b], offsets[b + 1] - offsets[b]),
            offsets[b]))];
    }

    /// <summary>The sample sort of the shards, in process: local sorts, splitters from samples, buckets, merges.</summary>
    private static MortonSortedBlock[] SampleSort(MortonOrder morton, PointCloud cloud, int[] offsets, int samples)
    {
        var local = SortInBlocks(morton, cloud, offsets);
        var blocks = local.Length;
        var (codes, indices) = MortonSplitters.Choose([.. local.Select(b => { var s = b.Sample(samples); return new MortonKeySample(s.Codes, s.Indices, b.Count); })], blocks);
        var received = Enumerable.Range(0, blocks).Select(_ => new List<MortonSortedBlock>()).ToArray();
        foreach (var block in local)
        {
            var bounds = block.BucketBoundaries(codes, indices);
            for (var j = 0; j < blocks; j++)
            {
                received[j].Add(block.Slice(bounds[j], bounds[j + 1] - bounds[j]));
            }
        }

        return [.. received.Select(r => MortonSortedBlock.Merge(r, cloud.Dimension))];
    }

    private static void AssertSortedLike(PointCloud cloud, MortonOrder morton, IEnumerable<MortonSortedBlock> blocks)
    {
        var (codes, order) = morton.Sort(cloud.Positions, cloud.Count);
        var all = MortonSortedBlock.Merge([.. blocks], cloud.Dimension);
        var concatenatedCodes = blocks.SelectMany(b => b.Codes).ToArray();
        var concatenatedIndices = blocks.SelectMany(b => b.Indices).ToArray();
        Assert.Equal(codes, concatenatedCodes);
        Assert.Equal(order, concatenatedIndices);
        var d = cloud.Dimension;
        var positions = blocks.SelectMany(b => b.Positions).ToArray();
        var weights = blocks.SelectMany(b => b.Weights).ToArray();
        for (var s = 0; s < cloud.Count; s++)
        {
            Assert.Equal(cloud.Point(order[s]).ToArray(), positions.AsSpan(s * d, d).ToArray());
            Assert.Equal(cloud.Weights[order[s]], weights[s]);
        }

        Assert.Equal(codes, all.Codes);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 3)]
    public void The_merge_of_blocks_sorted_apart_equals_MortonOrder_Sort_of_the_whole_cloud(int seed, int dimension)
    {
        var cloud = SkewedCloud(3000, dimension, seed);
        var morton = new MortonOrder(BoundingBox.Of(cloud));
        var offsets = RandomOffsets(cloud.Count, 6, new Random(seed));
        var merged = MortonSortedBlock.Merge(SortInBlocks(morton, cloud, offsets), dimension);
        AssertSortedLike(cloud, morton, [merged]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    [InlineData(8, 3)]
    public void The_sample_sort_concatenated_in_block_order_equals_MortonOrder_Sort_and_its_buckets_are_balanced(int blocks, int seed)
    {
        var cloud = SkewedCloud(4000, 3, seed);
        var morton = new MortonOrder(BoundingBox.Of(cloud));
        var sorted = SampleSort(morton, cloud, [.. Enumerable.Range(0, blocks + 1).Select(k => k * cloud.Count / blocks)], 4 * blocks);
        AssertSortedLike(cloud, morton, sorted);

        // Regular sampling bounds a bucket by n / p + n / s per block sampled: 2n / p here (s = 4p, p blocks).
        Assert.All(sorted, b => Assert.InRange(b.Count, 0, 2 * cloud.Count / blocks));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Cell_counts_combined_in_block_order_equal_LevelDepths_CellCounts_of_the_whole_cloud(int seed)
    {
        var random = new Random(seed);
        var cloud = SkewedCloud(2000, 2, seed);
        var morton = new MortonOrder(BoundingBox.Of(cloud));
        var (codes, _) = morton.Sort(cloud.Positions, cloud.Count);
        var expected = LevelDepths.CellCounts(morton, codes);
        foreach (var blocks in new[] { 1, 2, 5, 9 })
        {
            var offsets = RandomOffsets(codes.Length, blocks, random);
            var summaries = Enumerable.Range(0, blocks).Select(b => MortonCellSummary.Of(morton, codes.AsSpan(offsets[b], offsets[b + 1] - offsets[b]))).ToArray();
            Assert.Equal(expected, MortonCellSummary.Combine(summaries, morton.BitsPerDimension + 1));
        }
    }

    [Fact]
    public void A_cell_across_three_blocks_with_empty_blocks_between_is_counted_once()
    {
        var morton = new MortonOrder(new BoundingBox([0.0], [1.0]));
        var cell = morton.Code([0.5]);
        ulong[] codes = [morton.Code([0.1]), cell, cell, cell, cell, cell, morton.Code([0.9])];

        // [0.1, c] [] [c, c] [] [c, c, 0.9]: the cell of c spans three non-empty blocks.
        int[] offsets = [0, 2, 2, 4, 4, 7];
        var summaries = Enumerable.Range(0, 5).Select(b => MortonCellSummary.Of(morton, codes.AsSpan(offsets[b], offsets[b + 1] - offsets[b]))).ToArray();
        var combined = MortonCellSummary.Combine(summaries, morton.BitsPerDimension + 1);
        Assert.Equal(LevelDepths.CellCounts(morton, codes), combined);
        Assert.Equal(3, combined[^1]);
        Assert.Equal(1, combined[0]);
        Assert.Equal(new int[morton.BitsPerDimension + 1], MortonCellSummary.Combine([summaries[1], summaries[3]], morton.BitsPerDimension + 1));
    }

    [Fact]
    public void The_depth_choice_from_cell_counts_equals_the_choice_from_codes()
    {
        var source = SkewedCloud(3000, 3, 11);
        var target = SkewedCloud(2500, 3, 12);
        var morton = new MortonOrder(BoundingBox.Of(source).Union(BoundingBox.Of(target)));
        var (sourceCodes, _) = morton.Sort(source.Positions, source.Count);
        var (targetCodes, _) = morton.Sort(target.Positions, target.Count);
        var sourceCells = LevelDepths.CellCounts(morton, sourceCodes);
        var targetCells = LevelDepths.CellCounts(morton, targetCodes);
        var options = new MultiscaleOptions();
        const double Blur = 0.01;
        var fromCodes = LeafSizeChoice.Choose(morton, sourceCodes, targetCodes, options, Blur, Precision.Double);
        var fromCells = LeafSizeChoice.Choose(morton, sourceCells, targetCells, source.Count, target.Count, options, Blur, Precision.Double);
        Assert.Equal(fromCodes.LeafClusterSize, fromCells.LeafClusterSize);
        Assert.Equal(fromCodes.Depths, fromCells.Depths);
        Assert.Equal(fromCodes.EstimatedPeakBytes, fromCells.EstimatedPeakBytes);
        Assert.Equal(LevelDepths.Choose(morton, sourceCodes, targetCodes, options, Blur), LevelDepths.Choose(morton, sourceCells, targetCells, source.Count, target.Count, options, Blur));
        var chosen = options with { LeafClusterSize = fromCells.LeafClusterSize };
        Assert.Equal(
            LevelDepths.DenseReason(morton, sourceCodes, targetCodes, chosen, fromCodes.Depths),
            LevelDepths.DenseReason(sourceCells, targetCells, source.Count, target.Count, chosen, fromCells.Depths));
    }

    /// <summary>Blocks of sorted codes cut at <paramref name="offsets"/>, aligned by the moves, as per-block code lists.</summary>
    private static List<ulong>[] Align(MortonOrder morton, ulong[] codes, int[] offsets, int depth, out LeafMove[] moves)
    {
        var blocks = Enumerable.Range(0, offsets.Length - 1).Select(b => codes[offsets[b]..offsets[b + 1]].ToList()).ToArray();
        var edges = blocks.Select(b => LeafEdge.Of(morton, b.ToArray(), depth)).ToArray();
        moves = LeafAlignment.Moves(edges);
        var counts = LeafAlignment.CountsAfter(edges, moves);
        var received = blocks.Select(_ => new List<ulong>()).ToArray();
        foreach (var move in moves)
        {
            received[move.To].AddRange(blocks[move.From].Take(move.Count));
        }

        for (var b = 0; b < blocks.Length; b++)
        {
            var given = moves.Where(m => m.From == b).Sum(m => m.Count);
            blocks[b] = [.. blocks[b].Skip(given), .. received[b]];
            Assert.Equal(counts[b], blocks[b].Count);
        }

        return blocks;
    }

    private static void AssertEveryLeafOnOneBlock(MortonOrder morton, ulong[] codes, List<ulong>[] aligned, int depth)
    {
        Assert.Equal(codes, aligned.SelectMany(b => b).ToArray());
        var seen = new Dictionary<ulong, int>();
        for (var b = 0; b < aligned.Length; b++)
        {
            foreach (var code in aligned[b])
            {
                var leaf = morton.Prefix(code, depth);
                Assert.Equal(b, seen.TryGetValue(leaf, out var block) ? block : seen[leaf] = b);
            }
        }
    }

    [Fact]
    public void Alignment_moves_a_leaf_spanning_three_blocks_and_empty_blocks_to_its_first_block()
    {
        var morton = new MortonOrder(new BoundingBox([0.0], [1.0]));
        const int Depth = 2; // leaves are quarters of [0, 1]
        ulong[] codes = [.. new[] { 0.1, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.6, 0.9 }.Select(x => morton.Code([x]))];

        // [0.1, 0.3] [] [0.3, 0.3] [0.3, 0.3, 0.4] [0.6] [] [0.6, 0.9]: the leaf [0.25, 0.5) over four blocks, [0.5, 0.75) over two.
        int[] offsets = [0, 2, 2, 4, 7, 8, 8, 10];
        var aligned = Align(morton, codes, offsets, Depth, out var moves);
        Assert.Equal([new LeafMove(2, 0, 2), new LeafMove(3, 0, 3), new LeafMove(6, 4, 1)], moves);
        AssertEveryLeafOnOneBlock(morton, codes, aligned, Depth);
        Assert.Equal([7, 0, 0, 0, 2, 0, 1], aligned.Select(b => b.Count).ToArray());
    }

    [Fact]
    public void Alignment_leaves_blocks_cut_at_leaf_boundaries_alone_and_moves_a_first_leaf_whose_owner_gave_its_start()
    {
        var morton = new MortonOrder(new BoundingBox([0.0], [1.0]));
        const int Depth = 2;
        ulong[] codes = [.. new[] { 0.1, 0.3, 0.6, 0.9 }.Select(x => morton.Code([x]))];
        var unchanged = Align(morton, codes, [0, 1, 2, 2, 3, 4], Depth, out var none);
        Assert.Empty(none);
        Assert.Equal([1, 1, 0, 1, 1], unchanged.Select(b => b.Count).ToArray());

        // [] [0.1] [0.1, 0.3] [0.3]: block 2 gives its 0.1 to block 1 and then owns the leaf of 0.3, which block 3 gives it.
        ulong[] second = [.. new[] { 0.1, 0.1, 0.3, 0.3 }.Select(x => morton.Code([x]))];
        var aligned = Align(morton, second, [0, 0, 1, 3, 4], Depth, out var moves);
        Assert.Equal([new LeafMove(2, 1, 1), new LeafMove(3, 2, 1)], moves);
        AssertEveryLeafOnOneBlock(morton, second, aligned, Depth);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Alignment_of_random_cuts_puts_every_leaf_whole_on_the_block_of_its_first_point(int seed)
    {
        var random = new Random(seed);
        var cloud = SkewedCloud(1500, 2, seed);
        var morton = new MortonOrder(BoundingBox.Of(cloud));
        var (codes, _) = morton.Sort(cloud.Positions, cloud.Count);
        foreach (var depth in new[] { 1, 3, 6 })
        {
            foreach (var blocks in new[] { 1, 3, 8, 20 })
            {
                AssertEveryLeafOnOneBlock(morton, codes, Align(morton, codes, RandomOffsets(codes.Length, blocks, random), depth, out _), depth);
            }
        }
    }

    private static void AssertLevelsEqual(ClusterHierarchy expected, ClusterHierarchy actual)
    {
        Assert.Equal(expected.LevelCount, actual.LevelCount);
        Assert.Equal(expected.PointCount, actual.PointCount);
        for (var m = 1; m < expected.LevelCount; m++)
        {
            Assert.Equal(expected[m].Depth, actual[m].Depth);
            Assert.Equal(expected[m].ChildOffsets, actual[m].ChildOffsets);
            Assert.Equal(expected[m].Weights.Select(BitConverter.DoubleToInt64Bits), actual[m].Weights.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(expected[m].Positions.Select(BitConverter.DoubleToInt64Bits), actual[m].Positions.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(expected.Boundaries(m, 0), actual.Boundaries(m, 0));
        }
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(8, 2)]
    public void The_hierarchy_from_the_leaves_of_aligned_blocks_equals_Build_levels_1_and_up_bitwise(int blocks, int seed)
    {
        var cloud = SkewedCloud(3000, 3, seed);
        var morton = new MortonOrder(BoundingBox.Of(cloud));
        var (codes, order) = morton.Sort(cloud.Positions, cloud.Count);
        var depths = LevelDepths.Choose(morton, codes, codes, new MultiscaleOptions { Levels = 4, LeafClusterSize = 8 });
        var built = ClusterHierarchy.Build(cloud, morton, codes, order, depths);

        var sorted = SampleSort(morton, cloud, ShardOffsets(cloud.Count, blocks), 2 * blocks);
        var edges = sorted.Select(b => LeafEdge.Of(morton, b.Codes, depths[0])).ToArray();
        var moves = LeafAlignment.Moves(edges);
        var aligned = sorted.Select((b, i) =>
        {
            var given = moves.Where(m => m.From == i).Sum(m => m.Count);
            return MortonSortedBlock.Merge([b.Slice(given, b.Count - given), .. moves.Where(m => m.To == i).Select(m => sorted[m.From].Slice(0, m.Count))], b.Dimension);
        }).ToArray();
        var leaves = LeafClusters.Concatenate([.. aligned.Select(b => LeafClusters.Of(morton, b, depths[0]))], depths[0], cloud.Dimension);
        var fromLeaves = ClusterHierarchy.FromLeaves(morton, leaves, depths);

        Assert.False(fromLeaves.HasPoints);
        AssertLevelsEqual(built, fromLeaves);
        Assert.Equal(built.Boundaries(0, 0), fromLeaves.Boundaries(0, 0));
        Assert.Equal(built.Maxima(2, 1, built[1].Weights), fromLeaves.Maxima(2, 1, fromLeaves[1].Weights));
        Assert.Equal(built.Radii(3, 1), fromLeaves.Radii(3, 1));
    }

    private static int[] ShardOffsets(int n, int blocks) => [.. Enumerable.Range(0, blocks + 1).Select(k => k * n / blocks)];

    /// <summary>The direct aggregation is the arithmetic Build used before its levels 2.. were aggregated from level 1: the deviation is what that change moved.</summary>
    [Fact]
    public void Build_coarse_levels_equal_a_direct_aggregation_of_their_points_within_1e_12()
    {
        var cloud = SkewedCloud(2000, 2, 5);
        var (largestMass, largestCentroid) = (0.0, 0.0);
        var morton = new MortonOrder(BoundingBox.Of(cloud));
        var (codes, order) = morton.Sort(cloud.Positions, cloud.Count);
        var built = ClusterHierarchy.Build(cloud, morton, codes, order, LevelDepths.Choose(morton, codes, codes, new MultiscaleOptions { Levels = 4, LeafClusterSize = 8 }));
        var points = built[0];
        for (var m = 1; m < built.LevelCount; m++)
        {
            var bounds = built.Boundaries(m, 0);
            for (var c = 0; c < built[m].Count; c++)
            {
                var mass = 0.0;
                var centre = new double[2];
                for (var s = bounds[c]; s < bounds[c + 1]; s++)
                {
                    mass += points.Weights[s];
                }

                for (var s = bounds[c]; s < bounds[c + 1]; s++)
                {
                    var w = mass > 0 ? points.Weights[s] / mass : 1.0 / (bounds[c + 1] - bounds[c]);
                    centre[0] += w * points.Positions[2 * s];
                    centre[1] += w * points.Positions[(2 * s) + 1];
                }

                largestMass = Math.Max(largestMass, mass > 0 ? Math.Abs(built[m].Weights[c] - mass) / mass : 0);
                largestCentroid = Math.Max(largestCentroid, Math.Max(Math.Abs(built[m].Positions[2 * c] - centre[0]), Math.Abs(built[m].Positions[(2 * c) + 1] - centre[1])));
                TestData.AssertRelative(mass, built[m].Weights[c], AggregationRelative, 1e-300, "mass");
                TestData.AssertRelative(centre[0], built[m].Positions[2 * c], AggregationRelative, 1.0, "centroid x");
                TestData.AssertRelative(centre[1], built[m].Positions[(2 * c) + 1], AggregationRelative, 1.0, "centroid y");
            }
        }

        output.WriteLine($"largest relative mass change {largestMass:E2}, largest centroid change {largestCentroid:E2} (coordinates in [0, 1])");
    }

    [Fact]
    public void A_hierarchy_without_its_points_says_so_where_they_are_needed()
    {
        var morton = new MortonOrder(new BoundingBox([0.0], [1.0]));
        var leaves = new LeafClusters(2, 1, [0, 3], [2, 1], [0.5, 0.0], [0.1, 0.8]);
        var hierarchy = ClusterHierarchy.FromLeaves(morton, leaves, [2, 1]);
        Assert.Equal(3, hierarchy.PointCount);
        Assert.Equal([0, 2, 3], hierarchy.Boundaries(1, 0));
        Assert.Equal([0, 1, 2], hierarchy.Boundaries(2, 1)); // cells 0 and 3 of depth 2 are halves 0 and 1 at depth 1
        Assert.Equal(0.8, hierarchy[2].Positions[1]); // massless: the count-weighted mean of its one child
        Assert.Throws<InvalidOperationException>(() => hierarchy.Order);
        Assert.Throws<InvalidOperationException>(() => hierarchy[0]);
        Assert.Throws<InvalidOperationException>(() => hierarchy.Radii(1, 0));
        Assert.Throws<ArgumentException>(() => ClusterHierarchy.FromLeaves(morton, leaves with { Prefixes = [3, 0] }, [2, 1]));
        Assert.Equal(5, ClusterHierarchy.PointsNotResident(5).Boundaries(0, 0).Length - 1);
    }
}
