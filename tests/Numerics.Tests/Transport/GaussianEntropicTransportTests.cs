using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

public sealed class GaussianEntropicTransportTests
{
    private static readonly double[] M0 = [0, 0];
    private static readonly double[] M1 = [1, -1];
    private static readonly double[,] Sigma0 = { { 2, 0 }, { 0, 0.5 } };
    private static readonly double[,] Sigma1 = { { 1, 0.6 }, { 0.6, 1 } };

    public static TheoryData<double> Epsilons => [0.01, 0.1, 0.5, 1, 2];

    [Theory]
    [MemberData(nameof(Epsilons))]
    public void Three_closed_forms_agree_to_1e12_on_OT1_pair(double epsilon)
    {
        // The three forms are algebraically equal (math.md §3.7); values are O(1), so 1e-12 absolute
        // leaves ~1e4 ulps for the eigensolver, the SVD and the Cholesky log-determinant.
        var a = Matrix<double>.Build.DenseOfArray(Sigma0);
        var b = Matrix<double>.Build.DenseOfArray(Sigma1);
        const double shift = 2;
        var main = GaussianEntropicTransport.EntropicCost(M0, Sigma0, M1, Sigma1, epsilon);
        Assert.Equal(main, GaussianEntropicTransport.EntropicCostJanati(shift, a, b, epsilon), 1e-12);
        Assert.Equal(main, GaussianEntropicTransport.EntropicCostMallasto(shift, a, b, epsilon), 1e-12);
    }

    [Fact]
    public void OT3_one_dimensional_values_match_reference()
    {
        // math.md OT-3 quotes 9 significant digits of values that grid Sinkhorn and the closed form
        // share to 1e-15, so 1e-8 checks every quoted digit.
        var ab = GaussianEntropicTransport.EntropicCost([0], new double[,] { { 2 } }, [1], new double[,] { { 0.5 } }, 0.5);
        Assert.Equal(2.11217834, ab, 1e-8);

        var same = GaussianEntropicTransport.EntropicCost([0], new double[,] { { 1 } }, [0], new double[,] { { 1 } }, 1);
        Assert.Equal(0.90875401, same, 1e-8);
    }

    [Fact]
    public void Entropic_cost_decreases_monotonically_to_W2_as_epsilon_vanishes()
    {
        var w2 = GaussianWasserstein.W2Squared(M0, Sigma0, M1, Sigma1);
        var previous = double.PositiveInfinity;
        var previousGap = double.PositiveInfinity;
        foreach (var epsilon in new[] { 4, 2, 1, 0.5, 0.1, 0.01, 1e-3, 1e-4, 1e-6 })
        {
            var value = GaussianEntropicTransport.EntropicCost(M0, Sigma0, M1, Sigma1, epsilon);
            Assert.True(value < previous, $"OT_eps not decreasing at eps = {epsilon}: {value} >= {previous}");
            var gap = value - w2;
            Assert.True(gap > 0 && gap < previousGap, $"gap to W2² not shrinking at eps = {epsilon}: {gap}");
            previous = value;
            previousGap = gap;
        }

        // The gap is (ε/2)·d·log(1/ε) to leading order: about 1.4e-5 at ε = 1e-6 in d = 2.
        Assert.True(previousGap < 2e-5, $"gap at eps = 1e-6 is {previousGap}");
    }

    [Theory]
    [MemberData(nameof(Epsilons))]
    public void Sinkhorn_divergence_vanishes_between_equal_Gaussians(double epsilon)
    {
        Assert.Equal(0, GaussianEntropicTransport.SinkhornDivergence(M1, Sigma1, M1, Sigma1, epsilon), 1e-13);
        Assert.Equal(0, GaussianEntropicTransport.SinkhornDivergence(M0, Sigma0, M0, Sigma0, epsilon), 1e-13);
    }

    [Fact]
    public void Sinkhorn_divergence_tends_to_W2_as_epsilon_vanishes()
    {
        var w2 = GaussianWasserstein.W2Squared(M0, Sigma0, M1, Sigma1);
        var previousError = double.PositiveInfinity;
        foreach (var epsilon in new[] { 1, 0.1, 0.01, 1e-3, 1e-5 })
        {
            var error = Math.Abs(GaussianEntropicTransport.SinkhornDivergence(M0, Sigma0, M1, Sigma1, epsilon) - w2);
            Assert.True(error < previousError, $"error not shrinking at eps = {epsilon}: {error}");
            previousError = error;
        }

        // Debiasing removes the ε log(1/ε) term, leaving O(ε).
        Assert.True(previousError < 1e-4, $"error at eps = 1e-5 is {previousError}");
    }

    [Fact]
    public void Divergence_equals_cost_minus_half_self_costs()
    {
        foreach (var epsilon in new[] { 0.1, 1.0 })
        {
            var cross = GaussianEntropicTransport.EntropicCost(M0, Sigma0, M1, Sigma1, epsilon);
            var self0 = GaussianEntropicTransport.EntropicCost(M0, Sigma0, M0, Sigma0, epsilon);
            var self1 = GaussianEntropicTransport.EntropicCost(M1, Sigma1, M1, Sigma1, epsilon);
            Assert.Equal(cross - (0.5 * self0) - (0.5 * self1), GaussianEntropicTransport.SinkhornDivergence(M0, Sigma0, M1, Sigma1, epsilon), 1e-12);
        }
    }

    [Fact]
    public void Half_squared_convention_is_half_the_P_value_at_twice_epsilon()
    {
        // math.md C1: OT^{½|·|²}_ε = ½ OT^{|·|²}_{2ε}, likewise S_ε.
        const double epsilonG = 0.25;
        Assert.Equal(2 * epsilonG, GaussianEntropicTransport.SquaredEuclideanEpsilon(epsilonG, CostFunction.HalfSquaredEuclidean));
        Assert.Equal(
            0.5 * GaussianEntropicTransport.EntropicCost(M0, Sigma0, M1, Sigma1, 2 * epsilonG),
            GaussianEntropicTransport.EntropicCost(M0, Sigma0, M1, Sigma1, epsilonG, CostFunction.HalfSquaredEuclidean),
            1e-15);
        Assert.Equal(
            0.5 * GaussianEntropicTransport.SinkhornDivergence(M0, Sigma0, M1, Sigma1, 2 * epsilonG),
            GaussianEntropicTransport.SinkhornDivergence(M0, Sigma0, M1, Sigma1, epsilonG, CostFunction.HalfSquaredEuclidean),
            1e-15);
        GaussianWassersteinTests.AssertMatrix(
            GaussianEntropicTransport.CrossCovariance(Sigma0, Sigma1, 2 * epsilonG),
            GaussianEntropicTransport.CrossCovariance(Sigma0, Sigma1, epsilonG, CostFunction.HalfSquaredEuclidean),
            0);
    }

    [Fact]
    public void Cross_covariance_matches_the_1D_formula_and_keeps_the_plan_positive_definite()
    {
        // In 1-D, σ = √(ab) and K_ε = √a τ_ε(σ) √b = τ_ε(σ) σ with τ_ε(r) = (√(ε² + 16r²) − ε)/(4r).
        const double a = 2;
        const double b = 0.5;
        const double epsilon = 0.5;
        var sigma = Math.Sqrt(a * b);
        var tau = (Math.Sqrt((epsilon * epsilon) + (16 * sigma * sigma)) - epsilon) / (4 * sigma);
        var k = GaussianEntropicTransport.CrossCovariance(new double[,] { { a } }, new double[,] { { b } }, epsilon);
        Assert.Equal(tau * sigma, k[0, 0], 1e-14);

        foreach (var eps in new[] { 0.01, 0.1, 1.0 })
        {
            var cross = GaussianEntropicTransport.CrossCovariance(Sigma0, Sigma1, eps);
            var joint = Matrix<double>.Build.Dense(4, 4);
            joint.SetSubMatrix(0, 0, Matrix<double>.Build.DenseOfArray(Sigma0));
            joint.SetSubMatrix(2, 2, Matrix<double>.Build.DenseOfArray(Sigma1));
            joint.SetSubMatrix(0, 2, Matrix<double>.Build.DenseOfArray(cross));
            joint.SetSubMatrix(2, 0, Matrix<double>.Build.DenseOfArray(cross).Transpose());
            var smallest = joint.Evd(Symmetricity.Symmetric).EigenValues.Min(v => v.Real);
            Assert.True(smallest > 0, $"joint covariance not positive definite at eps = {eps}: {smallest}");
        }
    }

    [Fact]
    public void Barycentric_map_tends_to_the_Brenier_map_as_epsilon_vanishes()
    {
        var brenier = GaussianWasserstein.BrenierMap(Sigma0, Sigma1);
        var previous = double.PositiveInfinity;
        foreach (var epsilon in new[] { 1, 0.1, 0.01, 1e-4 })
        {
            var map = GaussianEntropicTransport.BarycentricMap(Sigma0, Sigma1, epsilon);
            var error = 0.0;
            for (var i = 0; i < 2; i++)
            {
                for (var j = 0; j < 2; j++)
                {
                    error = Math.Max(error, Math.Abs(map[i, j] - brenier[i, j]));
                }
            }

            Assert.True(error < previous, $"map error not shrinking at eps = {epsilon}: {error}");
            previous = error;
        }

        // τ_ε(r) = 1 − ε/(4r) + O(ε²), so the map error is O(ε).
        Assert.True(previous < 1e-4, $"map error at eps = 1e-4 is {previous}");

        // Applying the map is m_b + L(x − m_a).
        var l = GaussianEntropicTransport.BarycentricMap(Sigma0, Sigma1, 0.3);
        var y = GaussianEntropicTransport.ApplyBarycentricMap(M0, Sigma0, M1, Sigma1, 0.3, [1, 2]);
        Assert.Equal(1 + l[0, 0] + (2 * l[0, 1]), y[0], 1e-14);
        Assert.Equal(-1 + l[1, 0] + (2 * l[1, 1]), y[1], 1e-14);
    }

    [Fact]
    public void Psi_is_stable_for_tiny_and_zero_singular_values()
    {
        Assert.Equal(0, GaussianEntropicTransport.Psi(0, 0.1));
        Assert.Equal(0, GaussianEntropicTransport.Tau(0, 0.1));

        // A rank-deficient covariance: the zero direction contributes ψ(0) = 0 and the 1-D closed form remains.
        var degenerate = GaussianEntropicTransport.EntropicCost([0, 0], new double[,] { { 1, 0 }, { 0, 0 } }, [0, 0], new double[,] { { 1, 0 }, { 0, 0 } }, 1);
        Assert.Equal(0.90875401, degenerate, 1e-8);
    }

    [Fact]
    public void Invalid_epsilon_and_means_name_the_parameter()
    {
        var zero = Assert.Throws<InvalidInputException>(() => GaussianEntropicTransport.EntropicCost(M0, Sigma0, M1, Sigma1, 0));
        Assert.Equal("epsilon", zero.Field);
        var nan = Assert.Throws<InvalidInputException>(() => GaussianEntropicTransport.SinkhornDivergence(M0, Sigma0, M1, Sigma1, double.NaN));
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);
        var mean = Assert.Throws<InvalidInputException>(() => GaussianEntropicTransport.EntropicCost(M0, Sigma0, [1, 2, 3], Sigma1, 1));
        Assert.Equal("meanB", mean.Field);
        Assert.Contains("3 entries", mean.Message, StringComparison.Ordinal);
        var singular = Assert.Throws<InvalidInputException>(() => GaussianEntropicTransport.BarycentricMap(new double[2, 2], Sigma1, 1));
        Assert.Equal("covarianceA", singular.Field);
    }
}
