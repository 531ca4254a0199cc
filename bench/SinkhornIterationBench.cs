using System.Diagnostics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Bench;

/// <summary>Seconds per Sinkhorn iteration on one path.</summary>
/// <param name="Path">"single-process" or "cluster".</param>
/// <param name="Precision">double or single.</param>
/// <param name="Size">N = M.</param>
/// <param name="Dimension">d.</param>
/// <param name="Iterations">Timed iterations.</param>
/// <param name="SecondsPerIteration">The reported per-iteration time (see <paramref name="Method"/>), NaN when unavailable.</param>
/// <param name="CpuSecondsPerIteration">Process CPU time per iteration over the same interval (all threads), NaN when unavailable.</param>
/// <param name="Method">How the number was obtained.</param>
/// <param name="Note">"not available: reason" when the path could not run, else empty.</param>
internal sealed record IterationResult(
    string Path,
    string Precision,
    int Size,
    int Dimension,
    int Iterations,
    double SecondsPerIteration,
    double CpuSecondsPerIteration,
    string Method,
    string Note);

/// <summary>
/// Section (c), single-process path: the backend the SinkhornSolver uses (LocalSinkhornBackend, dense install), with
/// eps fixed (no annealing). One iteration is exactly what the Sinkhorn loop (SinkhornRun) does per iteration:
/// Iterate (f = T_b(g), g* = T_a(f) and the marginal error), Commit. Set-up (layouts, log-weights) is excluded; the
/// first iteration is an untimed warm-up.
/// </summary>
internal static class SinkhornIterationBench
{
    public static IterationResult Run(BenchOptions options, Precision precision)
    {
        var n = options.SinkhornSize;
        var d = options.SinkhornDimension;
        var problem = new SinkhornProblem(
            PointCloud.Create(Clouds.UnitCube(n, d, seed: 21), n, d),
            PointCloud.Create(Clouds.UnitCube(n, d, seed: 22), n, d));
        var solverOptions = new SinkhornOptions
        {
            Epsilon = options.Epsilon,
            Scaling = 1,
            MaxIterations = options.SinkhornIterations,
            Tolerance = 1e-300,
            Precision = precision,
        };
        solverOptions.Validate();
        var backend = new LocalSinkhornBackend();
        var install = new SinkhornInstall(ClusterHierarchy.Points(problem.Source), ClusterHierarchy.Points(problem.Target), null, new double[n], new double[n], solverOptions);
        _ = backend.InstallAsync(install, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Iterate(backend, options.Epsilon);
        var seconds = new double[options.SinkhornIterations];
        var cpuStart = ProcessCpu.Seconds();
        for (var k = 0; k < seconds.Length; k++)
        {
            var start = Stopwatch.GetTimestamp();
            Iterate(backend, options.Epsilon);
            seconds[k] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        var cpu = (ProcessCpu.Seconds() - cpuStart) / seconds.Length;
        return new IterationResult(
            "single-process",
            precision.Name(),
            n,
            d,
            seconds.Length,
            Measure.Median(seconds),
            cpu,
            $"median of {seconds.Length} timed iterations (backend half-steps)",
            string.Empty);
    }

    /// <summary>
    /// Diagnostic: the same iteration with each cloud split into <paramref name="blocks"/> local dense
    /// SinkhornShardParts run one after the other (the shard decomposition without grains or messages).
    /// </summary>
    public static IterationResult RunBlocks(BenchOptions options, Precision precision, int blocks)
    {
        var n = options.SinkhornSize;
        var d = options.SinkhornDimension;
        var source = PointCloud.Create(Clouds.UnitCube(n, d, seed: 21), n, d);
        var target = PointCloud.Create(Clouds.UnitCube(n, d, seed: 22), n, d);
        var sourceBlocks = Split(source, target, blocks, precision);
        var targetBlocks = Split(target, source, blocks, precision);
        var f = new double[n];
        var g = new double[n];
        void Step()
        {
            foreach (var (start, part) in sourceBlocks)
            {
                var rows = new double[part.RowCount];
                part.Apply(g, options.Epsilon, rows);
                rows.CopyTo(f.AsSpan(start));
            }

            foreach (var (start, part) in targetBlocks)
            {
                var rows = new double[part.RowCount];
                part.Apply(f, options.Epsilon, rows);
                rows.CopyTo(g.AsSpan(start));
            }
        }

        Step();
        var seconds = new double[options.SinkhornIterations];
        var cpuStart = ProcessCpu.Seconds();
        for (var k = 0; k < seconds.Length; k++)
        {
            var start = Stopwatch.GetTimestamp();
            Step();
            seconds[k] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        var cpu = (ProcessCpu.Seconds() - cpuStart) / seconds.Length;
        return new IterationResult(
            $"single-process, {blocks} blocks",
            precision.Name(),
            n,
            d,
            seconds.Length,
            Measure.Median(seconds),
            cpu,
            $"median of {seconds.Length} timed iterations, {blocks} local dense shard parts per cloud run in turn",
            string.Empty);
    }

    private static (int Start, SinkhornShardPart Part)[] Split(PointCloud cloud, PointCloud opposite, int blocks, Precision precision)
    {
        var d = cloud.Dimension;
        var result = new (int, SinkhornShardPart)[blocks];
        for (var b = 0; b < blocks; b++)
        {
            var start = (int)((long)cloud.Count * b / blocks);
            var end = (int)((long)cloud.Count * (b + 1) / blocks);
            var part = SinkhornShardPart.Dense(cloud.Positions[(start * d)..(end * d)].ToArray(), cloud.Weights[start..end].ToArray(), d, opposite.Positions.ToArray(), opposite.Weights.ToArray(), CostFunction.SquaredEuclidean, precision, -1);
            result[b] = (start, part);
        }

        return result;
    }

    private static void Iterate(LocalSinkhornBackend backend, double epsilon)
    {
        _ = backend.IterateAsync(epsilon, SinkhornUpdate.Plain, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        backend.CommitAsync(SinkhornUpdate.Plain, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }
}
