using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// <see cref="MultiscaleMemoryEstimate"/> against the bytes the solve's structures take, and its shape in the leaf size.
/// The measuring test is alone in its collection: <see cref="GC.GetTotalMemory"/> counts the whole process.
/// </summary>
[Collection(MemoryMeasurementGroup.Name)]
public sealed class MultiscaleMemoryEstimateTests(ITestOutputHelper output)
{
    /// <summary>
    /// Builds what the points level of a solve holds (the search's kept, dropped and expanded lists, the drops as the run
    /// holds them (the leaves' implicitly, under the expanded parents), the pattern and its transpose,
    /// both transforms with their key caches filled by one call) for 12,000 points per side in d = 3 at leaves of 8, and
    /// compares the bytes they retain (a full collection before and after) with the estimate's terms for the counted
    /// pairs. Within 1.5x either way: the terms count slots and array payloads, not object headers or the few
    /// per-level arrays the search keeps.
    /// </summary>
    [Fact]
    public void Points_structures_retain_what_the_estimate_counts_within_1_5x()
    {
        const int n = 12_000;
        var problem = CubeProblem(n, 3);
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var epsilon = Math.Pow(0.01 * box.Diameter, 2);
        var blur = Math.Sqrt(epsilon);
        var morton = new MortonOrder(box);
        var (sourceCodes, sourceOrder) = morton.Sort(problem.Source.Positions, n);
        var (targetCodes, targetOrder) = morton.Sort(problem.Target.Positions, n);
        var depths = LevelDepths.Choose(morton, sourceCodes, targetCodes, new MultiscaleOptions { LeafClusterSize = 8 }, blur);
        var source = ClusterHierarchy.Build(problem.Source, morton, sourceCodes, sourceOrder, depths);
        var target = ClusterHierarchy.Build(problem.Target, morton, targetCodes, targetOrder, depths);
        // Zero potentials keep the pairs within the blur band around the identity: a pattern of the solve's kind.
        var f = new double[n];
        var g = new double[n];
        var sourceResult = new double[n];
        var targetResult = new double[n];

        var before = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(depths.Length >= 2, "the leaves have parents");
        var search = new TruncationSearch(source, target, 0, f, g, epsilon, 5, CostFunction.SquaredEuclidean) { ImplicitBlockDrops = true };
        var (kept, dropped, expanded) = search.Search(search.CoarsestPairs());
        search.CoverEveryRowAndColumn(kept);
        var pattern = BlockPattern.FromPairs(source[1].Count, target[1].Count, kept);
        var held = DroppedPairs.From(dropped, new ImplicitChildren(1, BlockPattern.FromPairs(source[2].Count, target[2].Count, expanded), source[2].ChildOffsets, target[2].ChildOffsets, pattern));
        var transposed = pattern.Transpose();
        var forward = BlockSparseTransform.Create(source[0], source.Boundaries(1, 0), target[0], target.Boundaries(1, 0), pattern, CostFunction.SquaredEuclidean, Precision.Double, 1);
        var backward = BlockSparseTransform.Create(target[0], target.Boundaries(1, 0), source[0], source.Boundaries(1, 0), transposed, CostFunction.SquaredEuclidean, Precision.Double, 1);
        forward.Apply(g, epsilon, sourceResult);
        backward.Apply(f, epsilon, targetResult);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(search);
        GC.KeepAlive(dropped);
        GC.KeepAlive(expanded);
        GC.KeepAlive(held);
        GC.KeepAlive(forward);
        GC.KeepAlive(backward);

        var droppedPerLevel = Enumerable.Range(1, depths.Length).Select(level => (long)held.Count(p => p.Level == level)).ToArray();
        var shape = new MultiscaleMemoryShape
        {
            SourceCount = n,
            TargetCount = n,
            Dimension = 3,
            SourceClusters = [.. Enumerable.Range(1, depths.Length).Select(level => source[level].Count)],
            TargetClusters = [.. Enumerable.Range(1, depths.Length).Select(level => target[level].Count)],
            // One level up, the pairs the search expanded (the model's kept pairs there stand for them).
            KeptPairs = [pattern.PairCount, expanded.Count, .. Enumerable.Repeat(0L, depths.Length - 2)],
            DroppedPairs = droppedPerLevel,
        };
        var estimate = MultiscaleMemoryEstimate.Of(shape);
        // The workspaces are per call (gone after it); the search's per-level arrays are in SearchBounds, counted twice.
        var workspaces = Environment.ProcessorCount * 2.0 * 5 * 8 * ((double)pattern.PairCount * (n / (double)target[1].Count) / source[1].Count
            + ((double)pattern.PairCount * (n / (double)source[1].Count) / target[1].Count));
        var counted = estimate.KeptList + estimate.Patterns + estimate.DroppedList + estimate.PointTransforms - workspaces + (estimate.SearchBounds / 2.0) + (16.0 * n);
        output.WriteLine($"levels {depths.Length + 1}, leaves {source[1].Count} x {target[1].Count}, kept {pattern.PairCount}, dropped {held.Count} ({dropped.Count} listed, {expanded.Count} parents)");
        output.WriteLine($"retained {retained:N0} bytes, estimated {counted:N0} ({estimate})");
        Assert.InRange(counted / retained, 1 / 1.5, 1.5);
    }

    /// <summary>
    /// The predicted block pairs against a solve's on the bench's clouds (d = 3, blur 0.01 x diameter, its tolerance 1e-3 and
    /// float32 kernels): the model errs on the large side, by at most 3x (1.6x here).
    /// </summary>
    [Fact]
    public void Predicted_leaf_pairs_are_at_least_the_solved_ones_and_at_most_3x()
    {
        const int n = 8_000;
        var problem = CubeProblem(n, 3);
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var epsilon = Math.Pow(0.01 * box.Diameter, 2);
        var options = new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-3, Precision = Precision.Single };
        var solved = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions());
        output.WriteLine(MultiscaleTestProblems.Describe(solved));
        var levels = solved.Levels.Skip(1).ToArray();
        var morton = new MortonOrder(box);
        var radii = levels.Select(l => morton.CellScale / Math.Pow(2, DepthOf(morton, problem, l.SourceClusters) + 1)).ToArray();
        var shape = MultiscaleMemoryShape.Predicted(n, n, 3, Precision.Single, [.. levels.Select(l => l.SourceClusters)], [.. levels.Select(l => l.TargetClusters)], radii, Math.Sqrt(epsilon), 5);
        output.WriteLine($"predicted kept {string.Join(", ", shape.KeptPairs)}, dropped {string.Join(", ", shape.DroppedPairs)}");
        var leafPairs = solved.Levels[0].SurvivingBlockPairs;
        Assert.InRange((double)shape.KeptPairs[0] / leafPairs, 1.0, 3.0);
    }

    /// <summary>
    /// Larger leaves need less: for 10^6 points per side in d = 3 (blur 0.01 of the side) and 2 x 10^4 in d = 2, the peak
    /// and the kept and dropped pairs fall as the leaf size doubles from 8 (four levels throughout), up to leaves of 512
    /// and 128. Beyond that, in the small problem, a leaf's gathered keys (per thread, a row block's whole partner set)
    /// grow faster than the pattern shrinks: the estimate, like the memory, rises again.
    /// </summary>
    [Theory]
    [InlineData(1_000_000, 3, 512)]
    [InlineData(20_000, 2, 128)]
    public void Estimate_falls_as_the_leaves_grow(int n, int dimension, int largestLeaf)
    {
        MultiscaleMemoryEstimate? previous = null;
        MultiscaleMemoryShape? previousShape = null;
        for (var leaf = 8; leaf <= largestLeaf; leaf *= 2)
        {
            var shape = MultiscaleMemoryShape.Uniform(n, n, dimension, levels: 4, leaf, blur: 0.01);
            var estimate = MultiscaleMemoryEstimate.Of(shape);
            output.WriteLine($"leaf {leaf}: peak {estimate.PeakBytes:N0}, kept {string.Join(", ", shape.KeptPairs)}, dropped {shape.DroppedPairs.Sum():N0}");
            if (previous is not null)
            {
                Assert.True(estimate.PeakBytes < previous.PeakBytes, $"leaf {leaf}: {estimate.PeakBytes} >= {previous.PeakBytes} at leaf {leaf / 2}");
                Assert.True(shape.KeptPairs[0] < previousShape!.KeptPairs[0]);
                Assert.True(shape.DroppedPairs.Sum() < previousShape.DroppedPairs.Sum());
            }

            (previous, previousShape) = (estimate, shape);
        }
    }

    /// <summary>
    /// The bench's 10^6 points per side (d = 3, blur 0.01 x diameter, float32 kernels) on their actual octree cells. Leaves
    /// of about 8 points (depth 6, 3.8 source points a cell) were estimated above 20 GB while the leaves' dropped pairs
    /// were listed one by one; held implicitly, the kept pairs are most of the peak, and with their margin
    /// (<see cref="LeafSizeChoice.KeptPairMargin"/>: such a run kept 126 million pairs, 80 million predicted, and peaked
    /// at 17.6 GB) leaves of 8 are estimated above 12 GB. A budget of 12 GB (half of a 24 GB machine), like one of 4 GB
    /// (the issue's goal per process), takes the next depth: leaves of 16, a few GB (3.2 GB peak working set measured).
    /// </summary>
    [Fact]
    public void A_million_points_per_side_choose_leaves_of_16_under_12_GB_and_under_4_GB()
    {
        const int n = 1_000_000;
        var problem = CubeProblem(n, 3);
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var blur = 0.01 * box.Diameter;
        var morton = new MortonOrder(box);
        var (sourceCodes, _) = morton.Sort(problem.Source.Positions, n);
        var (targetCodes, _) = morton.Sort(problem.Target.Positions, n);
        var eight = LeafSizeChoice.Choose(morton, sourceCodes, targetCodes, new MultiscaleOptions { LeafClusterSize = 8 }, blur, Precision.Single);
        var twelve = LeafSizeChoice.Choose(morton, sourceCodes, targetCodes, new MultiscaleOptions { MemoryBudget = 12L << 30 }, blur, Precision.Single);
        var four = LeafSizeChoice.Choose(morton, sourceCodes, targetCodes, new MultiscaleOptions { MemoryBudget = 4L << 30 }, blur, Precision.Single);
        output.WriteLine($"leaf 8: {eight.EstimatedPeakBytes:N0} bytes, depths [{string.Join(", ", eight.Depths)}]; 12 GB: leaf {twelve.LeafClusterSize}, {twelve.EstimatedPeakBytes:N0} bytes; 4 GB: leaf {four.LeafClusterSize}, {four.EstimatedPeakBytes:N0} bytes, depths [{string.Join(", ", four.Depths)}]");
        Assert.InRange(eight.EstimatedPeakBytes, 12L << 30, 40e9);
        Assert.Equal(16, twelve.LeafClusterSize);
        Assert.Equal(16, four.LeafClusterSize);
        Assert.Equal(eight.Depths[0] - 1, four.Depths[0]);
        Assert.InRange(four.EstimatedPeakBytes, 1e9, 4L << 30);
    }

    /// <summary>Uniform points in the unit cube against uniform points in [0.1, 0.9]^d (the bench's multiscale clouds).</summary>
    internal static SinkhornProblem CubeProblem(int n, int dimension)
    {
        var x = TestData.Points(n, dimension, seed: 1, scale: 0.5, shift: 0.5);
        var y = TestData.Points(n, dimension, seed: 2, scale: 0.4, shift: 0.5);
        return new SinkhornProblem(PointCloud.Create(x, n, dimension), PointCloud.Create(y, n, dimension));
    }

    /// <summary>The octree depth whose cells of the source cloud number <paramref name="cells"/>.</summary>
    private static int DepthOf(MortonOrder morton, SinkhornProblem problem, int cells)
    {
        var (codes, _) = morton.Sort(problem.Source.Positions, problem.Source.Count);
        return Enumerable.Range(0, morton.BitsPerDimension + 1).First(t => morton.CountCells(codes, t) == cells);
    }
}

/// <summary>Tests that measure the process's memory run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "memory measurement (alone)";
}
