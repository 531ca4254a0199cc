using System.Text.Json;
using Transport.Numerics.Kernels;

namespace Transport.Bench;

/// <summary>All numbers of one <c>kernels</c> run (also the JSON document).</summary>
internal sealed record KernelsReport(
    MachineInfo Machine,
    BenchOptions Options,
    string Statistic,
    IReadOnlyList<ExpResult> Exp,
    IReadOnlyList<ReductionResult> Reduction,
    IReadOnlyList<IterationResult> Sinkhorn,
    double SingleD3ReductionOverExp,
    double ClusterOverSingleProcess);

/// <summary>The <c>kernels</c> command: sections (a), (b), (c), then the milestone checks.</summary>
internal static class KernelsCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task RunAsync(BenchOptions options)
    {
        var machine = MachineInfo.Current();
        Console.WriteLine("Transport.Distributed kernels benchmark");
        Console.WriteLine($"  {machine.Runtime}, {machine.Os}");
        Console.WriteLine($"  ProcessorCount {machine.ProcessorCount}, Vector256 accelerated {machine.Vector256Accelerated}, Vector512 accelerated {machine.Vector512Accelerated}");
        Console.WriteLine($"  load average at start: {machine.LoadAverage}");
        var statistic = $"best of {options.Repetitions} timed repetitions after one untimed warm-up run; exp: better of the runs before and after (b); Sinkhorn: median per iteration / differential, see method";
        Console.WriteLine($"  statistic: {statistic}");
        Console.WriteLine();

        // The exp limit is measured before and after the reduction rows and the better of the two is
        // kept per row, so that a burst of other load during one measurement does not set the ratios.
        var expBefore = ExpThroughputBench.Run(options);
        var reductionRaw = ReductionBench.Run(options, expBefore[1].PerSecond, expBefore[3].PerSecond);
        var expAfter = ExpThroughputBench.Run(options);
        var exp = expBefore.Zip(expAfter, (a, b) => a.PerSecond >= b.PerSecond ? a : b).ToArray();
        var expTable = new TablePrinter("(a) exp, TensorPrimitives", "threads", "buffer", "evals/s", "evals/s/thread", "before (b)", "after (b)");
        for (var i = 0; i < exp.Length; i++)
        {
            var e = exp[i];
            expTable.Add(e.Type, Format.Int(e.Threads), Format.Int(options.ExpBufferLength), Format.Rate(e.PerSecond), Format.Rate(e.PerSecond / e.Threads), Format.Rate(expBefore[i].PerSecond), Format.Rate(expAfter[i].PerSecond));
        }

        Console.WriteLine(expTable.Render());

        // Ratios are taken against the all-thread rows (index 1: float32, index 3: float64).
        var floatExp = exp[1].PerSecond;
        var doubleExp = exp[3].PerSecond;
        var reduction = reductionRaw
            .Select(r => r with { RatioToFloatExp = r.PairsPerSecond / floatExp, RatioToDoubleExp = r.PairsPerSecond / doubleExp })
            .ToArray();
        // Each row against the all-thread exp of its own precision, measured in this run; goals from the issue.
        var reductionTable = new TablePrinter("(b) reduction", "precision", "d", "N = M", "seconds", "pairs/s", "exp/s (same type)", "pairs / exp", "goal");
        foreach (var r in reduction)
        {
            var isFloat = r.Precision == "float32";
            var goal = (isFloat, r.Dimension) switch
            {
                (true, <= 3) => ">= 0.9",
                (false, <= 3) => ">= 0.6",
                (true, 64) => ">= 0.3",
                _ => string.Empty,
            };
            reductionTable.Add(
                r.Kernel,
                r.Precision,
                Format.Int(r.Dimension),
                Format.Int(r.Size),
                Format.Seconds(r.Seconds),
                Format.Rate(r.PairsPerSecond),
                Format.Rate(isFloat ? floatExp : doubleExp),
                Format.Ratio(isFloat ? r.RatioToFloatExp : r.RatioToDoubleExp),
                goal);
        }

        Console.WriteLine(reductionTable.Render());

        var sinkhorn = new List<IterationResult>();
        foreach (var precision in new[] { Precision.Double, Precision.Single })
        {
            sinkhorn.Add(SinkhornIterationBench.Run(options, precision));
            sinkhorn.Add(SinkhornIterationBench.RunBlocks(options, precision, options.Shards));
        }

        if (!options.SkipCluster)
        {
            await using var cluster = await ClusterIterationBench.StartAsync();
            foreach (var precision in new[] { Precision.Double, Precision.Single })
            {
                sinkhorn.Add(await cluster.RunAsync(options, precision));
            }
        }

        var sinkhornTable = new TablePrinter("(c) Sinkhorn iteration", "precision", "N = M", "d", "iters", "s/iter", "vs single-process", "cpu-s/iter", "cpu vs single", "method / note");
        foreach (var s in sinkhorn)
        {
            var local = sinkhorn.First(x => x.Path == "single-process" && x.Precision == s.Precision);
            sinkhornTable.Add(
                s.Path,
                s.Precision,
                Format.Int(s.Size),
                Format.Int(s.Dimension),
                Format.Int(s.Iterations),
                double.IsFinite(s.SecondsPerIteration) ? Format.Seconds(s.SecondsPerIteration) : "n/a",
                Format.Ratio(s.SecondsPerIteration / local.SecondsPerIteration),
                double.IsFinite(s.CpuSecondsPerIteration) ? Format.Seconds(s.CpuSecondsPerIteration) : "n/a",
                Format.Ratio(s.CpuSecondsPerIteration / local.CpuSecondsPerIteration),
                s.Note.Length > 0 ? s.Note : s.Method);
        }

        Console.WriteLine(sinkhornTable.Render());

        var d3 = reduction.FirstOrDefault(r => r.Kernel.StartsWith("library (", StringComparison.Ordinal) && r.Precision == "float32" && r.Dimension == 3);
        var single = d3?.RatioToFloatExp ?? double.NaN;
        var clusterDouble = sinkhorn.FirstOrDefault(s => s.Path == "cluster" && s.Precision == "double");
        var clusterRatio = clusterDouble is null ? double.NaN : clusterDouble.SecondsPerIteration / sinkhorn.First(s => s.Path == "single-process" && s.Precision == "double").SecondsPerIteration;
        Console.WriteLine("Milestones");
        Console.WriteLine($"  single-precision d=3 reduction / all-thread exp: {Format.Ratio(single)} (target >= 0.5){Verdict(single >= 0.5, single)}");
        var clusterNote = clusterDouble is { Note.Length: > 0 } ? $" [{clusterDouble.Note}]" : clusterDouble is null ? " [cluster path skipped]" : string.Empty;
        var cpuRatio = clusterDouble is null ? double.NaN : clusterDouble.CpuSecondsPerIteration / sinkhorn.First(s => s.Path == "single-process" && s.Precision == "double").CpuSecondsPerIteration;
        Console.WriteLine($"  cluster / single-process per iteration: {Format.Ratio(clusterRatio)} (target <= 1.25){Verdict(clusterRatio <= 1.25, clusterRatio)}{clusterNote}");
        Console.WriteLine($"    (float64, wall time; process CPU-seconds ratio {Format.Ratio(cpuRatio)}, less sensitive to other load on the machine)");

        if (options.JsonPath is not null)
        {
            var report = new KernelsReport(machine, options, statistic, exp, reduction, sinkhorn, single, clusterRatio);
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(report, JsonOptions));
            Console.WriteLine($"JSON written to {options.JsonPath}");
        }
    }

    private static string Verdict(bool met, double value) => double.IsFinite(value) ? (met ? "  MET" : "  NOT MET") : string.Empty;
}
