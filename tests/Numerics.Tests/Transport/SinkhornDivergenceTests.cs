using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// The debiased Sinkhorn divergence S_eps = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2 and its
/// source gradient (math.md 3.6, OT-5, OT-6).
/// </summary>
public sealed class SinkhornDivergenceTests
{
    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(2, 0.1)]
    [InlineData(3, 1.0)]
    public void Divergence_of_identical_clouds_is_zero_to_solver_tolerance(int dim, double epsilon)
    {
        // The cross problem and the self problems solve the same problem by the same loop from different
        // potentials (a self problem is the cross problem of the cloud with itself), each to an L1 marginal
        // error of 1e-10; their values differ by about that error times the cost scale (~1), so |S| <= 1e-8.
        const int n = 40;
        var cloud = PointCloud.Create(TestData.Points(n, dim, seed: 60 + dim), n, dim, TestData.Weights(n, seed: 61));
        var divergence = SinkhornDivergence.Compute(new SinkhornProblem(cloud, cloud), new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-10 });

        Assert.True(divergence.Converged);
        Assert.True(Math.Abs(divergence.Value) <= 1e-8, $"S(a, a) = {divergence.Value:E3}");
        var gradient = divergence.SourceGradient();
        Assert.All(gradient, value => Assert.True(Math.Abs(value) <= 1e-7, $"gradient entry {value:E3} at identical clouds"));
    }

    [Theory]
    [InlineData(1, 0.01, 1)]
    [InlineData(2, 0.05, 2)]
    [InlineData(2, 1.0, 3)]
    [InlineData(3, 0.2, 4)]
    [InlineData(5, 0.5, 5)]
    public void Divergence_is_never_negative_beyond_solver_tolerance_on_random_pairs(int dim, double epsilon, int seed)
    {
        // e^{-|x-y|^2/eps} is a positive-definite kernel, so S_eps >= 0 ([OT4ML] non-negativity);
        // the computed value may dip below only by the solver's error (~1e-10 x cost scale).
        var n = 20 + (5 * seed);
        var m = 30 - (3 * seed);
        var problem = new SinkhornProblem(
            PointCloud.Create(TestData.Points(n, dim, seed: seed), n, dim, TestData.Weights(n, seed: seed + 10)),
            PointCloud.Create(TestData.Points(m, dim, seed: seed + 20, scale: 0.7, shift: 0.1 * seed), m, dim, TestData.Weights(m, seed: seed + 30)));

        var divergence = SinkhornDivergence.Compute(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-10 });

        Assert.True(divergence.Converged);
        Assert.True(divergence.Value >= -1e-8, $"S = {divergence.Value:E3} is negative");
        // Also below the un-debiased cost (the self terms are >= 0).
        Assert.True(divergence.Value <= divergence.Cross.Dual + 1e-8);
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void OT5_translated_copy_has_divergence_half_squared_shift_and_velocity_equal_to_the_shift(double epsilon)
    {
        // For c = |x - y|^2 / 2 and beta = alpha shifted by h, the linear terms of the cost are absorbed
        // by the potentials, so S_eps = |h|^2 / 2 exactly for any eps, and the flow velocity
        // T_ab(x_i) - T_aa(x_i) = h for every particle, i.e. the gradient is -a_i h. The solver runs to
        // 1e-11 (L1); 1e-7 on S and 1e-6 on the velocities (which divide by a_i ~ 1/30) are generous.
        const int n = 30, dim = 2;
        double[] h = [0.7, -0.4];
        var x = TestData.Points(n, dim, seed: 91);
        var y = x.Select((value, index) => value + h[index % dim]).ToArray();
        var a = TestData.Weights(n, seed: 92);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim, a), PointCloud.Create(y, n, dim, a));

        var divergence = SinkhornDivergence.Compute(problem, new SinkhornOptions { Epsilon = epsilon, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-11, MaxIterations = 100_000 });

        Assert.True(divergence.Converged);
        Assert.Equal(0.325, divergence.Value, 1e-7);
        var gradient = divergence.SourceGradient();
        var weights = problem.Source.Weights;
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                var velocity = -gradient[(i * dim) + k] / weights[i];
                Assert.True(Math.Abs(velocity - h[k]) <= 1e-6, $"velocity[{i},{k}] = {velocity:R}, expected {h[k]}");
            }
        }
    }

    [Theory]
    [InlineData(CostFunction.SquaredEuclidean)]
    [InlineData(CostFunction.HalfSquaredEuclidean)]
    public void OT6_source_gradient_matches_central_finite_differences_within_1e7(CostFunction cost)
    {
        // n = 7, m = 9 random 2-D points with random weights, eps = 0.3. Central differences with
        // step 1e-5 have truncation error ~ h^2 |S'''| ~ 1e-10 and rounding error ~ 1e-16 / h ~ 1e-11;
        // solving each of the three problems to an L1 marginal error of 1e-13 perturbs S by ~1e-13,
        // i.e. ~1e-8 after dividing by 2h. 1e-7 absolute covers all three on gradients of size ~0.1.
        const int n = 7, m = 9, dim = 2;
        const double epsilon = 0.3, step = 1e-5;
        var x = TestData.Points(n, dim, seed: 71);
        var y = TestData.Points(m, dim, seed: 72, shift: 0.3);
        var a = TestData.Weights(n, seed: 73);
        var b = TestData.Weights(m, seed: 74);
        var options = new SinkhornOptions { Epsilon = epsilon, Cost = cost, Tolerance = 1e-13, MaxIterations = 100_000 };
        var target = PointCloud.Create(y, m, dim, b);
        double Value(double[] positions)
        {
            var divergence = SinkhornDivergence.Compute(new SinkhornProblem(PointCloud.Create(positions, n, dim, a), target), options);
            Assert.True(divergence.Converged);
            return divergence.Value;
        }

        var analytic = SinkhornDivergence.Compute(new SinkhornProblem(PointCloud.Create(x, n, dim, a), target), options).SourceGradient();

        var largest = 0.0;
        for (var index = 0; index < x.Length; index++)
        {
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[index] += step;
            minus[index] -= step;
            var numeric = (Value(plus) - Value(minus)) / (2 * step);
            Assert.True(Math.Abs(numeric - analytic[index]) <= 1e-7, $"d S / d x[{index}]: analytic {analytic[index]:R}, finite difference {numeric:R}");
            largest = Math.Max(largest, Math.Abs(analytic[index]));
        }

        // The check is not vacuous: the gradient is far from zero.
        Assert.True(largest > 1e-2);
    }

    [Fact]
    public void Grid_divergence_matches_Gaussian_closed_form_divergence_within_1e6()
    {
        // N(0, 2) vs N(1, 0.5) at eps = 0.5 on a 1201-point grid of [-12, 12] with weights proportional
        // to the densities: as in OT-3 the grid sums are spectrally accurate (step 0.02 against scales
        // >= 0.5), so the discrete S_eps equals the closed form far below the 1e-6 checked here.
        var x = SinkhornClosedFormTests.Grid(1201, -12, 12);
        var problem = new SinkhornProblem(
            PointCloud.Create(x, x.Length, 1, SinkhornClosedFormTests.GaussianWeights(x, 0, 2)),
            PointCloud.Create(x, x.Length, 1, SinkhornClosedFormTests.GaussianWeights(x, 1, 0.5)));
        var expected = GaussianEntropicTransport.SinkhornDivergence([0], new double[,] { { 2 } }, [1], new double[,] { { 0.5 } }, 0.5);

        var divergence = SinkhornDivergence.Compute(problem, new SinkhornOptions { Epsilon = 0.5, Tolerance = 1e-10 });

        Assert.True(divergence.Converged);
        TestData.AssertRelative(expected, divergence.Value, 1e-6, what: "S_eps vs closed form");
        var closedFormCross = GaussianEntropicTransport.EntropicCost([0], new double[,] { { 2 } }, [1], new double[,] { { 0.5 } }, 0.5);
        TestData.AssertRelative(closedFormCross, divergence.Cross.Dual, 1e-6, what: "OT_eps(a, b) vs closed form");
        var closedFormSelf = GaussianEntropicTransport.EntropicCost([0], new double[,] { { 2 } }, [0], new double[,] { { 2 } }, 0.5);
        TestData.AssertRelative(closedFormSelf, divergence.SelfSource.Dual, 1e-6, what: "OT_eps(a, a) vs closed form");
    }
}
