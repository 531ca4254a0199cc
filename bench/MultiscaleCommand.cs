using System.Globalization;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Bench;

/// <summary>
/// Dense versus multiscale Sinkhorn on two uniform clouds (target shrunk and shifted): time, kernel
/// evaluations, memory and cost per size, and the growth exponent of time with N.
/// </summary>
internal static class MultiscaleCommand
{
    public static void Run(MultiscaleBenchOptions options)
    {
        Console.Error.WriteLine($"multiscale bench: d = {options.Dimension}, blur {options.BlurFraction} x diameter, tolerance {options.Tolerance}, {options.Precision}, {Environment.ProcessorCount} cores");
        var table = new TablePrinter("solver", "N", "seconds", "iterations", "evaluations", "evals/iteration", "dense/ms evals", "dense/ms per iteration", "peak MB", "divergence", "marginal L1", "neglected", "levels", "converged");
        var timings = new List<(double N, double Seconds)>();
        foreach (var n in options.Sizes)
        {
            var problem = Problem(n, options.Dimension);
            var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
            var epsilon = Math.Pow(options.BlurFraction * box.Diameter, 2);
            var sinkhorn = new SinkhornOptions { Epsilon = epsilon, Tolerance = options.Tolerance, MaxIterations = options.MaxIterations, Precision = options.Precision };
            var multiscale = new MultiscaleOptions { Truncation = options.Truncation, LeafClusterSize = options.LeafClusterSize, MemoryBudget = options.MemoryBudget };

            // Dense: all three problems of the divergence; every iteration evaluates n x n pairs per half-step.
            double denseEvaluations = double.NaN;
            if (n <= options.DenseMax && options.CrossOnly)
            {
                var (dense, seconds, peak) = Timed(() => SinkhornSolver.Solve(problem, sinkhorn));
                denseEvaluations = dense.KernelEvaluations;
                table.Add("dense OT", Int(n), Format.Seconds(seconds), Int(dense.Iterations), Sci(denseEvaluations), Sci(denseEvaluations / dense.Iterations), "1", "1", Megabytes(peak), "n/a", Sci(dense.MarginalError), "0", "1", dense.Converged.ToString());
            }
            else if (n <= options.DenseMax)
            {
                var (dense, seconds, peak) = Timed(() => SinkhornDivergence.Compute(problem, sinkhorn));
                var iterations = dense.Cross.Iterations + dense.SelfSource.Iterations + dense.SelfTarget.Iterations;
                denseEvaluations = dense.KernelEvaluations;
                Console.Error.WriteLine($"N = {n}: dense {Format.Seconds(seconds)} s, {iterations} iterations, divergence {dense.Value:R}");
                table.Add("dense", Int(n), Format.Seconds(seconds), Int(iterations), Sci(denseEvaluations), Sci(denseEvaluations / iterations), "1", "1", Megabytes(peak), Value(dense.Value), Sci(dense.Cross.MarginalError), "0", "1", dense.Converged.ToString());
            }

            if (options.CrossOnly)
            {
                var (cross, crossSeconds, crossPeak) = Timed(() => MultiscaleSinkhornSolver.Solve(problem, sinkhorn, multiscale));
                timings.Add((n, crossSeconds));
                var crossPerIteration = (double)cross.KernelEvaluations / cross.Iterations;
                table.Add("multiscale OT", Int(n), Format.Seconds(crossSeconds), Int(cross.Iterations), Sci(cross.KernelEvaluations), Sci(crossPerIteration), Format.Ratio(denseEvaluations / cross.KernelEvaluations), Format.Ratio(2.0 * n * (double)n / crossPerIteration), Megabytes(crossPeak), "n/a", Sci(cross.MarginalError), Sci(cross.NeglectedMass), Int(cross.LevelCount), cross.Converged.ToString());
                Console.Error.WriteLine($"N = {n}: multiscale OT {Format.Seconds(crossSeconds)} s, {cross.Iterations} iterations, w {cross.Relaxation:0.###}, cost {cross.TransportCost:R}, leaf {cross.LeafClusterSize} (budget {Megabytes(multiscale.EffectiveMemoryBudget)} MB, estimated peak {Megabytes(cross.EstimatedPeakBytes ?? 0)} MB); " + string.Join("; ", cross.Levels.Select(l => $"L{l.Level} {l.SourceClusters}x{l.TargetClusters} pairs {l.SurvivingBlockPairs}/{l.PossibleBlockPairs} it {l.Iterations} evals {Sci(l.KernelEvaluations)}")));
                continue;
            }

            var (output, msSeconds, msPeak) = Timed(() => MultiscaleSinkhornDivergence.Compute(problem, sinkhorn, multiscale));
            timings.Add((n, msSeconds));
            var msIterations = output.Cross.Iterations + output.SelfSource.Iterations + output.SelfTarget.Iterations;
            // Dense at the same iteration count: 2 n^2 per iteration (both half-steps), n = m here.
            var densePerIteration = 2.0 * n * (double)n;
            var perIteration = (double)output.KernelEvaluations / msIterations;
            table.Add("multiscale", Int(n), Format.Seconds(msSeconds), Int(msIterations), Sci(output.KernelEvaluations), Sci(perIteration), Format.Ratio(denseEvaluations / output.KernelEvaluations), Format.Ratio(densePerIteration / perIteration), Megabytes(msPeak), Value(output.Value), Sci(output.Cross.MarginalError), Sci(Math.Max(output.Cross.NeglectedMass, Math.Max(output.SelfSource.NeglectedMass, output.SelfTarget.NeglectedMass))), Int(output.Cross.LevelCount), output.Converged.ToString());
            Console.Error.WriteLine($"N = {n}: multiscale {Format.Seconds(msSeconds)} s, {msIterations} iterations, {Sci(output.KernelEvaluations)} evaluations, divergence {output.Value:R}, leaf {output.Cross.LeafClusterSize} (budget {Megabytes(multiscale.EffectiveMemoryBudget)} MB, estimated cross peak {Megabytes(output.Cross.EstimatedPeakBytes ?? 0)} MB)");
            foreach (var (name, solve) in new[] { ("cross", output.Cross), ("self a", output.SelfSource), ("self b", output.SelfTarget) })
            {
                Console.Error.WriteLine($"  {name}: " + string.Join("; ", solve.Levels.Select(l => $"L{l.Level} {l.SourceClusters}x{l.TargetClusters} pairs {l.SurvivingBlockPairs}/{l.PossibleBlockPairs} it {l.Iterations} evals {Sci(l.KernelEvaluations)}")) + $"; refinements {solve.Refinements}, values held {solve.ResidentValues:N0}, marginal {Sci(solve.MarginalError)}, w {solve.Relaxation:0.###}");
            }
        }

        Console.WriteLine();
        Console.WriteLine(table.Render());
        Console.WriteLine("dense/ms evals: dense total over multiscale total (n/a where dense was not run); dense/ms per iteration: 2 N^2 over multiscale evaluations per iteration (dense at the same iteration count).");
        if (timings.Count >= 2)
        {
            Console.WriteLine($"multiscale time ~ N^{GrowthExponent(timings).ToString("0.00", CultureInfo.InvariantCulture)} (least squares on log-log)");
        }
    }

    private static SinkhornProblem Problem(int n, int dimension)
    {
        var x = Clouds.UnitCube(n, dimension, seed: 1);
        var y = Clouds.UnitCube(n, dimension, seed: 2);
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = 0.1 + (0.8 * y[i]);
        }

        return new SinkhornProblem(PointCloud.Create(x, n, dimension), PointCloud.Create(y, n, dimension));
    }

    /// <summary>Runs <paramref name="run"/> and returns its wall time and the peak working set sampled every 50 ms during it.</summary>
    private static (T Result, double Seconds, long PeakBytes) Timed<T>(Func<T> run)
    {
        var (result, measurement) = RunMeasurement.Of(run);
        return (result, measurement.Seconds, measurement.PeakBytes);
    }

    private static double GrowthExponent(List<(double N, double Seconds)> points)
    {
        var xs = points.Select(p => Math.Log(p.N)).ToArray();
        var ys = points.Select(p => Math.Log(p.Seconds)).ToArray();
        var mx = xs.Average();
        var my = ys.Average();
        var num = xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum();
        var den = xs.Sum(x => (x - mx) * (x - mx));
        return num / den;
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Sci(double value) => double.IsFinite(value) ? value.ToString("0.000e0", CultureInfo.InvariantCulture) : "n/a";

    private static string Value(double value) => value.ToString("0.000000e0", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
}
