using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// The dense loop with adaptive over-relaxation (<see cref="SinkhornOptions.Overrelaxation"/>): it converges at
/// small eps, reaches the fixed point of plain Sinkhorn, and solves the self problems (as cross problems of a
/// cloud with itself) to the same values as a brute-force reference.
/// </summary>
public sealed class SinkhornOverrelaxationTests(ITestOutputHelper output)
{
    [Fact]
    public void Dense_at_eps_1e4_of_squared_diameter_converges_on_400_points_to_the_fixed_point_equations()
    {
        // Two uniform clouds of 400 points in 2-D at eps / D^2 = 1e-4 (D the diameter of the joint box): plain
        // Sinkhorn reaches the default 10,000-iteration cap here.
        const int n = 400, dim = 2;
        var x = TestData.Points(n, dim, seed: 401);
        var y = TestData.Points(n, dim, seed: 402, scale: 0.7, shift: 0.2);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim), PointCloud.Create(y, n, dim));
        var diameter = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target)).Diameter;
        var epsilon = 1e-4 * diameter * diameter;
        var options = new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-6 };

        var result = SinkhornSolver.Solve(problem, options);
        output.WriteLine($"eps = {epsilon:E3} (1e-4 D^2): {result.Iterations} iterations, L1 marginal error {result.MarginalError:E3}, w {result.Summary.Relaxation:0.###}, converged {result.Converged}");

        Assert.True(result.Converged, $"not converged after {result.Iterations} iterations (error {result.MarginalError:E3})");
        Assert.True(result.Iterations < options.MaxIterations);
        Assert.True(result.MarginalError < options.Tolerance);

        // Brute-force float64 check of the returned potentials (uniform weights 1/n):
        // f_i = -eps log sum_j b_j exp((g_j - C_ij)/eps) and g_j = -eps log sum_i a_i exp((f_i - C_ij)/eps).
        var a = 1.0 / n;
        var cost = new double[n, n];
        var maxCost = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var k = 0; k < dim; k++)
                {
                    var diff = x[(i * dim) + k] - y[(j * dim) + k];
                    s += diff * diff;
                }

                cost[i, j] = s;
                maxCost = Math.Max(maxCost, s);
            }
        }

        var f = result.F;
        var g = result.G;
        var fStar = new double[n];
        var gStar = new double[n];
        for (var i = 0; i < n; i++)
        {
            fStar[i] = -epsilon * LogSumExp(n, j => Math.Log(a) + ((g[j] - cost[i, j]) / epsilon));
            gStar[i] = -epsilon * LogSumExp(n, j => Math.Log(a) + ((f[j] - cost[j, i]) / epsilon));
        }

        // The solve ends on a plain step, f = T(g): equal up to float64 rounding of sums of ~1e4/eps-sized
        // exponents, far below 1e-9 of the largest cost.
        for (var i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(f[i] - fStar[i]) <= 1e-9 * maxCost, $"f[{i}] = {f[i]:R}, T(g) = {fStar[i]:R}");
        }

        // Columns are exact only to the tolerance: mass_j = b_j exp((g_j - g*_j)/eps) and sum_j |mass_j - b_j| < 1e-6,
        // so |g_j - g*_j| <= eps |log(1 - 1e-6 / b_j)|, about eps x 1e-6 / b_j = eps x 4e-4 here.
        var columnError = 0.0;
        var rowError = 0.0;
        var columnMass = new double[n];
        for (var i = 0; i < n; i++)
        {
            var rowMass = 0.0;
            for (var j = 0; j < n; j++)
            {
                var plan = a * a * Math.Exp((f[i] + g[j] - cost[i, j]) / epsilon);
                rowMass += plan;
                columnMass[j] += plan;
            }

            rowError += Math.Abs(rowMass - a);
        }

        for (var j = 0; j < n; j++)
        {
            Assert.True(Math.Abs(g[j] - gStar[j]) <= epsilon * 1e-6 / a * 1.01, $"g[{j}] = {g[j]:R}, T(f) = {gStar[j]:R}");
            columnError += Math.Abs(columnMass[j] - a);
        }

        // Rows: exact up to rounding (1e-12 in L1 over 400 rows of mass 1/400). Columns: the brute-force L1 error is
        // the solver's reported error (1e-9 relative, the two sums only differ in order) and below the tolerance.
        Assert.True(rowError <= 1e-12, $"row L1 error {rowError:E3}");
        Assert.True(columnError < options.Tolerance, $"column L1 error {columnError:E3}");
        TestData.AssertRelative(result.MarginalError, columnError, 1e-6, floor: 1e-12, what: "column L1 error");
    }

    [Theory]
    [InlineData(2, 2e-3, 0.5)]
    [InlineData(3, 5e-3, 1.0)]
    public void Over_relaxed_and_plain_reach_the_same_fixed_point(int dim, double epsilonOverSquaredDiameter, double scaling)
    {
        // Both solves run to an L1 marginal error of 1e-13, where the potentials are fixed to ~1e-12 of the cost
        // scale: dual within 1e-9 relative and potentials within 1e-7 x the largest cost leave room for the
        // different iteration paths and still catch a relaxed solve that stopped at a different point.
        const int n = 150, m = 130;
        var problem = new SinkhornProblem(
            PointCloud.Create(TestData.Points(n, dim, seed: 501), n, dim, TestData.Weights(n, seed: 502)),
            PointCloud.Create(TestData.Points(m, dim, seed: 503, scale: 0.6, shift: 0.3), m, dim, TestData.Weights(m, seed: 504)));
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var maxCost = box.Diameter * box.Diameter;
        var options = new SinkhornOptions { Epsilon = epsilonOverSquaredDiameter * maxCost, Tolerance = 1e-13, MaxIterations = 100_000, Scaling = scaling };

        var plain = SinkhornSolver.Solve(problem, options with { Overrelaxation = 1 });
        var relaxed = SinkhornSolver.Solve(problem, options);
        output.WriteLine($"plain {plain.Iterations} iterations, relaxed {relaxed.Iterations} (w {relaxed.Summary.Relaxation:0.###})");

        Assert.True(plain.Converged);
        Assert.True(relaxed.Converged);
        Assert.Equal(1.0, plain.Summary.Relaxation);
        Assert.True(relaxed.Summary.Relaxation > 1.0, "relaxation never engaged");
        Assert.True(relaxed.Iterations < plain.Iterations, $"relaxed {relaxed.Iterations}, plain {plain.Iterations}");
        TestData.AssertRelative(plain.Dual, relaxed.Dual, 1e-9, what: "dual");
        for (var i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(plain.F[i] - relaxed.F[i]) <= 1e-7 * maxCost, $"f[{i}]: plain {plain.F[i]:R}, relaxed {relaxed.F[i]:R}");
        }

        for (var j = 0; j < m; j++)
        {
            Assert.True(Math.Abs(plain.G[j] - relaxed.G[j]) <= 1e-7 * maxCost, $"g[{j}]: plain {plain.G[j]:R}, relaxed {relaxed.G[j]:R}");
        }
    }

    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(2, 0.02)]
    [InlineData(3, 0.1)]
    public void Self_problem_through_the_cross_loop_matches_the_brute_force_self_value_and_potential(int dim, double epsilon)
    {
        // OT_eps(a, a) solved as the cross problem of the cloud with itself, against DenseReference (independent
        // float64 Sinkhorn run to 1e-14) on the same cloud twice. Both converged to ~1e-13: the value agrees to
        // 1e-9 relative; the symmetric potential (f + g) / 2, which removes the f + c, g - c freedom, agrees with
        // the reference's to 1e-7 of the largest cost; f_aa and g_aa themselves differ by a constant only.
        const int n = 60;
        var x = TestData.Points(n, dim, seed: 601 + dim);
        var a = TestData.Weights(n, seed: 602);
        var cloud = PointCloud.Create(x, n, dim, a);
        var options = new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-13, MaxIterations = 100_000 };
        var reference = new DenseReference(x, a, x, a, dim, epsilon, 1.0);

        var run = SinkhornSolver.Run(new SinkhornProblem(cloud, cloud), options, warmStart: null, null, SinkhornTerm.SelfSource.Name(), CancellationToken.None);
        var self = SinkhornOutput.Summarise(run);
        output.WriteLine($"self problem, d = {dim}, eps = {epsilon}: {self.Iterations} iterations");

        Assert.True(self.Converged);
        Assert.Equal(2L * self.Iterations * n * n, self.KernelEvaluations);
        TestData.AssertRelative(reference.Dual(), self.Dual, 1e-9, what: "OT_eps(a, a)");
        var maxCost = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, n).Select(j => reference.C[i, j])).Max();
        var p = SinkhornDivergence.SymmetricSelfPotential(run.F, run.G);
        var shift = run.F[0] - run.G[0];
        for (var i = 0; i < n; i++)
        {
            var expected = 0.5 * (reference.F[i] + reference.G[i]);
            Assert.True(Math.Abs(p[i] - expected) <= 1e-7 * maxCost, $"p[{i}] = {p[i]:R}, reference {expected:R}");
            var difference = run.F[i] - run.G[i];
            Assert.True(Math.Abs(difference - shift) <= 1e-7 * maxCost, $"f_aa - g_aa at {i}: {difference:R}, at 0: {shift:R}");
        }

        // The divergence of the cloud with itself uses the same loop for all three terms: zero to the same budget.
        var divergence = SinkhornDivergence.Compute(new SinkhornProblem(cloud, cloud), options);
        Assert.True(divergence.Converged);
        TestData.AssertRelative(reference.Dual(), divergence.SelfSource.Dual, 1e-9, what: "divergence self term");
        Assert.True(Math.Abs(divergence.Value) <= 1e-9 * Math.Abs(reference.Dual()), $"S(a, a) = {divergence.Value:E3}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Overrelaxation_outside_one_to_two_is_rejected_naming_the_field(double value)
    {
        var problem = new SinkhornProblem(PointCloud.Create(TestData.Points(5, 2, seed: 1), 5, 2), PointCloud.Create(TestData.Points(4, 2, seed: 2), 4, 2));
        var error = Assert.Throws<InvalidInputException>(() => SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = 0.1, Overrelaxation = value }));
        Assert.Equal("overrelaxation", error.Field);
        var divergence = Assert.Throws<InvalidInputException>(() => SinkhornDivergence.Compute(problem, new SinkhornOptions { Epsilon = 0.1, Overrelaxation = value }));
        Assert.Equal("overrelaxation", divergence.Field);
    }

    private static double LogSumExp(int count, Func<int, double> term) => DenseReference.Lse(term, count);
}
