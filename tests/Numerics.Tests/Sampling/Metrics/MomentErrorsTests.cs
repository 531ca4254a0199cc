using Transport.Numerics.Randomness;
using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Tests.Sampling.Metrics;

/// <summary>Weighted sample moments against a brute-force reference and against exact Gaussian draws.</summary>
public sealed class MomentErrorsTests
{
    private static readonly double[] Mean = [1.0, -1.0];
    private static readonly double[,] Covariance = { { 1.0, 0.6 }, { 0.6, 1.0 } };

    [Fact]
    public void Weighted_moments_and_errors_match_a_brute_force_reference()
    {
        // Same formulas evaluated directly in the test; a few hundred float64 terms, so 1e-12 relative.
        const int n = 200, d = 2;
        var x = TestData.Points(n, d, seed: 5, scale: 2.0);
        var w = TestData.Weights(n, seed: 6);
        var total = w.Sum();
        var p = w.Select(v => v / total).ToArray();
        var sumSquares = p.Sum(v => v * v);
        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < d; k++)
            {
                mean[k] += p[i] * x[(i * d) + k];
            }
        }

        var cov = new double[d, d];
        for (var i = 0; i < n; i++)
        {
            for (var r = 0; r < d; r++)
            {
                for (var c = 0; c < d; c++)
                {
                    cov[r, c] += p[i] * (x[(i * d) + r] - mean[r]) * (x[(i * d) + c] - mean[c]) / (1 - sumSquares);
                }
            }
        }

        var result = MomentErrors.Compute(x, d, Mean, Covariance, w);

        var frobenius = 0.0;
        for (var r = 0; r < d; r++)
        {
            TestData.AssertRelative(mean[r], result.SampleMean[r], 1e-12, what: $"mean[{r}]");
            for (var c = 0; c < d; c++)
            {
                TestData.AssertRelative(cov[r, c], result.SampleCovariance[r, c], 1e-12, what: $"cov[{r},{c}]");
                frobenius += (cov[r, c] - Covariance[r, c]) * (cov[r, c] - Covariance[r, c]);
            }
        }

        var meanError = Math.Sqrt(((mean[0] - 1) * (mean[0] - 1)) + ((mean[1] + 1) * (mean[1] + 1)));
        TestData.AssertRelative(Math.Sqrt(frobenius), result.CovarianceError, 1e-12, what: "Frobenius error");
        TestData.AssertRelative(Math.Sqrt(frobenius) / Math.Sqrt(2 + (2 * 0.36)), result.RelativeCovarianceError, 1e-12, what: "relative error");
        TestData.AssertRelative(meanError, result.MeanError, 1e-12, what: "mean error");
        TestData.AssertRelative(1 / sumSquares, result.EffectiveSampleSize, 1e-12, what: "effective size");
        TestData.AssertRelative(Math.Sqrt(sumSquares), result.MeanStandardErrors[0], 1e-12, what: "standard error");
    }

    [Fact]
    public void Uniform_weights_give_the_unbiased_n_minus_one_covariance()
    {
        // For n = 2 points at +-1 the 1/(n - 1) variance is 2 (the 1/n one would be 1); exact in float64.
        var result = MomentErrors.Compute([-1.0, 1.0], 1, [0.0], new[,] { { 2.0 } });
        Assert.Equal(2.0, result.SampleCovariance[0, 0], 1e-15);
        Assert.Equal(0.0, result.CovarianceError, 1e-15);
    }

    [Fact]
    public void Exact_gaussian_draws_are_within_a_few_standard_errors()
    {
        // 20,000 exact draws m + L z of N(m, Sigma) (FM-3 target). The mean error is N(0, se^2) per coordinate, so
        // 4 standard errors fail with probability 6e-5; E|Cov - Sigma|_F^2 = sum_rc (S_rr S_cc + S_rc^2) / n = 6.72 / n
        // for this Sigma, and 4 times its root covers the fluctuation. The seed is fixed, so the test is reproducible.
        const int n = 20_000;
        var x = Draws(n, seed: 17, shift: 0.0);

        var result = MomentErrors.Compute(x, 2, Mean, Covariance);

        Assert.True(result.MaxMeanErrorInStandardErrors < 4, $"mean is {result.MaxMeanErrorInStandardErrors:F2} standard errors off");
        Assert.True(result.CovarianceError < 4 * Math.Sqrt(6.72 / n), $"covariance error {result.CovarianceError:E3}");
        // sqrt(Sigma_00 / n_eff) with n_eff = 1 / sum (1/n)^2 = n up to the rounding of n terms: 1e-12 relative.
        TestData.AssertRelative(Math.Sqrt(1.0 / n), result.MeanStandardErrors[0], 1e-12, what: "standard error");
    }

    [Fact]
    public void A_shifted_cloud_is_many_standard_errors_off()
    {
        // The same kind of draws shifted by 0.1 in coordinate 0 are 0.1 / sqrt(1 / 5000) ~ 7 standard errors off
        // (shift minus at most ~3 se of noise): the statistic detects what it should.
        var x = Draws(5000, seed: 18, shift: 0.1);

        Assert.True(MomentErrors.Compute(x, 2, Mean, Covariance).MaxMeanErrorInStandardErrors > 3);
    }

    [Fact]
    public void Rejects_a_single_sample()
    {
        var error = Assert.Throws<InvalidInputException>(() => MomentErrors.Compute([1.0, 2.0], 2, Mean, Covariance));
        Assert.Equal("samples", error.Field);
    }

    /// <summary>Exact draws m + L z (plus a shift of coordinate 0) with L the Cholesky factor of [[1, .6], [.6, 1]].</summary>
    private static double[] Draws(int n, long seed, double shift)
    {
        var x = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            var z0 = CounterRandom.Normal(seed, i, 0, 0, 0);
            var z1 = CounterRandom.Normal(seed, i, 0, 0, 1);
            x[2 * i] = Mean[0] + shift + z0;
            x[(2 * i) + 1] = Mean[1] + (0.6 * z0) + (0.8 * z1);
        }

        return x;
    }
}
