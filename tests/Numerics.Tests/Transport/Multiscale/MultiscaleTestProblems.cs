using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>Problems and comparisons shared by the multiscale tests.</summary>
internal static class MultiscaleTestProblems
{
    /// <summary>Two random clouds (uniform in a cube, the target shifted) with random weights.</summary>
    public static SinkhornProblem Random(int n, int m, int dim, int seed)
    {
        var x = TestData.Points(n, dim, seed);
        var y = TestData.Points(m, dim, seed + 1, scale: 0.8, shift: 0.25);
        return new SinkhornProblem(
            PointCloud.Create(x, n, dim, TestData.Weights(n, seed + 2)),
            PointCloud.Create(y, m, dim, TestData.Weights(m, seed + 3)));
    }

    /// <summary>The problem with every source point moved by a uniform random displacement of at most <paramref name="step"/> per coordinate.</summary>
    public static SinkhornProblem Perturbed(SinkhornProblem problem, double step, int seed)
    {
        var source = problem.Source;
        var noise = TestData.Points(source.Count, source.Dimension, seed);
        var moved = new double[source.Count * source.Dimension];
        for (var i = 0; i < source.Count; i++)
        {
            for (var k = 0; k < source.Dimension; k++)
            {
                moved[(i * source.Dimension) + k] = source.Point(i)[k] + (step * ((2 * noise[(i * source.Dimension) + k]) - 1));
            }
        }

        return new SinkhornProblem(PointCloud.Create(moved, source.Count, source.Dimension, source.Weights.ToArray()), problem.Target);
    }

    /// <summary>The dense solver on the full problem, without annealing, started from the multiscale potentials.</summary>
    public static SinkhornOutput DenseFrom(SinkhornProblem problem, SinkhornOptions options, MultiscaleOutput start)
    {
        var run = SinkhornSolver.Run(problem, options, new MultiscaleWarmStart(start.F, start.G), null, "cross", CancellationToken.None);
        return new SinkhornOutput(problem, options, run);
    }

    /// <summary>
    /// L1 column-marginal error of the full (untruncated) plan at the multiscale potentials, rows normalised as
    /// the solver's: one dense pass f' = T_b(g), then sum_j |b_j - (P^T 1)_j| with P_ij = a_i b_j exp((f'_i + g_j - C_ij)/eps),
    /// computed in float64 by brute force over all pairs (a test-only reference).
    /// </summary>
    public static double FullMarginalError(SinkhornProblem problem, SinkhornOptions options, MultiscaleOutput result)
    {
        var (x, y) = (problem.Source, problem.Target);
        var eps = options.Epsilon;
        var s = options.Cost.Scale();
        var logB = new double[y.Count];
        for (var j = 0; j < y.Count; j++)
        {
            logB[j] = Math.Log(y.Weights[j]);
        }

        var columns = new double[y.Count];
        var gate = new object();
        Parallel.For(0, x.Count, () => new double[y.Count], (i, _, local) =>
        {
            if (x.Weights[i] == 0)
            {
                return local;
            }

            var xi = x.Point(i).ToArray();
            var scores = new double[y.Count];
            var max = double.NegativeInfinity;
            for (var j = 0; j < y.Count; j++)
            {
                var yj = y.Point(j);
                var c = 0.0;
                for (var k = 0; k < xi.Length; k++)
                {
                    c += (xi[k] - yj[k]) * (xi[k] - yj[k]);
                }

                scores[j] = logB[j] + ((result.G[j] - (s * c)) / eps);
                max = Math.Max(max, scores[j]);
            }

            var sum = 0.0;
            for (var j = 0; j < y.Count; j++)
            {
                scores[j] = Math.Exp(scores[j] - max);
                sum += scores[j];
            }

            for (var j = 0; j < y.Count; j++)
            {
                local[j] += x.Weights[i] * scores[j] / sum;
            }

            return local;
        }, local =>
        {
            lock (gate)
            {
                for (var j = 0; j < columns.Length; j++)
                {
                    columns[j] += local[j];
                }
            }
        });

        var error = 0.0;
        for (var j = 0; j < y.Count; j++)
        {
            error += Math.Abs(columns[j] - y.Weights[j]);
        }

        return error;
    }

    /// <summary>Squared diameter of the joint bounding box.</summary>
    public static double SquaredDiameter(SinkhornProblem problem)
    {
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        return box.Diameter * box.Diameter;
    }

    /// <summary>eps for a blur (sqrt(eps / s)) given as a fraction of the diameter.</summary>
    public static double EpsilonForBlur(SinkhornProblem problem, double blurFraction, CostFunction cost) =>
        cost.Scale() * blurFraction * blurFraction * SquaredDiameter(problem);

    /// <summary>
    /// Asserts that the multiscale answer matches the dense one: cost and objective within
    /// <paramref name="relative"/>, potentials within <paramref name="potentialFraction"/> x D^2 (both
    /// outputs fix the same additive constant, &lt;f, a&gt; = &lt;g, b&gt;).
    /// </summary>
    public static void AssertMatchesDense(SinkhornOutput dense, MultiscaleOutput multiscale, double squaredDiameter, double relative = 1e-4, double potentialFraction = 1e-4)
    {
        TestData.AssertRelative(dense.TransportCost, multiscale.TransportCost, relative, floor: 1e-12, what: "cost");
        TestData.AssertRelative(dense.Objective, multiscale.Objective, relative, floor: 1e-12, what: "objective");
        TestData.AssertRelative(dense.Dual, multiscale.Dual, relative, floor: 1e-12, what: "dual");
        var worst = 0.0;
        for (var i = 0; i < dense.F.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(dense.F[i] - multiscale.F[i]));
        }

        for (var j = 0; j < dense.G.Length; j++)
        {
            worst = Math.Max(worst, Math.Abs(dense.G[j] - multiscale.G[j]));
        }

        Assert.True(worst <= potentialFraction * squaredDiameter, $"potentials differ by {worst:E3} > {potentialFraction:E1} x D^2 = {potentialFraction * squaredDiameter:E3}");
    }

    /// <summary>One line of diagnostics.</summary>
    public static string Describe(MultiscaleOutput output) =>
        $"levels {output.LevelCount}, iterations {output.Iterations}, converged {output.Converged}, marginal {output.MarginalError:E2}, neglected {output.NeglectedMass:E2}, refinements {output.Refinements}, evaluations {output.KernelEvaluations:E3}; "
        + string.Join("; ", output.Levels.Select(l => $"L{l.Level}: {l.SourceClusters}x{l.TargetClusters} pairs {l.SurvivingBlockPairs}/{l.PossibleBlockPairs} it {l.Iterations} eval {l.KernelEvaluations:E2}"));
}
