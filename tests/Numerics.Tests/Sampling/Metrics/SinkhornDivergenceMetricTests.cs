using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Tests.Sampling.Metrics;

/// <summary>The sample-quality Sinkhorn divergence: zero on identical clouds, |h|^2 / 2 on a translated copy.</summary>
public sealed class SinkhornDivergenceMetricTests
{
    [Fact]
    public void Identical_clouds_have_zero_divergence_to_solver_tolerance()
    {
        // Cross and self problems are solved by different iterations to an L1 marginal error of 1e-10; the values
        // differ by about that times the cost scale (~1), so |S| <= 1e-8.
        const int n = 50, d = 2;
        var x = TestData.Points(n, d, seed: 31);

        var result = SinkhornDivergenceMetric.Compute(x, x, d, tolerance: 1e-10, maxIterations: 100_000);

        Assert.True(result.Converged, $"not converged after {result.Iterations} iterations");
        Assert.True(Math.Abs(result.Value) <= 1e-8, $"S = {result.Value:E3} after {result.Iterations} iterations");
    }

    [Fact]
    public void A_translated_copy_has_divergence_half_the_squared_shift()
    {
        // For the half squared cost the linear part of |x - y - h|^2 / 2 is absorbed by the potentials, so
        // S_eps = |h|^2 / 2 exactly at every blur (math.md OT-5). Solver to 1e-10 (L1): 1e-7 absolute on 0.325.
        // Also checks the default blur, 0.05 x the diameter of the joint bounding box, computed here directly.
        const int n = 40, d = 2;
        double[] h = [0.7, -0.4];
        var x = TestData.Points(n, d, seed: 32);
        var y = x.Select((v, i) => v + h[i % d]).ToArray();
        var weights = TestData.Weights(n, seed: 33);

        var result = SinkhornDivergenceMetric.Compute(x, y, d, weights, weights, tolerance: 1e-10, maxIterations: 100_000);

        Assert.True(result.Converged);
        Assert.Equal(0.325, result.Value, 1e-7);
        var all = x.Concat(y).ToArray();
        var diameter = Math.Sqrt(Enumerable.Range(0, d).Sum(k =>
        {
            var coordinate = all.Where((_, i) => i % d == k).ToArray();
            return Math.Pow(coordinate.Max() - coordinate.Min(), 2);
        }));
        Assert.Equal(0.05 * diameter, result.Blur, 1e-14);
        Assert.Equal(result.Blur * result.Blur, result.Epsilon, 1e-15);
    }

    [Fact]
    public void A_single_common_point_gives_zero_without_solving()
    {
        var result = SinkhornDivergenceMetric.Compute([1.0, 2.0], [1.0, 2.0], 2);
        Assert.Equal(0.0, result.Value);
    }

    [Fact]
    public void Rejects_a_non_positive_blur()
    {
        var error = Assert.Throws<InvalidInputException>(() => SinkhornDivergenceMetric.Compute([0.0], [1.0], 1, blur: 0.0));
        Assert.Equal("blur", error.Field);
    }
}
