using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

public sealed class SinkhornDenseReferenceTests
{
    public static TheoryData<int, int, int, double, CostFunction> Cases => new()
    {
        { 17, 23, 1, 0.05, CostFunction.SquaredEuclidean },
        { 30, 25, 2, 0.1, CostFunction.SquaredEuclidean },
        { 40, 33, 3, 0.02, CostFunction.HalfSquaredEuclidean },
        { 21, 19, 5, 0.5, CostFunction.SquaredEuclidean },
        { 26, 31, 12, 1.0, CostFunction.HalfSquaredEuclidean },
        { 9, 70, 64, 2.0, CostFunction.SquaredEuclidean },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Potentials_cost_and_objective_match_dense_float64_reference_within_1e6(int n, int m, int dim, double epsilon, CostFunction cost)
    {
        var x = TestData.Points(n, dim, seed: n);
        var y = TestData.Points(m, dim, seed: m + 1000, shift: 0.3);
        var a = TestData.Weights(n, seed: 7);
        var b = TestData.Weights(m, seed: 8);
        var reference = new DenseReference(x, a, y, b, dim, epsilon, cost.Scale());
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim, a), PointCloud.Create(y, m, dim, b));

        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Cost = cost, Tolerance = 1e-13, MaxIterations = 100_000 });

        Assert.True(output.Converged);
        // The potentials are unique up to f + c, g - c; the solver fixes <f, a> = <g, b>, so shift the
        // reference the same way. 1e-6 relative to the cost scale: both are converged to ~1e-13.
        var shift = 0.5 * (Dot(reference.A, reference.F) - Dot(reference.B, reference.G));
        var costScale = Math.Max(1.0, reference.Cost());
        for (var i = 0; i < n; i++)
        {
            TestData.AssertRelative(reference.F[i] - shift, output.F[i], 1e-6, costScale, $"f[{i}]");
        }

        for (var j = 0; j < m; j++)
        {
            TestData.AssertRelative(reference.G[j] + shift, output.G[j], 1e-6, costScale, $"g[{j}]");
        }

        TestData.AssertRelative(reference.Cost(), output.TransportCost, 1e-6, what: "cost");
        TestData.AssertRelative(reference.Objective(), output.Objective, 1e-6, what: "objective");
        TestData.AssertRelative(reference.Dual(), output.Dual, 1e-6, what: "dual");
    }

    [Fact]
    public void Barycentric_map_plan_products_and_top_k_match_dense_reference()
    {
        const int n = 15, m = 22, dim = 2;
        const double epsilon = 0.07;
        var x = TestData.Points(n, dim, seed: 3);
        var y = TestData.Points(m, dim, seed: 4);
        var a = TestData.Weights(n, seed: 5);
        var b = TestData.Weights(m, seed: 6);
        var reference = new DenseReference(x, a, y, b, dim, epsilon, 1.0);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim, a), PointCloud.Create(y, m, dim, b));
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-13 });

        var map = output.BarycentricMap();
        var v = TestData.Points(m, 1, seed: 9);
        var pv = output.ApplyPlan(v, 1);
        var w = TestData.Points(n, 1, seed: 10);
        var ptw = output.ApplyPlanTranspose(w, 1);
        var (indices, masses) = output.TopK(3);
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                var expected = 0.0;
                for (var j = 0; j < m; j++)
                {
                    expected += reference.Plan(i, j) * y[(j * dim) + k];
                }

                TestData.AssertRelative(expected / reference.A[i], map[(i * dim) + k], 1e-6, what: $"map[{i},{k}]");
            }

            var row = Enumerable.Range(0, m).Select(j => (j, p: reference.Plan(i, j))).OrderByDescending(t => t.p).ToArray();
            for (var r = 0; r < 3; r++)
            {
                Assert.Equal(row[r].j, indices[(i * 3) + r]);
                TestData.AssertRelative(row[r].p, masses[(i * 3) + r], 1e-6, floor: 1e-12, what: "top-k mass");
            }

            var expectedPv = Enumerable.Range(0, m).Sum(j => reference.Plan(i, j) * v[j]);
            TestData.AssertRelative(expectedPv, pv[i], 1e-6, floor: 1e-3, what: $"Pv[{i}]");
        }

        for (var j = 0; j < m; j++)
        {
            var expected = Enumerable.Range(0, n).Sum(i => reference.Plan(i, j) * w[i]);
            TestData.AssertRelative(expected, ptw[j], 1e-6, floor: 1e-3, what: $"P^T w[{j}]");
        }
    }

    [Fact]
    public void Single_precision_matches_reference_within_float32_tolerance()
    {
        const int n = 300, m = 280, dim = 3;
        const double epsilon = 0.05;
        var x = TestData.Points(n, dim, seed: 11);
        var y = TestData.Points(m, dim, seed: 12, shift: 0.2);
        var a = TestData.Weights(n, seed: 13);
        var b = TestData.Weights(m, seed: 14);
        var problem = new SinkhornProblem(PointCloud.Create(x, n, dim, a), PointCloud.Create(y, m, dim, b));
        var exact = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-10 });
        var fast = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = epsilon, Tolerance = 1e-6, Precision = Precision.Single });

        Assert.True(fast.Converged);
        // float32 scores carry ~1e-7 relative rounding of C/eps (about 6e-6 here in the exponent);
        // 1e-4 relative on values of order the cost is well above that and far below any real error.
        TestData.AssertRelative(exact.TransportCost, fast.TransportCost, 1e-4, what: "cost");
        TestData.AssertRelative(exact.Dual, fast.Dual, 1e-4, what: "dual");
        for (var i = 0; i < n; i++)
        {
            TestData.AssertRelative(exact.F[i], fast.F[i], 1e-4, floor: exact.TransportCost, what: $"f[{i}]");
        }
    }

    private static double Dot(double[] u, double[] v) => u.Zip(v, (p, q) => p * q).Sum();
}
