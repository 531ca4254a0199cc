using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// Particle Sinkhorn against closed forms: the entropic Gaussian formula on 1-D grids (OT-3), the
/// Bures W2 in 2-D as eps -> 0, and exact 1-D transport by sorting (OT-7).
/// </summary>
public sealed class SinkhornClosedFormTests
{
    public static TheoryData<double, double, double, double, double, double> GridCases => new()
    {
        // mean a, variance a, mean b, variance b, eps, value quoted in math.md OT-3.
        { 0, 2, 1, 0.5, 0.5, 2.11217834 },
        { 0, 1, 0, 1, 1, 0.90875401 },
    };

    [Theory]
    [MemberData(nameof(GridCases))]
    public void Grid_Sinkhorn_reproduces_entropic_Gaussian_closed_form_within_1e6(double meanA, double varianceA, double meanB, double varianceB, double epsilon, double quoted)
    {
        // OT-3 uses 3001 points on [-12, 12] with weights proportional to the density; 1201 points
        // keep the test fast and change nothing measurable: the grid step (0.02) is tiny against every length scale (standard deviations >= 0.7, plan width
        // sqrt(eps/2) >= 0.5), so the trapezoid sums of these Gaussian integrands are spectrally
        // accurate, and the truncation at >= 8.5 standard deviations loses < 1e-16 of the mass: the
        // discrete problem equals the continuous one far below 1e-6. The solver runs to an L1
        // marginal error of 1e-10. math.md reports agreement to 1e-15, so 1e-6 is a loose bound.
        var x = Grid(1201, -12, 12);
        var problem = new SinkhornProblem(
            PointCloud.Create(x, x.Length, 1, GaussianWeights(x, meanA, varianceA)),
            PointCloud.Create(x, x.Length, 1, GaussianWeights(x, meanB, varianceB)));
        var closedForm = GaussianEntropicTransport.EntropicCost([meanA], new double[,] { { varianceA } }, [meanB], new double[,] { { varianceB } }, epsilon);

        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-10 });

        Assert.True(output.Converged);
        Assert.Equal(quoted, closedForm, 1e-8);
        TestData.AssertRelative(closedForm, output.Dual, 1e-6, what: "dual vs closed form");
        TestData.AssertRelative(closedForm, output.Objective, 1e-6, what: "primal objective vs closed form");
    }

    [Fact]
    public void Debiased_divergence_tends_to_Bures_W2_in_2D_with_an_exact_discrete_truth()
    {
        // OT-1 pair: m0 = 0, Sigma0 = diag(2, 0.5); m1 = (1, -1), Sigma1 = [[1, .6], [.6, 1]].
        // Source: 16 x 16 = 256 stratified (quantile) samples of N(m0, Sigma0), x = Sigma0^{1/2} z
        // with z_k = Phi^{-1}((k + 1/2) / 16) per axis, uniform weights. Target: the image
        // y_i = m1 + M (x_i - mean) by the Brenier matrix M from the sample covariance S to Sigma1,
        // same weights. W2^2 between these two discrete measures is then known exactly, with no
        // Monte Carlo error:
        //   >= |mean - m1|^2 + B^2(S, Sigma1)  (Gelbrich bound: depends only on the first two moments),
        //   <= sum_i a_i |x_i - y_i|^2        (the coupling i -> i), and the two are equal.
        // Entropic bounds: W2^2 <= OT_eps(a, b) <= W2^2 + eps H(a) (the coupling i -> i has
        // KL(P | a x a) = H(a)), and 0 <= OT_eps(a, a), OT_eps(b, b) <= eps H(a) (identity coupling),
        // hence |S_eps - W2^2| <= eps log n rigorously. The debiasing cancels those offsets to first
        // order: for smooth densities S_eps - W2^2 = O(eps^2) (Chizat et al. 2020), and the Gaussian
        // closed form gives that bias for the continuous pair (-7e-4 at eps = 0.2, -1.8e-4 at 0.1).
        // The quantile cloud is a close approximation of the Gaussian, so we require the particle
        // error to be within 4x the continuous bias plus 1e-4 (solver tolerance 1e-6 times costs of
        // order 10, and the discretisation); observed errors are 4e-4 and 3e-5.
        const int k = 16;
        const int n = k * k;
        var x = new double[2 * n];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                var p = (i * k) + j;
                x[2 * p] = Math.Sqrt(2) * MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, (i + 0.5) / k);
                x[(2 * p) + 1] = Math.Sqrt(0.5) * MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, (j + 0.5) / k);
            }
        }

        var (mean, covariance) = Moments(x, n);
        double[] m0 = [0, 0];
        var sigma0 = new double[,] { { 2, 0 }, { 0, 0.5 } };
        double[] m1 = [1, -1];
        var sigma1 = new double[,] { { 1, 0.6 }, { 0.6, 1 } };
        var brenier = GaussianWasserstein.BrenierMap(covariance, sigma1);
        var y = new double[2 * n];
        var couplingCost = 0.0;
        for (var i = 0; i < n; i++)
        {
            var d0 = x[2 * i] - mean[0];
            var d1 = x[(2 * i) + 1] - mean[1];
            y[2 * i] = m1[0] + (brenier[0, 0] * d0) + (brenier[0, 1] * d1);
            y[(2 * i) + 1] = m1[1] + (brenier[1, 0] * d0) + (brenier[1, 1] * d1);
            var e0 = x[2 * i] - y[2 * i];
            var e1 = x[(2 * i) + 1] - y[(2 * i) + 1];
            couplingCost += ((e0 * e0) + (e1 * e1)) / n;
        }

        var w2 = GaussianWasserstein.W2Squared(mean, covariance, m1, sigma1);
        // Upper and lower bound coincide (1e-10: a few roundings of O(1) sums and matrix roots).
        Assert.Equal(couplingCost, w2, 1e-10);
        // The truncated quantile cloud has a slightly smaller covariance than Sigma0, so W2^2 is near
        // OT-1's population value 2.4503087 but not equal; a sanity check of the setup only.
        Assert.Equal(2.4503087, w2, 0.1);

        var problem = new SinkhornProblem(PointCloud.Create(x, n, 2), PointCloud.Create(y, n, 2));
        foreach (var epsilon in new[] { 0.2, 0.1 })
        {
            var divergence = SinkhornDivergence.Compute(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-6 });
            Assert.True(divergence.Converged, $"eps {epsilon}: not converged");
            var error = Math.Abs(divergence.Value - w2);
            Assert.True(error <= epsilon * Math.Log(n), $"eps {epsilon}: |S - W2^2| = {error:E3} exceeds eps log n = {epsilon * Math.Log(n):E3}");
            var continuousBias = Math.Abs(GaussianEntropicTransport.SinkhornDivergence(m0, sigma0, m1, sigma1, epsilon) - GaussianWasserstein.W2Squared(m0, sigma0, m1, sigma1));
            Assert.True(error <= (4 * continuousBias) + 1e-4, $"eps {epsilon}: |S - W2^2| = {error:E3} exceeds 4 x Gaussian bias {continuousBias:E3} + 1e-4");
        }
    }

    [Fact]
    public void Debiased_divergence_of_uniform_1D_clouds_tends_to_exact_sorted_transport()
    {
        // OT-7 with c = |x - y|^2 / 2: S_eps -> (1/2) mean_i (x_(i) - y_(i))^2 as eps -> 0. The same
        // entropic bounds as in 2-D give |S_eps - W| <= eps log n (the optimal coupling is a
        // permutation, KL = H(a) = log n), and the error must shrink with eps (observed 5e-4 at
        // eps = 1e-2 D^2, 1e-4 at 1e-3 D^2). Smaller eps needs O(1/eps) alternating iterations to
        // converge and would make the test slow.
        const int n = 40;
        var random = new Random(7);
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => 0.3 + (1.2 * random.NextDouble())).ToArray();
        var exact = 0.5 * ExactOneDimensionalTransport.Cost(x, [], y, []);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, 1), PointCloud.Create(y, n, 1));
        var diameterSquared = 1.5 * 1.5;

        var previous = double.PositiveInfinity;
        foreach (var relative in new[] { 1e-1, 1e-2, 1e-3 })
        {
            var epsilon = relative * diameterSquared;
            var divergence = SinkhornDivergence.Compute(problem, new SinkhornOptions { Epsilon = epsilon, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-8 });
            Assert.True(divergence.Converged, $"eps {epsilon}: not converged");
            var error = Math.Abs(divergence.Value - exact);
            Assert.True(error <= (epsilon * Math.Log(n)) + 1e-7, $"eps {epsilon}: |S - W| = {error:E3} exceeds eps log n");
            Assert.True(error < previous, $"eps {epsilon}: error {error:E3} did not shrink from {previous:E3}");
            previous = error;
        }

        // At eps = 1e-3 D^2 the relative error is already below 1e-3.
        TestData.AssertRelative(exact, exact + previous, 1e-3, what: "S_eps at eps = 1e-3 D^2 vs sorted matching");
    }

    [Fact]
    public void Transport_cost_of_uniform_1D_clouds_tends_to_exact_sorted_transport()
    {
        // The entropic plan's <P, C> and the dual lie above the unregularised optimum OT_0 and below
        // OT_eps(a, b) <= OT_0 + eps log n. The plan's marginals are exact to the solver tolerance
        // 1e-7 (L1), which can move <P, C> by at most 1e-7 x max C (~6); slack 1e-6.
        const int n = 50;
        var random = new Random(11);
        var x = Enumerable.Range(0, n).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var exact = ExactOneDimensionalTransport.Cost(x, [], y, []);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, 1), PointCloud.Create(y, n, 1));

        var previous = double.PositiveInfinity;
        foreach (var epsilon in new[] { 1e-1, 1e-2, 3e-3 })
        {
            var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-7 });
            Assert.True(output.Converged);
            var gap = output.TransportCost - exact;
            Assert.InRange(gap, -1e-6, (epsilon * Math.Log(n)) + 1e-6);
            Assert.InRange(output.Dual - exact, -1e-6, (epsilon * Math.Log(n)) + 1e-6);
            Assert.True(gap < previous, $"eps {epsilon}: cost gap {gap:E3} did not shrink from {previous:E3}");
            previous = gap;
        }
    }

    internal static double[] Grid(int count, double lower, double upper)
    {
        var step = (upper - lower) / (count - 1);
        return Enumerable.Range(0, count).Select(i => lower + (i * step)).ToArray();
    }

    internal static double[] GaussianWeights(double[] x, double mean, double variance) =>
        x.Select(t => Math.Exp(-(t - mean) * (t - mean) / (2 * variance))).ToArray();

    /// <summary>Mean and (biased, weights 1/n) covariance of 2-D points.</summary>
    private static (double[] Mean, double[,] Covariance) Moments(double[] x, int n)
    {
        var mean = new double[2];
        for (var i = 0; i < n; i++)
        {
            mean[0] += x[2 * i] / n;
            mean[1] += x[(2 * i) + 1] / n;
        }

        var covariance = new double[2, 2];
        for (var i = 0; i < n; i++)
        {
            var d0 = x[2 * i] - mean[0];
            var d1 = x[(2 * i) + 1] - mean[1];
            covariance[0, 0] += d0 * d0 / n;
            covariance[0, 1] += d0 * d1 / n;
            covariance[1, 1] += d1 * d1 / n;
        }

        covariance[1, 0] = covariance[0, 1];
        return (mean, covariance);
    }
}
