using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Grains.Tests;

[Collection(OneSiloTrafficGroup.Name)]
public sealed class DistributedMortonSortOneSiloTests(OneSiloTrafficFixture fixture, ITestOutputHelper log)
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public Task The_shards_sort_equals_the_single_process_sort_and_hierarchy_with_every_message_within_the_chunk(int shards) =>
        DistributedMortonSortCheck.RunAsync(fixture.Grains, $"morton-sort-1silo-{shards}", shards, SinkhornTerm.Cross, log);

    [Fact]
    public Task A_self_term_sorts_its_own_cloud_on_its_own_box() =>
        DistributedMortonSortCheck.RunAsync(fixture.Grains, "morton-sort-1silo-self", 4, SinkhornTerm.SelfTarget, log);

    [Fact]
    public async Task Clouds_too_small_for_clusters_give_the_dense_reason_of_the_single_process_choice_and_no_levels()
    {
        const string Id = "morton-sort-1silo-dense";
        var (source, target) = DistributedMortonSortCheck.Clouds(40, 30, 3);
        await DistributedMortonSortCheck.LoadAsync(fixture.Grains, Id, source, target, 3);
        var sort = new DistributedMortonSort(fixture.Grains, Id, ShardLayout.Split(source.Count, 3), ShardLayout.Split(target.Count, 3), TrafficClusterFixture.InstallChunkBytes);
        var result = await sort.RunAsync(SinkhornTerm.Cross, DistributedMortonSortCheck.Options, DistributedMortonSortCheck.Multiscale);
        Assert.NotNull(result.DenseReason);
        Assert.Empty(result.Depths);
        Assert.Equal(1, result.Source.Hierarchy.LevelCount);
        Assert.False(result.Source.Hierarchy.HasPoints);
        Assert.Equal(source.Count, result.Source.Hierarchy.PointCount);
        Assert.Equal(target.Count, result.Target.PointOffsets[^1]);
        await sort.ReleaseAsync(SinkhornTerm.Cross);
    }
}

[Collection(ThreeSiloTrafficGroup.Name)]
public sealed class DistributedMortonSortThreeSiloTests(ThreeSiloTrafficFixture fixture, ITestOutputHelper log)
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public Task The_shards_sort_equals_the_single_process_sort_and_hierarchy_with_every_message_within_the_chunk(int shards) =>
        DistributedMortonSortCheck.RunAsync(fixture.Grains, $"morton-sort-3silo-{shards}", shards, SinkhornTerm.Cross, log);
}

/// <summary>
/// The Morton sort without gathering (<see cref="DistributedMortonSort"/>) against the single-process truth, the path
/// <c>SinkhornRun</c> takes today on gathered clouds: <see cref="MortonOrder.Sort"/> of each whole cloud on the union
/// box, <see cref="LevelDepths.CellCounts"/>, <see cref="LeafSizeChoice.Choose(MortonOrder, ulong[], ulong[], MultiscaleOptions, double, Precision)"/>,
/// <see cref="LevelDepths.DenseReason(MortonOrder, ulong[], ulong[], MultiscaleOptions, int[])"/> and
/// <see cref="ClusterHierarchy.Build"/>. Everything is exact: the shards' sorted rows concatenated are the whole sort
/// (codes and input indices), every leaf lies on one shard, cell counts, leaf size, depths and estimate are equal, and
/// the coarse levels from the shards' leaves equal <see cref="ClusterHierarchy.Build"/>'s bitwise. The clouds have a
/// dense clump (40% of the points in a cube of side 1e-4) and exact duplicates (10% on one point), and are large enough
/// that shard-to-shard buckets and alignment moves take several 8 KiB messages. Every recorded call of the job carries at
/// most the chunk plus <see cref="HeaderAllowance"/> bytes of serializer framing each way (the payload itself is bounded
/// by the chunk), and what the coordinator keeps is O(leaves + shards).
/// </summary>
internal static class DistributedMortonSortCheck
{
    /// <summary>Serializer framing a message may add to its chunk-bounded payload (record and field headers, the term, lengths).</summary>
    public const int HeaderAllowance = 256;

    private const int Dimension = 3;
    private const int SourcePoints = 12_000;
    private const int TargetPoints = 9_000;

    public static SinkhornOptions Options { get; } = new() { Epsilon = 1e-3, Cost = CostFunction.SquaredEuclidean, Precision = Precision.Double };

    // A fixed budget far above the estimate: the default reads the memory available, which may move between the choices.
    public static MultiscaleOptions Multiscale { get; } = new() { MemoryBudget = 1L << 34 };

    public static (PointCloud Source, PointCloud Target) Clouds(int n, int m, int seed) => (Cloud(n, seed, 0.0), Cloud(m, seed + 1, 0.3));

    private static PointCloud Cloud(int n, int seed, double shift)
    {
        var random = new Random(seed);
        var positions = new double[n * Dimension];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            var kind = random.Next(10);
            for (var k = 0; k < Dimension; k++)
            {
                positions[(i * Dimension) + k] = shift + kind switch
                {
                    < 4 => 0.2 + (1e-4 * random.NextDouble()),
                    4 => 0.7,
                    _ => random.NextDouble(),
                };
            }

            weights[i] = random.Next(9) == 0 ? 0 : 0.1 + random.NextDouble();
        }

        return PointCloud.Create(positions, n, Dimension, weights);
    }

    /// <summary>Sets the job's shards up and uploads both clouds in messages within the chunk.</summary>
    public static async Task LoadAsync(IGrainFactory grains, string id, PointCloud source, PointCloud target, int shards)
    {
        var setup = new SinkhornShardSetup
        {
            ProblemId = id,
            SourceOffsets = ShardLayout.Split(source.Count, shards),
            TargetOffsets = ShardLayout.Split(target.Count, shards),
            Dimension = Dimension,
            Cost = "sqeuclidean",
            Precision = "double",
        };
        var rowsPerLoad = TrafficClusterFixture.InstallChunkBytes / (8 * (Dimension + 1));
        await Task.WhenAll(new[] { (CloudSide.Source, source, setup.SourceOffsets), (CloudSide.Target, target, setup.TargetOffsets) }
            .SelectMany(c => Enumerable.Range(0, c.Item3.Length - 1).Select(async k =>
            {
                var shard = grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(id, c.Item1, k));
                await shard.InitializeAsync(setup, c.Item1, k);
                var (start, end) = (c.Item3[k], c.Item3[k + 1]);
                for (var at = start; at < end; at += rowsPerLoad)
                {
                    var rows = Math.Min(rowsPerLoad, end - at);
                    await shard.LoadAsync(at - start, FloatBlock.From(c.Item2.Positions.Slice(at * Dimension, rows * Dimension), rows, Dimension), FloatBlock.FromVector(c.Item2.Weights.Slice(at, rows)));
                }
            })));
    }

    public static async Task RunAsync(IGrainFactory grains, string id, int shards, SinkhornTerm term, ITestOutputHelper log)
    {
        var (source, target) = Clouds(SourcePoints, TargetPoints, shards);
        await LoadAsync(grains, id, source, target, shards);
        var sort = new DistributedMortonSort(grains, id, ShardLayout.Split(source.Count, shards), ShardLayout.Split(target.Count, shards), TrafficClusterFixture.InstallChunkBytes);
        var result = await sort.RunAsync(term, Options, Multiscale);

        // The single-process truth, as SinkhornRun builds it from the gathered clouds of the term.
        var (x, y) = term switch
        {
            SinkhornTerm.Cross => (source, target),
            SinkhornTerm.SelfSource => (source, source),
            _ => (target, target),
        };
        var morton = new MortonOrder(BoundingBox.Of(x).Union(BoundingBox.Of(y)));
        var (xCodes, xOrder) = morton.Sort(x.Positions, x.Count);
        var (yCodes, yOrder) = morton.Sort(y.Positions, y.Count);
        var blur = Math.Sqrt(Options.Epsilon / Options.Cost.Scale());
        var choice = LeafSizeChoice.Choose(morton, xCodes, yCodes, Multiscale, blur, Options.Precision);
        var denseReason = LevelDepths.DenseReason(morton, xCodes, yCodes, Multiscale with { LeafClusterSize = choice.LeafClusterSize }, choice.Depths);
        Assert.Null(denseReason);
        Assert.Null(result.DenseReason);
        Assert.Equal(choice.LeafClusterSize, result.LeafChoice.LeafClusterSize);
        Assert.Equal(choice.Depths, result.Depths);
        Assert.Equal(choice.EstimatedPeakBytes, result.LeafChoice.EstimatedPeakBytes);
        Assert.Equal(morton.CellScale, result.Morton.CellScale);

        var sides = term == SinkhornTerm.Cross
            ? new[] { (CloudSide.Source, x, xCodes, xOrder, result.Source), (CloudSide.Target, y, yCodes, yOrder, result.Target) }
            : [(term == SinkhornTerm.SelfSource ? CloudSide.Source : CloudSide.Target, x, xCodes, xOrder, result.Source)];
        if (term != SinkhornTerm.Cross)
        {
            Assert.Same(result.Source, result.Target);
        }

        foreach (var (side, cloud, codes, order, sorted) in sides)
        {
            Assert.Equal(LevelDepths.CellCounts(morton, codes), sorted.CellCounts);
            var expected = ClusterHierarchy.Build(cloud, morton, codes, order, choice.Depths);
            AssertLevelsEqual(expected, sorted.Hierarchy);
            await AssertShardsHoldTheSortAsync(grains, id, term, side, shards, cloud, codes, order, sorted, morton, choice.Depths[0]);
        }

        // O(leaves + shards): every cluster of every level holds a centroid, a mass and a child offset; the levels
        // above the leaves hold fewer clusters than the leaves (each has at least one child), at most depths-many times.
        var leaves = sides.Sum(s => (long)s.Item5.Hierarchy[1].Count);
        var bound = (leaves * (Dimension + 2) * result.Depths.Length) + (sides.Length * ((3 * (shards + 1)) + morton.BitsPerDimension + 1)) + 64;
        log.WriteLine($"{id}: leaf size {result.LeafChoice.LeafClusterSize}, depths [{string.Join(", ", result.Depths)}], {leaves} leaves; the coordinator keeps {result.RetainedValues} values (bound {bound}; the points are {(long)(x.Count + (term == SinkhornTerm.Cross ? y.Count : 0)) * (Dimension + 1)})");
        Assert.InRange(result.RetainedValues, 1, bound);

        AssertTraffic(id, shards, log);
        await sort.ReleaseAsync(term);
    }

    private static void AssertLevelsEqual(ClusterHierarchy expected, ClusterHierarchy actual)
    {
        Assert.False(actual.HasPoints);
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

    /// <summary>The shards' sorted rows, read back in chunks, are the whole sort in shard order, and each leaf is on one shard.</summary>
    private static async Task AssertShardsHoldTheSortAsync(
        IGrainFactory grains, string id, SinkhornTerm term, CloudSide side, int shards, PointCloud cloud, ulong[] codes, int[] order, MortonSortedSide sorted, MortonOrder morton, int leafDepth)
    {
        var rowsPerRead = MortonRows.RowsPerChunk(Dimension, TrafficClusterFixture.InstallChunkBytes);
        var held = new List<MortonSortedBlock>();
        for (var k = 0; k < shards; k++)
        {
            var shard = grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(id, side, k));
            var count = sorted.PointOffsets[k + 1] - sorted.PointOffsets[k];
            var pieces = new List<MortonSortedBlock>();
            for (var at = 0; at < count; at += rowsPerRead)
            {
                pieces.Add((await shard.GetMortonRowsAsync(term, at, Math.Min(rowsPerRead, count - at))).ToBlock());
            }

            held.Add(MortonSortedBlock.Merge(pieces, Dimension));
        }

        Assert.Equal(codes, held.SelectMany(b => b.Codes).ToArray());
        Assert.Equal(order, held.SelectMany(b => b.Indices).ToArray());
        var positions = held.SelectMany(b => b.Positions).ToArray();
        var weights = held.SelectMany(b => b.Weights).ToArray();
        for (var s = 0; s < order.Length; s++)
        {
            Assert.Equal(cloud.Weights[order[s]], weights[s]);
            Assert.True(cloud.Point(order[s]).SequenceEqual(positions.AsSpan(s * Dimension, Dimension)), $"point {s}");
        }

        // Every leaf on one shard, and the leaf ranges say which.
        var owner = new Dictionary<ulong, int>();
        for (var k = 0; k < shards; k++)
        {
            var leaves = held[k].Codes.Select(c => morton.Prefix(c, leafDepth)).Distinct().ToArray();
            foreach (var leaf in leaves)
            {
                Assert.True(owner.TryAdd(leaf, k), $"leaf {leaf} on shards {owner.GetValueOrDefault(leaf)} and {k}");
            }

            Assert.Equal(leaves.Length, sorted.LeafOffsets[k + 1] - sorted.LeafOffsets[k]);
        }
    }

    private static void AssertTraffic(string id, int shards, ITestOutputHelper log)
    {
        var calls = CallTraffic.Of(id);
        var heaviest = calls.MaxBy(c => Math.Max(c.ArgumentBytes, c.ResultBytes))!;
        var receives = calls.Where(c => c.Method.Contains("MortonReceive", StringComparison.Ordinal)).ToArray();
        var perPair = receives.GroupBy(c => (c.Source, c.Target)).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        var aligns = calls.Count(c => c.Method.Contains("MortonAlign", StringComparison.Ordinal));
        var heaviestSort = calls.Where(c => c.Method.Contains("Morton", StringComparison.Ordinal)).MaxBy(c => Math.Max(c.ArgumentBytes, c.ResultBytes))!;
        log.WriteLine($"{id}: {calls.Length} calls, {receives.Length} shard-to-shard row messages (at most {perPair} between two shards), {aligns} alignment moves; "
            + $"the heaviest {heaviest.Method}: {heaviest.ArgumentBytes} bytes in, {heaviest.ResultBytes} out, of the sort {heaviestSort.Method}: {heaviestSort.ArgumentBytes} in, {heaviestSort.ResultBytes} out (chunk {TrafficClusterFixture.InstallChunkBytes})");
        Assert.All(calls, c => Assert.True(
            c.ArgumentBytes <= TrafficClusterFixture.InstallChunkBytes + HeaderAllowance && c.ResultBytes <= TrafficClusterFixture.InstallChunkBytes + HeaderAllowance,
            $"{c.Method} carried {c.ArgumentBytes} bytes in and {c.ResultBytes} out"));
        if (shards > 1)
        {
            // The rows go shard to shard, never through the caller, and a bucket takes several messages.
            Assert.All(receives, c => Assert.Contains(id, c.Source ?? string.Empty, StringComparison.Ordinal));
            Assert.True(perPair > 1, "no bucket needed more than one message: the clouds are too small to test the chunking");
            Assert.True(aligns > 0, "no leaf straddled two shards: the clump should have");
        }
    }
}
