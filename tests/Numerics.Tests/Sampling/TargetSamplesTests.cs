using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

public sealed class TargetSamplesTests
{
    [Fact]
    public void Gaussian_draws_have_the_mean_and_covariance()
    {
        // n = 40000: standard errors sqrt(S_ii / n) <= 0.0071 for the means and <= 2 sqrt(2 / n) = 0.014 for the
        // covariance entries (all entries <= 2); tolerance 4 standard errors.
        const int n = 40000;
        var samples = TargetSamples.Gaussian([1.0, -1.0], new[,] { { 2.0, 0.6 }, { 0.6, 1.0 } }, n, seed: 3);
        var (mean, covariance) = Moments(samples, n);
        Assert.Equal(1.0, mean[0], 4 * Math.Sqrt(2.0 / n));
        Assert.Equal(-1.0, mean[1], 4 * Math.Sqrt(1.0 / n));
        Assert.Equal(2.0, covariance[0, 0], 4 * 2 * Math.Sqrt(2.0 / n));
        Assert.Equal(0.6, covariance[0, 1], 4 * 2 * Math.Sqrt(2.0 / n));
        Assert.Equal(1.0, covariance[1, 1], 4 * 2 * Math.Sqrt(2.0 / n));
        Assert.Equal(samples, TargetSamples.Gaussian([1.0, -1.0], new[,] { { 2.0, 0.6 }, { 0.6, 1.0 } }, n, seed: 3));
    }

    [Fact]
    public void Mixture_and_empirical_draws_follow_the_weights()
    {
        // Well separated components / atoms: the fraction near each centre is binomial; 4 standard errors.
        const int n = 20000;
        double[] weights = [0.2, 0.5, 0.3];
        var mixture = TargetSamples.Mixture(weights, [[-10.0], [0.0], [10.0]], [new[,] { { 0.01 } }, new[,] { { 0.01 } }, new[,] { { 0.01 } }], n, seed: 1);
        var empirical = TargetSamples.Empirical([-10.0, 0.0, 10.0], 1, [2.0, 5.0, 3.0], n, seed: 2);
        foreach (var samples in new[] { mixture, empirical })
        {
            for (var k = 0; k < 3; k++)
            {
                var centre = -10.0 + (10.0 * k);
                var fraction = samples.Count(v => Math.Abs(v - centre) < 1.0) / (double)n;
                Assert.Equal(weights[k], fraction, 4 * Math.Sqrt(weights[k] * (1 - weights[k]) / n));
            }
        }

        Assert.Equal(0.0, empirical.Count(v => v is not (-10.0 or 0.0 or 10.0)));
    }

    [Fact]
    public void Bad_parameters_name_the_field()
    {
        Assert.Equal("covariance", Assert.Throws<InvalidInputException>(() => TargetSamples.Gaussian([0.0, 0.0], new[,] { { 1.0, 2.0 }, { 2.0, 1.0 } }, 5, 1)).Field);
        Assert.Equal("n", Assert.Throws<InvalidInputException>(() => TargetSamples.Gaussian([0.0], new[,] { { 1.0 } }, 0, 1)).Field);
        Assert.Equal("weights[1]", Assert.Throws<InvalidInputException>(() => TargetSamples.Empirical([0.0, 1.0], 1, [1.0, -1.0], 5, 1)).Field);
    }

    private static (double[] Mean, double[,] Covariance) Moments(double[] samples, int n)
    {
        var mean = new double[2];
        for (var i = 0; i < n; i++)
        {
            mean[0] += samples[2 * i] / n;
            mean[1] += samples[(2 * i) + 1] / n;
        }

        var covariance = new double[2, 2];
        for (var i = 0; i < n; i++)
        {
            for (var r = 0; r < 2; r++)
            {
                for (var c = 0; c < 2; c++)
                {
                    covariance[r, c] += (samples[(2 * i) + r] - mean[r]) * (samples[(2 * i) + c] - mean[c]) / (n - 1);
                }
            }
        }

        return (mean, covariance);
    }
}
