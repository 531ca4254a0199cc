using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>The multiscale solver against the dense <see cref="SinkhornSolver"/> on the same problem.</summary>
public sealed class MultiscaleAgreementTests(ITestOutputHelper output)
{
    public static TheoryData<int, int, int, double, CostFunction, int?> Cases => new()
    {
        { 2000, 1800, 2, 0.05, CostFunction.SquaredEuclidean, 3 },
        { 1800, 2000, 2, 0.05, CostFunction.HalfSquaredEuclidean, null },
        { 2000, 2000, 3, 0.05, CostFunction.SquaredEuclidean, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cost_objective_and_potentials_match_dense_with_fewer_kernel_evaluations(int n, int m, int dim, double blur, CostFunction cost, int? levels)
    {
        var problem = MultiscaleTestProblems.Random(n, m, dim, seed: n + dim);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, blur, cost), Cost = cost, Tolerance = 1e-6 };
        var dense = SinkhornSolver.Solve(problem, options);
        var multiscale = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions { Levels = levels, LeafClusterSize = 16 });
        output.WriteLine($"dense iterations {dense.Iterations}, evaluations {2.0 * n * m * dense.Iterations:E3}");
        output.WriteLine(MultiscaleTestProblems.Describe(multiscale));

        Assert.True(dense.Converged);
        Assert.True(multiscale.Converged);
        // 1e-4: the kept-block plan differs from the full one by at most the neglected mass (<= 1e-5)
        // and both marginals are within 1e-6, so values agree to about 1e-5 of their scale.
        MultiscaleTestProblems.AssertMatchesDense(dense, multiscale, MultiscaleTestProblems.SquaredDiameter(problem));
        Assert.True(multiscale.KernelEvaluations < 2.0 * n * m * dense.Iterations, "multiscale must evaluate fewer kernel entries than dense");

        // The barycentric map over the kept blocks against the dense map: the dropped blocks carry at most the
        // neglected mass, so every image moves by at most about that mass times the diameter; 1e-4 x diameter.
        var denseMap = dense.BarycentricMap();
        var diameter = Math.Sqrt(MultiscaleTestProblems.SquaredDiameter(problem));
        Assert.Equal(denseMap.Length, multiscale.Map.Length);
        for (var i = 0; i < denseMap.Length; i++)
        {
            Assert.True(Math.Abs(denseMap[i] - multiscale.Map[i]) <= 1e-4 * diameter, $"map[{i}]: dense {denseMap[i]}, multiscale {multiscale.Map[i]}");
        }
    }
}
