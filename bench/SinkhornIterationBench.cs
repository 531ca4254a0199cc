using System.Diagnostics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

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
/// Section (c), single-process path: the backend the SinkhornSolver uses (LocalSinkhornBackend), with
/// eps fixed (no annealing). One iteration is exactly what SinkhornDriver does per iteration:
/// UpdateSource (f = T_b(g)), CheckTarget (g* = T_a(f) and the marginal error), CommitTarget. Set-up
/// (layouts, log-weights) is excluded; the first iteration is an untimed warm-up.
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
        var backend = new LocalSinkhornBackend(problem, solverOptions, withSelfProblems: false);
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
    /// Diagnostic: the same iteration with each cloud split into <paramref name="blocks"/> local
    /// SinkhornBlocks run one after the other (the shard decomposition without grains or messages).
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
            foreach (var block in sourceBlocks)
            {
                _ = block.UpdateCross(g, options.Epsilon, SinkhornUpdate.Plain);
                block.Potential.CopyTo(f.AsSpan(block.Offset));
            }

            foreach (var block in targetBlocks)
            {
                _ = block.CheckCross(f, options.Epsilon);
                block.CommitCross(SinkhornUpdate.Plain);
                block.Potential.CopyTo(g.AsSpan(block.Offset));
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
            $"median of {seconds.Length} timed iterations, {blocks} local SinkhornBlocks per cloud run in turn",
            string.Empty);
    }

    private static SinkhornBlock[] Split(PointCloud cloud, PointCloud opposite, int blocks, Precision precision)
    {
        var d = cloud.Dimension;
        var result = new SinkhornBlock[blocks];
        for (var b = 0; b < blocks; b++)
        {
            var start = (int)((long)cloud.Count * b / blocks);
            var end = (int)((long)cloud.Count * (b + 1) / blocks);
            var part = PointCloud.Create(cloud.Positions[(start * d)..(end * d)], end - start, d, cloud.Weights[start..end]);
            result[b] = new SinkhornBlock(part, start, opposite, null, CostFunction.SquaredEuclidean, precision);
        }

        return result;
    }

    private static void Iterate(LocalSinkhornBackend backend, double epsilon)
    {
        _ = backend.UpdateSourceAsync(SinkhornTerm.Cross, epsilon, SinkhornUpdate.Plain, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _ = backend.CheckTargetAsync(SinkhornTerm.Cross, epsilon, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        backend.CommitTargetAsync(SinkhornTerm.Cross, SinkhornUpdate.Plain, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }
}
