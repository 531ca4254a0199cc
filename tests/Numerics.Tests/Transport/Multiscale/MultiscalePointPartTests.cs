using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// A side's points cut into parts of whole leaves (what shards hold): what the parts measure, put together, against the
/// same measures over the whole side (<see cref="ClusterHierarchy.Radii"/>, <see cref="ClusterHierarchy.Maxima"/>,
/// <see cref="ClusterSlopes.Fit"/>, the in-process extrapolation). Maxima and radii combine exactly, so they must be
/// bitwise equal; so must the envelope of every cluster whole in one part and every extrapolated potential (a row's
/// keys are the same leaves in the same order). A cluster shared by parts is fitted from summed moments instead of one
/// pass: equal to rounding (1e-9 relative to the potential's range).
/// </summary>
public sealed class MultiscalePointPartTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    [InlineData(3, 9)]
    public void Parts_put_together_give_the_whole_sides_bounds(int dim, int partCount)
    {
        const int n = 1500;
        var (source, _) = Build(dim, n, 900, levels: 4);
        var random = new Random(5);
        var f = Enumerable.Range(0, n).Select(i => (0.8 * source[0].Positions[i * dim]) + (0.05 * random.NextDouble())).ToArray();
        var (parts, partLevels, pointOffsets) = Split(source, partCount);

        var radii = MultiscaleBoundsAssembly.CombineRadii(source, partLevels, [.. parts.Select(p => p.Radii())]);
        var assembly = new MultiscaleBoundsAssembly(source, partLevels, [.. parts.Select((p, k) => p.Bounds(f.AsSpan(pointOffsets[k], p.PointCount)))]);
        Assert.Equal(partCount > 1, assembly.HasSharedClusters);
        var residuals = parts.Select((p, k) => p.SharedResiduals(f.AsSpan(pointOffsets[k], p.PointCount), assembly.SharedSlopes(k))).ToArray();
        var bounds = assembly.Complete(residuals, radii);

        var range = f.Max() - f.Min();
        for (var m = 1; m < source.LevelCount; m++)
        {
            var whole = ClusterBounds.Measure(source, m, 0, f);
            Assert.Equal(whole.Radii, bounds[m]!.Radii);
            Assert.Equal(whole.Maxima, bounds[m]!.Maxima);
            var shared = SharedClusters(partLevels, m);
            for (var c = 0; c < source[m].Count; c++)
            {
                var tolerance = shared.Contains(c) ? 1e-9 * range : 0;
                Assert.True(Math.Abs(whole.Slopes.ResidualMax[c] - bounds[m]!.Slopes.ResidualMax[c]) <= tolerance, $"level {m} cluster {c}: residual {bounds[m]!.Slopes.ResidualMax[c]} vs {whole.Slopes.ResidualMax[c]}");
                for (var k = 0; k < dim; k++)
                {
                    var expected = whole.Slopes.Slopes[(c * dim) + k];
                    var actual = bounds[m]!.Slopes.Slopes[(c * dim) + k];
                    Assert.True(Math.Abs(expected - actual) <= (shared.Contains(c) ? 1e-9 * (1 + Math.Abs(expected)) : 0), $"level {m} cluster {c} slope {k}: {actual} vs {expected}");
                }
            }
        }
    }

    [Theory]
    [InlineData(2, 2, 3)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 2, 5)]
    [InlineData(4, 3, 4)]
    public void Extrapolation_on_parts_equals_the_whole_side_transform_bitwise(int levels, int dim, int partCount)
    {
        const int n = 1200, m = 1000;
        const double epsilon = 0.02;
        var (source, target) = Build(dim, n, m, levels);
        var options = new SinkhornOptions { Epsilon = epsilon };
        var random = new Random(8);
        var leafG = Enumerable.Range(0, target[1].Count).Select(_ => 0.1 * random.NextDouble()).ToArray();
        BlockPattern? coarse = null;
        if (levels > 2)
        {
            // A pattern on level 2 that keeps each source cluster's nearest target clusters (and drops the rest).
            var pairs = new List<(int, int)>();
            for (var i = 0; i < source[2].Count; i++)
            {
                var nearest = Enumerable.Range(0, target[2].Count)
                    .OrderBy(j => Distance(source[2].Positions.AsSpan(i * dim, dim), target[2].Positions.AsSpan(j * dim, dim)))
                    .Take(3);
                pairs.AddRange(nearest.Select(j => (i, j)));
            }

            coarse = BlockPattern.FromPairs(source[2].Count, target[2].Count, pairs);
        }

        var stage = MultiscaleStage.Create(source, target, 1, 0, coarse, options);
        var expected = new double[n];
        stage.SourceUpdate.Apply(leafG, epsilon, expected);

        var (parts, partLevels, pointOffsets) = Split(source, partCount);
        var actual = new double[n];
        long evaluations = 0;
        for (var k = 0; k < parts.Length; k++)
        {
            var plan = MultiscaleExtrapolationPlan.Create(target, coarse, levels > 2 ? partLevels[k][2] : null, leafG);
            parts[k].Extrapolate(plan, epsilon, options, out var partEvaluations).CopyTo(actual, pointOffsets[k]);
            evaluations += partEvaluations;
        }

        Assert.Equal(expected, actual);
        Assert.Equal(stage.SourceUpdate.EvaluationsPerCall, evaluations);
    }

    private static double Distance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            sum += (x[k] - y[k]) * (x[k] - y[k]);
        }

        return sum;
    }

    private static HashSet<int> SharedClusters(MultiscalePartLevel?[][] partLevels, int m) =>
        [.. partLevels.SelectMany(levels => levels[m]!.SharedClusters().Select(t => levels[m]!.FirstCluster + t))];

    /// <summary>Cuts the side into parts of whole leaves, balanced by points (some cuts fall inside coarser clusters).</summary>
    private static (MultiscalePointPart[] Parts, MultiscalePartLevel?[][] Levels, int[] PointOffsets) Split(ClusterHierarchy side, int partCount)
    {
        var dim = side[0].Dimension;
        var leafPoints = side.Boundaries(1, 0);
        var leafOffsets = MultiscaleShardLayout.SplitClusters(leafPoints, partCount);
        var pointOffsets = MultiscaleShardLayout.PointOffsets(leafPoints, leafOffsets);
        var parts = new MultiscalePointPart[partCount];
        var levels = new MultiscalePartLevel?[partCount][];
        for (var k = 0; k < partCount; k++)
        {
            var (start, end) = (pointOffsets[k], pointOffsets[k + 1]);
            var local = leafPoints[leafOffsets[k]..(leafOffsets[k + 1] + 1)].Select(p => p - start).ToArray();
            parts[k] = new MultiscalePointPart(side[0].Positions[(start * dim)..(end * dim)], side[0].Weights[start..end], dim, local);
            levels[k] = MultiscalePartLevel.Of(side, leafOffsets[k], leafOffsets[k + 1]);
            parts[k].UseLevels(levels[k]);
        }

        return (parts, levels, pointOffsets);
    }

    private static (ClusterHierarchy Source, ClusterHierarchy Target) Build(int dim, int n, int m, int levels)
    {
        // A spread cloud with a tight clump (uneven leaves) against a shifted, smaller one.
        var xs = TestData.Points(n, dim, seed: 61);
        for (var i = 0; i < n / 5; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                xs[(i * dim) + k] = 0.3 + (0.01 * xs[(i * dim) + k]);
            }
        }

        var x = PointCloud.Create(xs, n, dim, TestData.Weights(n, 62));
        var y = PointCloud.Create(TestData.Points(m, dim, seed: 63, scale: 0.7, shift: 0.2), m, dim);
        var morton = new MortonOrder(BoundingBox.Of(x).Union(BoundingBox.Of(y)));
        var (xCodes, xOrder) = morton.Sort(x.Positions, x.Count);
        var (yCodes, yOrder) = morton.Sort(y.Positions, y.Count);
        var depths = LevelDepths.Choose(morton, xCodes, yCodes, new MultiscaleOptions { Levels = levels, LeafClusterSize = 8 });
        return (ClusterHierarchy.Build(x, morton, xCodes, xOrder, depths), ClusterHierarchy.Build(y, morton, yCodes, yOrder, depths));
    }
}
