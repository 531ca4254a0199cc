using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

/// <summary>The formulas of a sampling target, each against a closed form.</summary>
public sealed class SampleTargetTests
{
    private static readonly SampleTarget Correlated = new(SampleTarget.Gaussian, 2, [1.0], [[1.0, -1.0]], [[1.0, 0.6, 0.6, 1.0]], null);

    [Fact]
    public void Gaussian_flow_map_at_time_one_is_m_plus_the_covariance_root_times_x0()
    {
        // math.md FM-3: T_1(1, 0) = (1.948683, -0.683772) (Sigma^{1/2} of [[1, 0.6], [0.6, 1]] is [[0.948683, 0.316228],
        // [0.316228, 0.948683]]); at a = 1, b = 0 the map is the identity. 1e-6: the published digits.
        var mapped = Correlated.GaussianFlowMap([1.0, 0.0], a: 0.0, b: 1.0);
        Assert.Equal(1.948683, mapped[0], 6);
        Assert.Equal(-0.683772, mapped[1], 6);
        Assert.Equal([0.25, -2.0], Correlated.GaussianFlowMap([0.25, -2.0], a: 1.0, b: 0.0).Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Whitening_by_the_inverse_cholesky_factor_maps_the_covariance_to_the_identity_and_the_mean_linearly()
    {
        // y = L^-1 x with C = L L^T: Cov(y) = L^-1 C L^-T = I exactly (up to float64 rounding, 1e-12), E y = L^-1 m.
        var cholesky = Matrix<double>.Build.DenseOfArray(Correlated.Covariance(0)).Cholesky().Factor;
        var whitened = Correlated.Transformed(cholesky.Inverse());
        var covariance = whitened.Covariance(0);
        Assert.Equal(1.0, covariance[0, 0], 12);
        Assert.Equal(0.0, covariance[0, 1], 12);
        Assert.Equal(1.0, covariance[1, 1], 12);
        var mean = cholesky.Solve(Vector<double>.Build.DenseOfArray([1.0, -1.0]));
        Assert.Equal(mean[0], whitened.Means[0][0], 12);
        Assert.Equal(mean[1], whitened.Means[0][1], 12);
    }

    [Fact]
    public void Paired_distances_are_the_root_mean_and_the_mean_of_the_squared_row_distances()
    {
        // Rows (0,0)-(3,4) and (1,1)-(1,1): squared distances 25 and 0, mean 12.5, root sqrt(12.5).
        double[] x = [0, 0, 1, 1], y = [3, 4, 1, 1];
        Assert.Equal(12.5, SampleDistances.MeanSquaredDistance(x, y, 2));
        Assert.Equal(Math.Sqrt(12.5), SampleDistances.RmsDistance(x, y, 2));
        Assert.Throws<ArgumentException>(() => SampleDistances.RmsDistance(x, [1.0], 2));
    }

    [Fact]
    public void Marginal_density_is_the_bivariate_normal_of_the_leading_block_summed_over_components()
    {
        // N(0, I_2) at the origin: 1 / (2 pi). In d = 3 the (x1, x2) marginal ignores the third coordinate; a two-component
        // mixture weighs its components. Closed forms to 1e-15 relative (one exp and one sqrt each).
        var standard = new SampleTarget(SampleTarget.Gaussian, 2, [1.0], [[0.0, 0.0]], [[1.0, 0.0, 0.0, 1.0]], null);
        Assert.Equal(1 / (2 * Math.PI), standard.MarginalDensity(0, 0), 15);
        var threeD = new SampleTarget(SampleTarget.Gaussian, 3, [1.0], [[1.0, 2.0, 9.0]], [[4.0, 0.0, 0.5, 0.0, 1.0, 0.5, 0.5, 0.5, 7.0]], null);
        var expected = Math.Exp(-0.5 * (1.0 / 4.0)) / (2 * Math.PI * Math.Sqrt(4.0));
        Assert.Equal(expected, threeD.MarginalDensity(2.0, 2.0), 15);
        var mixture = new SampleTarget(SampleTarget.Mixture, 2, [0.25, 0.75], [[0.0, 0.0], [1.0, 0.0]], [[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]], null);
        Assert.Equal((0.25 / (2 * Math.PI)) + (0.75 * Math.Exp(-0.5) / (2 * Math.PI)), mixture.MarginalDensity(0, 0), 15);
    }
}
