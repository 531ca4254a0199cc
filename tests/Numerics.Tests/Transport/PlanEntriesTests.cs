using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>
/// <see cref="PlanTopK"/> and <see cref="PlanThreshold"/> against the dense float64 plan written here from the solve's
/// potentials, P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps), and that plan against the marginals the solve met (which
/// ties the formula to the solver's convention for f and g).
/// </summary>
public sealed class PlanEntriesTests
{
    private const int N = 40;
    private const int M = 55;
    private const int Dim = 2;
    private const double Epsilon = 0.02;

    [Theory]
    [InlineData("sqeuclidean")]
    [InlineData("half-sqeuclidean")]
    public void Top_k_entries_are_the_largest_of_the_dense_plan_and_all_of_them_meet_the_marginals(string costName)
    {
        var cost = CostFunctions.Parse(costName);
        var (problem, f, g) = Solved(cost);
        var plan = Dense(problem, f, g, cost);

        var (indices, masses) = PlanTopK.Compute(problem, f, g, Epsilon, cost, 4);

        for (var i = 0; i < N; i++)
        {
            // The reference order: mass descending, ties by the lower index.
            var expected = Enumerable.Range(0, M).OrderByDescending(j => plan[i, j]).ThenBy(j => j).Take(4).ToArray();
            for (var r = 0; r < 4; r++)
            {
                Assert.Equal(expected[r], indices[(i * 4) + r]);
                TestData.AssertRelative(plan[i, expected[r]], masses[(i * 4) + r], 1e-12, 0, $"mass [{i}, {r}]");
            }
        }

        // K = m: every entry, so the rows sum to a_i and the columns to b_j, as the converged solve (1e-10 in L1) left them.
        var (all, allMasses) = PlanTopK.Compute(problem, f, g, Epsilon, cost, M);
        var columns = new double[M];
        for (var i = 0; i < N; i++)
        {
            var row = 0.0;
            for (var r = 0; r < M; r++)
            {
                row += allMasses[(i * M) + r];
                columns[all[(i * M) + r]] += allMasses[(i * M) + r];
            }

            TestData.AssertRelative(problem.Source.Weights[i], row, 1e-8, 0, $"row {i}");
        }

        for (var j = 0; j < M; j++)
        {
            TestData.AssertRelative(problem.Target.Weights[j], columns[j], 1e-8, 0, $"column {j}");
        }
    }

    [Fact]
    public void Top_k_of_chosen_rows_equals_those_rows_of_the_whole()
    {
        var (problem, f, g) = Solved(CostFunction.SquaredEuclidean);
        var (indices, masses) = PlanTopK.Compute(problem, f, g, Epsilon, CostFunction.SquaredEuclidean, 3);
        int[] rows = [7, 0, 39, 7];

        var (chosen, chosenMasses) = PlanTopK.ComputeRows(problem, f, g, Epsilon, CostFunction.SquaredEuclidean, 3, rows);

        for (var r = 0; r < rows.Length; r++)
        {
            Assert.Equal(indices.AsSpan(rows[r] * 3, 3).ToArray(), chosen.AsSpan(r * 3, 3).ToArray());
            Assert.Equal(masses.AsSpan(rows[r] * 3, 3).ToArray(), chosenMasses.AsSpan(r * 3, 3).ToArray());
        }
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-5)]
    [InlineData(1e-7)]
    public void Threshold_entries_are_exactly_the_dense_entries_above_it_in_row_major_order(double threshold)
    {
        var (problem, f, g) = Solved(CostFunction.SquaredEuclidean);
        var plan = Dense(problem, f, g, CostFunction.SquaredEuclidean);

        var (rows, columns, masses) = PlanThreshold.Compute(problem, f, g, Epsilon, CostFunction.SquaredEuclidean, threshold);

        var expected = new List<(int, int)>();
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                // Entries within 1e-12 of the threshold could fall either side by rounding: none here (checked).
                Assert.False(Math.Abs(plan[i, j] - threshold) <= 1e-12 * threshold, $"entry [{i}, {j}] sits on the threshold");
                if (plan[i, j] > threshold)
                {
                    expected.Add((i, j));
                }
            }
        }

        Assert.Equal(expected, rows.Zip(columns).ToList());
        Assert.True(rows.Length < 1 / threshold, "fewer entries than 1 / t");
        for (var k = 0; k < rows.Length; k++)
        {
            TestData.AssertRelative(plan[rows[k], columns[k]], masses[k], 1e-12, 0, $"mass [{rows[k]}, {columns[k]}]");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(9e-8)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_threshold_below_1e_7_or_not_finite_is_refused_naming_plan_threshold(double threshold)
    {
        var (problem, f, g) = Solved(CostFunction.SquaredEuclidean);

        var error = Assert.Throws<InvalidInputException>(() => PlanThreshold.Compute(problem, f, g, Epsilon, CostFunction.SquaredEuclidean, threshold));

        Assert.Equal("plan-threshold", error.Field);
    }

    private static (SinkhornProblem Problem, double[] F, double[] G) Solved(CostFunction cost)
    {
        var source = PointCloud.Create(TestData.Points(N, Dim, seed: 3), N, Dim, TestData.Weights(N, seed: 4), "source", "source-weights");
        var target = PointCloud.Create(TestData.Points(M, Dim, seed: 5, shift: 0.3), M, Dim, TestData.Weights(M, seed: 6), "target", "target-weights");
        var problem = new SinkhornProblem(source, target);
        var output = SinkhornSolver.Solve(problem, new SinkhornOptions { Epsilon = Epsilon, Cost = cost, Tolerance = 1e-10, MaxIterations = 100_000 });
        Assert.True(output.Converged);
        return (problem, output.F.ToArray(), output.G.ToArray());
    }

    /// <summary>The whole plan in float64, straight from the formula.</summary>
    private static double[,] Dense(SinkhornProblem problem, double[] f, double[] g, CostFunction cost)
    {
        var plan = new double[N, M];
        var scale = cost == CostFunction.HalfSquaredEuclidean ? 0.5 : 1.0;
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                var c = 0.0;
                for (var k = 0; k < Dim; k++)
                {
                    var diff = problem.Source.Positions[(i * Dim) + k] - problem.Target.Positions[(j * Dim) + k];
                    c += diff * diff;
                }

                plan[i, j] = problem.Source.Weights[i] * problem.Target.Weights[j] * Math.Exp((f[i] + g[j] - (scale * c)) / Epsilon);
            }
        }

        return plan;
    }
}
