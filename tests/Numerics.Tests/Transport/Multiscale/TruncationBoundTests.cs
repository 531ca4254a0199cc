using Transport.Numerics.Geometry;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>The hierarchy and the truncation bound against brute force over every member pair.</summary>
public sealed class TruncationBoundTests
{
    [Theory]
    [InlineData(2, CostFunction.SquaredEuclidean)]
    [InlineData(3, CostFunction.HalfSquaredEuclidean)]
    public void Log_density_bound_dominates_every_member_pair_at_every_level(int dim, CostFunction cost)
    {
        const int n = 300, m = 250;
        const double epsilon = 0.03;
        var x = PointCloud.Create(TestData.Points(n, dim, seed: 31), n, dim, TestData.Weights(n, 32));
        var y = PointCloud.Create(TestData.Points(m, dim, seed: 33, scale: 0.7, shift: 0.2), m, dim);
        var (source, target) = Build(x, y, levels: 4);
        // Potentials shaped like real ones (a smooth trend plus noise), in sorted order.
        var random = new Random(34);
        var f = Enumerable.Range(0, n).Select(i => (0.8 * source[0].Positions[i * dim]) + (0.05 * random.NextDouble())).ToArray();
        var g = Enumerable.Range(0, m).Select(j => (-0.5 * target[0].Positions[j * dim]) + (0.05 * random.NextDouble())).ToArray();
        var search = new TruncationSearch(source, target, 0, f, g, epsilon, 5, cost);

        for (var level = 1; level < source.LevelCount; level++)
        {
            var rows = source.Boundaries(level, 0);
            var columns = target.Boundaries(level, 0);
            for (var i = 0; i < source[level].Count; i++)
            {
                for (var j = 0; j < target[level].Count; j++)
                {
                    // Brute-force float64 maximum of (f_i + g_j - C_ij) / eps over the members.
                    var worst = double.NegativeInfinity;
                    for (var a = rows[i]; a < rows[i + 1]; a++)
                    {
                        for (var b = columns[j]; b < columns[j + 1]; b++)
                        {
                            var c = cost.Evaluate(source[0].Positions.AsSpan(a * dim, dim), target[0].Positions.AsSpan(b * dim, dim));
                            worst = Math.Max(worst, (f[a] + g[b] - c) / epsilon);
                        }
                    }

                    var bound = search.LogDensityBound(new BlockPair(level, i, j));
                    // 1e-9 absorbs rounding of the centroid and radius arithmetic.
                    Assert.True(bound >= worst - 1e-9, $"level {level} pair ({i}, {j}): bound {bound} < brute force {worst}");
                }
            }
        }
    }

    [Fact]
    public void Clusters_are_contiguous_nested_and_carry_their_members_mass_and_radius()
    {
        const int n = 500, dim = 3;
        var x = PointCloud.Create(TestData.Points(n, dim, seed: 41), n, dim, TestData.Weights(n, 42));
        var (source, _) = Build(x, x, levels: 4);

        Assert.Equal(Enumerable.Range(0, n), source.Order.Order());
        for (var level = 1; level < source.LevelCount; level++)
        {
            var boundaries = source.Boundaries(level, 0);
            var radii = source.Radii(level, 0);
            Assert.Equal(0, boundaries[0]);
            Assert.Equal(n, boundaries[^1]);
            for (var c = 0; c < source[level].Count; c++)
            {
                Assert.True(boundaries[c + 1] > boundaries[c], "clusters are non-empty ranges");
                var mass = 0.0;
                for (var s = boundaries[c]; s < boundaries[c + 1]; s++)
                {
                    mass += source[0].Weights[s];
                    var distance = Math.Sqrt(CostFunction.SquaredEuclidean.Evaluate(source[0].Positions.AsSpan(s * dim, dim), source[level].Positions.AsSpan(c * dim, dim)));
                    Assert.True(distance <= radii[c] + 1e-12);
                }

                Assert.Equal(mass, source[level].Weights[c], 12);
            }

            Assert.True(source[level].Count <= source[level - 1].Count);
        }

        // Sorted point s is input point Order[s].
        for (var s = 0; s < n; s++)
        {
            Assert.Equal(x.Point(source.Order[s]).ToArray(), source[0].Positions.AsSpan(s * dim, dim).ToArray());
        }
    }

    private static (ClusterHierarchy Source, ClusterHierarchy Target) Build(PointCloud x, PointCloud y, int levels)
    {
        var morton = new MortonOrder(BoundingBox.Of(x).Union(BoundingBox.Of(y)));
        var (xCodes, xOrder) = morton.Sort(x.Positions, x.Count);
        var (yCodes, yOrder) = morton.Sort(y.Positions, y.Count);
        var depths = LevelDepths.Choose(morton, xCodes, yCodes, new MultiscaleOptions { Levels = levels, LeafClusterSize = 8 });
        return (ClusterHierarchy.Build(x, morton, xCodes, xOrder, depths), ClusterHierarchy.Build(y, morton, yCodes, yOrder, depths));
    }
}
