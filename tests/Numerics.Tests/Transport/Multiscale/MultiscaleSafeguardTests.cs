using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>The neglected-mass bound and the safeguard that re-admits dropped blocks.</summary>
public sealed class MultiscaleSafeguardTests(ITestOutputHelper output)
{
    [Fact]
    public void Reported_neglected_mass_bounds_the_full_plan_marginal_errors()
    {
        // tau = 2 without safeguard leaves real mass outside the kept blocks, so the bound is exercised.
        var problem = MultiscaleTestProblems.Random(1500, 1400, 2, seed: 11);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.05, Geometry.CostFunction.SquaredEuclidean), Tolerance = 1e-8 };
        var result = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions { Levels = 3, LeafClusterSize = 16, Truncation = 2, Safeguard = false });
        output.WriteLine(MultiscaleTestProblems.Describe(result));

        var (rowError, columnError) = FullPlanMarginalErrors(problem, result);
        output.WriteLine($"full-plan row error {rowError:E3}, column error {columnError:E3}");
        Assert.True(result.Converged);
        // Rows are exact on the kept blocks, so the full row error is the dropped mass itself; columns add
        // the kept-block error. 1e-12 absorbs float64 summation over 2e6 terms.
        Assert.True(rowError > 0, "the test needs dropped mass to be meaningful");
        Assert.True(rowError <= result.NeglectedMass + 1e-12, $"row error {rowError:E3} > neglected {result.NeglectedMass:E3}");
        Assert.True(columnError <= result.MarginalError + result.NeglectedMass + 1e-12, $"column error {columnError:E3} > {result.MarginalError + result.NeglectedMass:E3}");
    }

    [Fact]
    public void Aggressive_truncation_is_caught_refined_and_still_matches_dense()
    {
        var problem = MultiscaleTestProblems.Random(1500, 1600, 2, seed: 21);
        var options = new SinkhornOptions { Epsilon = MultiscaleTestProblems.EpsilonForBlur(problem, 0.05, Geometry.CostFunction.SquaredEuclidean) };
        var unguarded = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions { Levels = 3, LeafClusterSize = 16, Truncation = 0.5, Safeguard = false });
        var guarded = MultiscaleSinkhornSolver.Solve(problem, options, new MultiscaleOptions { Levels = 3, LeafClusterSize = 16, Truncation = 0.5 });
        var dense = SinkhornSolver.Solve(problem, options);
        output.WriteLine("unguarded: " + MultiscaleTestProblems.Describe(unguarded));
        output.WriteLine("guarded: " + MultiscaleTestProblems.Describe(guarded));

        Assert.True(unguarded.NeglectedMass > new MultiscaleOptions().NeglectedMassTolerance, "tau = 0.5 must leave a visible neglected mass");
        Assert.True(guarded.Refinements >= 1);
        Assert.True(guarded.ReadmittedPairs > 0);
        Assert.True(guarded.Converged);
        Assert.True(guarded.NeglectedMass <= new MultiscaleOptions().NeglectedMassTolerance);
        MultiscaleTestProblems.AssertMatchesDense(dense, guarded, MultiscaleTestProblems.SquaredDiameter(problem));
    }

    /// <summary>Brute-force float64 L1 errors of the full plan a_i b_j exp((f_i + g_j - C_ij)/eps).</summary>
    private static (double Rows, double Columns) FullPlanMarginalErrors(SinkhornProblem problem, MultiscaleOutput result)
    {
        var x = problem.Source;
        var y = problem.Target;
        var d = x.Dimension;
        var columns = new double[y.Count];
        var rowError = 0.0;
        for (var i = 0; i < x.Count; i++)
        {
            var row = 0.0;
            for (var j = 0; j < y.Count; j++)
            {
                var c = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var diff = x.Positions[(i * d) + k] - y.Positions[(j * d) + k];
                    c += diff * diff;
                }

                var p = x.Weights[i] * y.Weights[j] * Math.Exp((result.F[i] + result.G[j] - c) / result.Epsilon);
                row += p;
                columns[j] += p;
            }

            rowError += Math.Abs(row - x.Weights[i]);
        }

        var columnError = 0.0;
        for (var j = 0; j < y.Count; j++)
        {
            columnError += Math.Abs(columns[j] - y.Weights[j]);
        }

        return (rowError, columnError);
    }
}
