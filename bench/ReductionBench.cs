using System.Numerics;
using Transport.Numerics.Kernels;

namespace Transport.Bench;

/// <summary>One reduction throughput measurement.</summary>
/// <param name="Kernel">"library" (SoftmaxReduction.Reduce) or "prototype-v256" / "prototype-v512" (bench/Prototype).</param>
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
            results.Add(Library<float>(options, queries, keys, d, floatExp, doubleExp));
            if (options.Prototype && d <= FusedReduction.MaxDimension)
            {
                results.Add(Prototype(options, queries, keys, d, floatExp, doubleExp, wide: false));
                results.Add(Prototype(options, queries, keys, d, floatExp, doubleExp, wide: true));
            }

            results.Add(Library<double>(options, queries, keys, d, floatExp, doubleExp));
        }

        return results;
    }

    private static ReductionResult Library<T>(BenchOptions options, double[] queryPositions, double[] keyPositions, int d, double floatExp, double doubleExp)
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
            SoftmaxReduction.Reduce(queries, keys, logWeights, scale, output);
        });
        return Result("library", typeof(T) == typeof(float) ? "float32" : "float64", d, n, Measure.Best(seconds), floatExp, doubleExp);
    }

    private static ReductionResult Prototype(BenchOptions options, double[] queryPositions, double[] keyPositions, int d, double floatExp, double doubleExp, bool wide)
    {
        var n = options.ReductionSize;
        var kernel = new FusedReduction(queryPositions, keyPositions, n, n, d, wide);
        var logWeights = new float[n];
        var max = new double[n];
        var sum = new double[n];
        var scale = 1.0 / options.Epsilon;
        var seconds = Measure.Repeat(options.Repetitions, () => kernel.Reduce(logWeights, scale, max, sum));
        CheckAgainstLibrary(queryPositions, keyPositions, n, d, scale, max, sum);
        return Result(kernel.Wide ? "prototype-v512" : "prototype-v256", "float32", d, n, Measure.Best(seconds), floatExp, doubleExp);
    }

    /// <summary>Prints the largest |log-sum-exp difference| between the prototype and the library float64 kernel.</summary>
    private static void CheckAgainstLibrary(double[] queryPositions, double[] keyPositions, int n, int d, double scale, double[] max, double[] sum)
    {
        var queries = new QueryPoints<double>(queryPositions, n, d);
        var keys = new KeyPoints<double>(keyPositions, n, d);
        var reference = new SoftmaxPartials(n);
        SoftmaxReduction.Reduce(queries, keys, keys.CreateLogWeightBuffer(), scale, reference);
        var worst = 0.0;
        for (var i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs(max[i] + Math.Log(sum[i]) - reference.LogSumExp(i)));
        }

        Console.Error.WriteLine($"  prototype d={d}: max |LSE - LSE(library float64)| = {worst:0.00e0}");
    }

    private static ReductionResult Result(string kernel, string precision, int d, int n, double seconds, double floatExp, double doubleExp)
    {
        var pairs = (double)n * n / seconds;
        return new ReductionResult(kernel, precision, d, n, seconds, pairs, pairs / floatExp, pairs / doubleExp);
    }
}
