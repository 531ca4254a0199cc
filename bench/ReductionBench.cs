using System.Numerics;
using Transport.Numerics.Kernels;

namespace Transport.Bench;

/// <summary>One reduction throughput measurement.</summary>
/// <param name="Kernel">"library" (SoftmaxReduction.Reduce on the path the hardware picks).</param>
/// <param name="Precision">float32 or float64.</param>
/// <param name="Dimension">d.</param>
/// <param name="Size">N = M.</param>
/// <param name="Seconds">Best repetition.</param>
/// <param name="PairsPerSecond">N M / seconds.</param>
/// <param name="RatioToFloatExp">Pairs per second over all-thread float32 exp per second.</param>
/// <param name="RatioToDoubleExp">Pairs per second over all-thread float64 exp per second.</param>
internal sealed record ReductionResult(
    string Kernel,
    string Precision,
    int Dimension,
    int Size,
    double Seconds,
    double PairsPerSecond,
    double RatioToFloatExp,
    double RatioToDoubleExp);

/// <summary>
/// Section (b): kernel evaluations (query-key pairs) per second of SoftmaxReduction.Reduce with zero
/// log-weights and scale 1/eps, points uniform in the unit cube, all threads.
/// </summary>
internal static class ReductionBench
{
    public static IReadOnlyList<ReductionResult> Run(BenchOptions options, double floatExp, double doubleExp)
    {
        var results = new List<ReductionResult>();
        foreach (var d in options.Dimensions)
        {
            var queries = Clouds.UnitCube(options.ReductionSize, d, seed: 11);
            var keys = Clouds.UnitCube(options.ReductionSize, d, seed: 12);
            foreach (var path in Paths())
            {
                results.Add(Library<float>(options, queries, keys, d, floatExp, doubleExp, path));
                results.Add(Library<double>(options, queries, keys, d, floatExp, doubleExp, path));
            }
        }

        return results;
    }

    /// <summary>The automatic path, then Vector256 forced when the automatic one is wider (AVX2-only machines run Vector256).</summary>
    private static IEnumerable<KernelPath> Paths()
    {
        yield return KernelPath.Automatic;
        if (KernelPaths.Best == KernelPath.Vector512)
        {
            yield return KernelPath.Vector256;
        }
    }

    private static ReductionResult Library<T>(BenchOptions options, double[] queryPositions, double[] keyPositions, int d, double floatExp, double doubleExp, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var n = options.ReductionSize;
        var queries = new QueryPoints<T>(queryPositions, n, d);
        var keys = new KeyPoints<T>(keyPositions, n, d);
        var logWeights = keys.CreateLogWeightBuffer();
        var output = new SoftmaxPartials(n);
        var scale = 1.0 / options.Epsilon;
        var seconds = Measure.Repeat(options.Repetitions, () =>
        {
            output.Reset();
            SoftmaxReduction.Reduce(queries, keys, logWeights, null, scale, output, values: null, maxDegreeOfParallelism: -1, path);
        });
        var name = path == KernelPath.Automatic ? $"library ({KernelPaths.Best})" : $"library, forced {path}";
        return Result(name, typeof(T) == typeof(float) ? "float32" : "float64", d, n, Measure.Best(seconds), floatExp, doubleExp);
    }

    private static ReductionResult Result(string kernel, string precision, int d, int n, double seconds, double floatExp, double doubleExp)
    {
        var pairs = (double)n * n / seconds;
        return new ReductionResult(kernel, precision, d, n, seconds, pairs, pairs / floatExp, pairs / doubleExp);
    }
}
