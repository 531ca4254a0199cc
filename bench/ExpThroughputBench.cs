using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace Transport.Bench;

/// <summary>One exp throughput measurement.</summary>
/// <param name="Type">float32 or float64.</param>
/// <param name="Threads">Threads that ran concurrently.</param>
/// <param name="PerSecond">exp evaluations per second (best repetition).</param>
internal sealed record ExpResult(string Type, int Threads, double PerSecond);

/// <summary>
/// Section (a): the machine's own limit, TensorPrimitives.Exp over a small contiguous buffer that stays
/// in L1/L2, repeated; single thread and one buffer per thread on all threads.
/// </summary>
internal static class ExpThroughputBench
{
    public static IReadOnlyList<ExpResult> Run(BenchOptions options)
    {
        var threads = Environment.ProcessorCount;
        return
        [
            Measure<float>(options, 1),
            Measure<float>(options, threads),
            Measure<double>(options, 1),
            Measure<double>(options, threads),
        ];
    }

    /// <summary>The float64 rows only (1 thread, all threads), for commands whose kernels run in float64.</summary>
    public static IReadOnlyList<ExpResult> RunFloat64(BenchOptions options) =>
        [Measure<double>(options, 1), Measure<double>(options, Environment.ProcessorCount)];

    private static ExpResult Measure<T>(BenchOptions options, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var length = options.ExpBufferLength;
        var sources = new T[threads][];
        var destinations = new T[threads][];
        var random = new Random(1);
        for (var t = 0; t < threads; t++)
        {
            // Arguments like a softmax's: scores minus their maximum, in [-20, 0].
            sources[t] = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(-20.0 * random.NextDouble())).ToArray();
            destinations[t] = new T[length];
        }

        var calls = Calibrate(sources[0], destinations[0], options.ExpSeconds);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        void RunAll()
        {
            if (threads == 1)
            {
                Repeat(sources[0], destinations[0], calls);
                return;
            }

            Parallel.For(0, threads, parallel, t => Repeat(sources[t], destinations[t], calls));
        }

        var seconds = Bench.Measure.Repeat(options.Repetitions, RunAll);
        var evaluations = (double)threads * calls * length;
        return new ExpResult(typeof(T) == typeof(float) ? "float32" : "float64", threads, evaluations / Bench.Measure.Best(seconds));
    }

    private static int Calibrate<T>(T[] source, T[] destination, double targetSeconds)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var calls = 64;
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            Repeat(source, destination, calls);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (elapsed > targetSeconds / 4 || calls > (1 << 24))
            {
                return Math.Max(1, (int)(calls * targetSeconds / elapsed));
            }

            calls *= 4;
        }
    }

    private static void Repeat<T>(T[] source, T[] destination, int calls)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        for (var c = 0; c < calls; c++)
        {
            TensorPrimitives.Exp<T>(source, destination);
        }
    }
}
