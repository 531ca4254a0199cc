using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>The multiscale Sinkhorn divergence against the dense one and a closed form.</summary>
public sealed class MultiscaleDivergenceTests
{
    [Fact]
    public void Divergence_matches_the_dense_divergence()
    {
        var problem = MultiscaleTestProblems.Random(1000, 900, 2, seed: 51);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.05, CostFunction.SquaredEuclidean), Tolerance = 1e-7 };

        var dense = SinkhornDivergence.Compute(problem, options);
        var multiscale = MultiscaleSinkhornDivergence.Compute(problem, options, new MultiscaleOptions { Levels = 3, LeafClusterSize = 16 });

        Assert.True(dense.Converged && multiscale.Converged);
        // S is a difference of three OT values: compare at 1e-4 of the largest of them.
        var scale = Math.Max(Math.Abs(dense.Cross.Dual), Math.Max(Math.Abs(dense.SelfSource.Dual), Math.Abs(dense.SelfTarget.Dual)));
        Assert.True(Math.Abs(dense.Value - multiscale.Value) <= 1e-4 * scale, $"dense {dense.Value:R}, multiscale {multiscale.Value:R}");
    }

    [Fact]
    public void Translated_copy_has_divergence_equal_to_the_squared_shift()
    {
        // OT-5 (math.md): for b = a + h and c = |x - y|^2, S_eps = |h|^2 at every eps.
        const int n = 1000, dim = 2;
        var x = TestData.Points(n, dim, seed: 52);
        var y = x.Select((v, k) => v + (k % dim == 0 ? 0.4 : -0.25)).ToArray();
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim), PointCloud.Create(y, n, dim));
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.05, CostFunction.SquaredEuclidean), Tolerance = 1e-7 };

        var divergence = MultiscaleSinkhornDivergence.Compute(problem, options, new MultiscaleOptions { Levels = 3, LeafClusterSize = 16 });

        Assert.True(divergence.Converged);
        // 1e-5 relative to |h|^2 = 0.2225: each term's marginals are within 1e-7, the neglected mass 1e-5.
        TestData.AssertRelative(0.4 * 0.4 + 0.25 * 0.25, divergence.Value, 1e-5, what: "divergence");
    }
}
