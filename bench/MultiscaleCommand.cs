using System.Diagnostics;
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
        var table = new TablePrinter("solver", "N", "seconds", "iterations", "evaluations", "dense/ms evals", "peak WS MB", "alloc MB", "cost", "neglected", "levels", "converged");
        var timings = new List<(double N, double Seconds)>();
        foreach (var n in options.Sizes)
        {
            var problem = Problem(n, options.Dimension);
            var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
            var epsilon = Math.Pow(options.BlurFraction * box.Diameter, 2);
            var sinkhorn = new SinkhornOptions { Epsilon = epsilon, Tolerance = options.Tolerance, MaxIterations = options.MaxIterations };
            var multiscale = new MultiscaleOptions { Truncation = options.Truncation, LeafClusterSize = options.LeafClusterSize };

            double denseEvaluations = double.NaN;
            if (n <= options.DenseMax)
            {
                var (dense, seconds, allocated) = Timed(() => SinkhornSolver.Solve(problem, sinkhorn));
                denseEvaluations = 2.0 * n * n * dense.Iterations;
                Console.WriteLine($"N = {n}: dense {Format.Seconds(seconds)} s, {dense.Iterations} iterations, cost {dense.TransportCost:R}");
                table.Add("dense", Int(n), Format.Seconds(seconds), Int(dense.Iterations), Sci(denseEvaluations), "1", Megabytes(Process.GetCurrentProcess().PeakWorkingSet64), Megabytes(allocated), dense.TransportCost.ToString("0.000000e0", CultureInfo.InvariantCulture), "0", "1", dense.Converged.ToString());
            }

            var (output, msSeconds, msAllocated) = Timed(() => MultiscaleSinkhornSolver.Solve(problem, sinkhorn, multiscale));
            timings.Add((n, msSeconds));
            table.Add("multiscale", Int(n), Format.Seconds(msSeconds), Int(output.Iterations), Sci(output.KernelEvaluations), Format.Ratio(denseEvaluations / output.KernelEvaluations), Megabytes(Process.GetCurrentProcess().PeakWorkingSet64), Megabytes(msAllocated), output.TransportCost.ToString("0.000000e0", CultureInfo.InvariantCulture), Sci(output.NeglectedMass), Int(output.LevelCount), output.Converged.ToString());
            Console.WriteLine($"N = {n}: multiscale {Format.Seconds(msSeconds)} s, {output.Iterations} iterations, {Sci(output.KernelEvaluations)} evaluations, cost {output.TransportCost:R}, neglected {Sci(output.NeglectedMass)}");
            Console.WriteLine($"N = {n}: " + string.Join("; ", output.Levels.Select(l => $"L{l.Level} {l.SourceClusters}x{l.TargetClusters} pairs {l.SurvivingBlockPairs}/{l.PossibleBlockPairs} it {l.Iterations} evals {Sci(l.KernelEvaluations)}")) + $"; refinements {output.Refinements}");
        }

        Console.WriteLine();
        Console.WriteLine(table.Render());
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

    private static (T Result, double Seconds, long Allocated) Timed<T>(Func<T> run)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var result = run();
        watch.Stop();
        return (result, watch.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - before);
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

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
}
