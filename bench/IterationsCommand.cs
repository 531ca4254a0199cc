using System.Diagnostics;
using System.Globalization;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Bench;

/// <summary>
/// Iterations to an L1 column-marginal error of the tolerance (default 1e-6) for OT_eps between N points uniform in
/// the unit cube [0, 1]^d and M = N points of the Gaussian blob N(0.5, 0.1^2 I), cost |x - y|^2 (squared Euclidean,
/// so eps is in squared length units; the joint diameter is about sqrt(d)). Solvers: dense plain with one iteration
/// per annealing stage (w = 1, the loop before issue 10), dense plain with the staged annealing of
/// <see cref="SinkhornSchedule"/>, dense adaptive (staged and over-relaxed: the default), and the multiscale solver
/// with its defaults (the same schedule).
/// </summary>
internal static class IterationsCommand
{
    public static void Run(IterationsOptions options)
    {
        Console.Error.WriteLine($"iterations bench: uniform [0,1]^{options.Dimension} vs N(0.5, 0.1^2 I), cost |x - y|^2, tolerance {options.Tolerance}, scaling {options.Scaling}, {Environment.ProcessorCount} cores");
        var table = new TablePrinter("N", "eps", "eps/D^2", "solver", "iterations", "seconds", "marginal L1", "w", "converged");
        foreach (var n in options.Sizes)
        {
            var problem = Problem(n, options.Dimension);
            var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
            foreach (var epsilon in options.Epsilons)
            {
                var relative = Sci(epsilon / (box.Diameter * box.Diameter));
                var sinkhorn = new SinkhornOptions { Epsilon = epsilon, Tolerance = options.Tolerance, MaxIterations = options.MaxIterations, Scaling = options.Scaling };
                if (options.Plain)
                {
                    // The loop before issue 10: plain iterations, one iteration per annealing stage.
                    var oldOptions = sinkhorn with { Overrelaxation = 1, MaxIterations = options.PlainMaxIterations, MaxIterationsPerStage = 1 };
                    var (old, oldSeconds) = Timed(() => SinkhornSolver.Solve(problem, oldOptions));
                    Add(table, n, epsilon, relative, "dense plain w=1, 1 it/stage (before)", old.Iterations, oldSeconds, old.MarginalError, 1.0, old.Converged);

                    var plainOptions = sinkhorn with { Overrelaxation = 1, MaxIterations = options.PlainMaxIterations };
                    var (plain, seconds) = Timed(() => SinkhornSolver.Solve(problem, plainOptions));
                    Add(table, n, epsilon, relative, "dense plain w=1, staged", plain.Iterations, seconds, plain.MarginalError, 1.0, plain.Converged);
                }

                var (adaptive, adaptiveSeconds) = Timed(() => SinkhornSolver.Solve(problem, sinkhorn));
                Add(table, n, epsilon, relative, "dense adaptive (after)", adaptive.Iterations, adaptiveSeconds, adaptive.MarginalError, adaptive.Summary.Relaxation, adaptive.Converged);

                if (options.Multiscale)
                {
                    var (multiscale, msSeconds) = Timed(() => MultiscaleSinkhornSolver.Solve(problem, sinkhorn, new MultiscaleOptions()));
                    var name = multiscale.DenseReason is null ? $"multiscale ({multiscale.LevelCount} levels)" : "multiscale (ran dense)";
                    Add(table, n, epsilon, relative, name, multiscale.Iterations, msSeconds, multiscale.MarginalError, multiscale.Relaxation, multiscale.Converged);
                    if (multiscale.DenseReason is { } reason)
                    {
                        Console.Error.WriteLine($"  multiscale ran dense: {reason}");
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(table.Render());
        Console.WriteLine("iterations: annealing stages included; marginal L1: final column-marginal error; w: final over-relaxation factor.");
    }

    private static void Add(TablePrinter table, int n, double epsilon, string relative, string solver, int iterations, double seconds, double error, double relaxation, bool converged)
    {
        Console.Error.WriteLine($"N = {n}, eps = {epsilon}: {solver} {iterations} iterations, {Format.Seconds(seconds)} s, error {Sci(error)}, converged {converged}");
        table.Add(Format.Int(n), Sci(epsilon), relative, solver, Format.Int(iterations), Format.Seconds(seconds), Sci(error), relaxation.ToString("0.###", CultureInfo.InvariantCulture), converged.ToString());
    }

    /// <summary>Uniform cube (seed 1) against N(0.5, 0.1^2 I) (seed 2, Box-Muller), uniform weights.</summary>
    public static SinkhornProblem Problem(int n, int dimension) => Clouds.CubeAgainstBlob(n, dimension, seed: 1);

    private static (T Result, double Seconds) Timed<T>(Func<T> run)
    {
        var watch = Stopwatch.StartNew();
        var result = run();
        return (result, watch.Elapsed.TotalSeconds);
    }

    private static string Sci(double value) => double.IsFinite(value) ? value.ToString("0.00e0", CultureInfo.InvariantCulture) : "n/a";
}
