using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Tests.Sampling.Metrics;

/// <summary>Posterior component masses of a Gaussian mixture against directly evaluated densities.</summary>
public sealed class MixtureComponentMassTests
{
    private static readonly double[] Weights = [0.2, 0.5, 0.3];
    private static readonly double[][] Means = [[-2.0, 0.0], [1.0, 1.0], [0.5, -1.5]];
    private static readonly double[][,] Covariances =
    [
        new[,] { { 0.5, 0.1 }, { 0.1, 0.3 } },
        new[,] { { 1.0, -0.4 }, { -0.4, 0.8 } },
        new[,] { { 0.2, 0.0 }, { 0.0, 0.6 } },
    ];

    [Fact]
    public void Soft_and_hard_masses_match_directly_evaluated_densities()
    {
        // Reference: w_k N(x; m_k, S_k) with the 2 x 2 inverse and determinant in closed form, normalised without
        // any stabilisation (the samples lie within a few units of the means, so nothing underflows). 600 samples
        // cross the 256-sample chunks; float64 throughout, so 1e-12.
        const int n = 600;
        var x = TestData.Points(n, 2, seed: 8, scale: 3.0);
        var soft = new double[3];
        var hard = new double[3];
        for (var i = 0; i < n; i++)
        {
            var densities = new double[3];
            for (var k = 0; k < 3; k++)
            {
                densities[k] = Weights[k] * Density(x[2 * i], x[(2 * i) + 1], Means[k], Covariances[k]);
            }

            var total = densities.Sum();
            for (var k = 0; k < 3; k++)
            {
                soft[k] += densities[k] / total / n;
            }

            hard[Array.IndexOf(densities, densities.Max())] += 1.0 / n;
        }

        var result = MixtureComponentMass.Compute(Weights, Means, Covariances, x);

        for (var k = 0; k < 3; k++)
        {
            TestData.AssertRelative(soft[k], result.SoftMass[k], 1e-12, what: $"soft mass {k}");
            TestData.AssertRelative(hard[k], result.HardMass[k], 1e-12, what: $"hard mass {k}");
        }

        TestData.AssertRelative(Enumerable.Range(0, 3).Max(k => Math.Abs(soft[k] - Weights[k])), result.MaxSoftMassError, 1e-12, what: "max error");
    }

    [Fact]
    public void Far_samples_still_get_a_normalised_posterior()
    {
        // At x = (500, 0) every density underflows to 0 in float64 (exponents below -1e5), so the naive ratio is 0/0.
        // The log-sum-exp form must return a distribution (sum 1 to rounding, 1e-14) concentrated on the component
        // with the largest log density, which is component 1 (largest variance along the first axis).
        var result = MixtureComponentMass.Compute(Weights, Means, Covariances, [500.0, 0.0]);

        Assert.All(result.SoftMass, m => Assert.True(double.IsFinite(m)));
        Assert.Equal(1.0, result.SoftMass.Sum(), 1e-14);
        Assert.Equal([0.0, 1.0, 0.0], result.HardMass);
        Assert.True(result.SoftMass[1] > 0.999);
    }

    [Fact]
    public void Rejects_a_sample_of_the_wrong_dimension()
    {
        var error = Assert.Throws<InvalidInputException>(() => MixtureComponentMass.Compute(Weights, Means, Covariances, [1.0, 2.0, 3.0]));
        Assert.Equal("samples", error.Field);
    }

    private static double Density(double x0, double x1, double[] m, double[,] s)
    {
        var det = (s[0, 0] * s[1, 1]) - (s[0, 1] * s[1, 0]);
        var u = x0 - m[0];
        var v = x1 - m[1];
        var quadratic = ((s[1, 1] * u * u) - (2 * s[0, 1] * u * v) + (s[0, 0] * v * v)) / det;
        return Math.Exp(-0.5 * quadratic) / (2 * Math.PI * Math.Sqrt(det));
    }
}
