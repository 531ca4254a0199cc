using System.Text.Json;
using Transport.Numerics.Sampling;

namespace Transport.Bench;

/// <summary>All numbers of one <c>sampling</c> run (also the JSON document).</summary>
internal sealed record SamplingReport(MachineInfo Machine, SamplingOptions Options, string Statistic, IReadOnlyList<ExpResult> Exp, IReadOnlyList<DenoiserResult> Rows);

/// <summary>
/// The <c>sampling</c> command: throughput of the exact empirical denoiser (math.md 2.3c), the inner loop of every
/// flow or SDE sampler on a data set, in particle evaluations per second and particle x data-point pairs per
/// second, and the ratio of the pairs rate to the machine's all-thread float64 exp rate measured in the same run
/// (one exp per pair is the floor of the work). Each evaluation path is one row: the single-process
/// <see cref="EmpiricalTarget.Denoise"/> now; a cluster path is added by passing its evaluation to
/// <see cref="DenoiserBench.MeasureAsync"/> under another row name (see <see cref="Paths"/>).
/// </summary>
internal static class SamplingCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task RunAsync(SamplingOptions options)
    {
        var machine = MachineInfo.Current();
        Console.WriteLine("Transport.Distributed sampling benchmark (empirical denoiser, float64)");
        Console.WriteLine($"  {machine.Runtime}, {machine.Os}");
        Console.WriteLine($"  ProcessorCount {machine.ProcessorCount}, Vector256 accelerated {machine.Vector256Accelerated}, Vector512 accelerated {machine.Vector512Accelerated}");
        Console.WriteLine($"  load average at start: {machine.LoadAverage}");
        var statistic = $"fastest of {options.Repetitions} timed evaluations (d <= {options.HighDimension}) or {options.HighDimensionRepetitions} (d > {options.HighDimension}) after an untimed {64}-particle warm-up; exp: better of the runs before and after the rows, all threads";
        Console.WriteLine($"  statistic: {statistic}");
        Console.WriteLine($"  problem: M = {options.Points} data points N(0, I_d), uniform weights; N = {options.Particles} particles at t = 1/2 of the linear schedule (a = b = 1/2)");
        Console.WriteLine();

        // As in `kernels`, exp is measured before and after the rows and the better run is kept, so that a burst
        // of other load during one measurement does not set the ratio.
        var expOptions = new BenchOptions { ExpSeconds = options.ExpSeconds };
        var expBefore = ExpThroughputBench.RunFloat64(expOptions);
        var pending = new List<DenoiserResult>();
        await using var cluster = await ClusterIterationBench.StartAsync();
        foreach (var d in options.Dimensions)
        {
            var bench = DenoiserBench.Create(d, options.Points, options.Particles);
            foreach (var (path, evaluate) in Paths(bench))
            {
                // The exp rate for the ratio is filled in once the "after" measurement exists.
                pending.Add(await bench.MeasureAsync(path, options.RepetitionsFor(d), 1.0, evaluate));
                Console.Error.WriteLine($"[sampling] d = {d}, {path} done");
            }

            // Whole jobs of 1 and 1 + r Euler steps: r extra evaluations, with r = the row's repetitions.
            var extra = options.RepetitionsFor(d);
            if (await SamplingClusterBench.MeasureAsync(cluster, bench, 1, 1 + extra) is { } clusterRow)
            {
                pending.Add(clusterRow);
                Console.Error.WriteLine($"[sampling] d = {d}, cluster done");
            }
        }

        var expAfter = ExpThroughputBench.RunFloat64(expOptions);
        var exp = expBefore.Zip(expAfter, (x, y) => x.PerSecond >= y.PerSecond ? x : y).ToArray();
        var allThreadExp = exp[^1].PerSecond;
        var results = pending.Select(r => r with { RatioToExp = r.PairsPerSecond / allThreadExp }).ToArray();

        var expTable = new TablePrinter("(a) exp float64, TensorPrimitives", "threads", "evals/s", "before", "after");
        for (var i = 0; i < exp.Length; i++)
        {
            expTable.Add(exp[i].Type, Format.Int(exp[i].Threads), Format.Rate(exp[i].PerSecond), Format.Rate(expBefore[i].PerSecond), Format.Rate(expAfter[i].PerSecond));
        }

        Console.WriteLine(expTable.Render());

        var table = new TablePrinter("(b) empirical denoiser", "d", "M points", "N particles", "reps", "seconds", "particles/s", "pairs/s", "pairs / f64 exp", "max |D - D(first row)|");
        foreach (var r in results)
        {
            table.Add(
                r.Path,
                Format.Int(r.Dimension),
                Format.Int(r.Points),
                Format.Int(r.Particles),
                Format.Int(r.Repetitions),
                Format.Seconds(r.Seconds),
                Format.Rate(r.ParticlesPerSecond),
                Format.Rate(r.PairsPerSecond),
                Format.Ratio(r.RatioToExp),
                r.Path.StartsWith("cluster", StringComparison.Ordinal) ? "(whole jobs)" : double.IsNaN(r.MaxDeviation) ? "(reference)" : r.MaxDeviation.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture));
        }

        Console.WriteLine(table.Render());

        if (options.JsonPath is not null)
        {
            var report = new SamplingReport(machine, options, statistic, exp, results);
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(report, JsonOptions));
            Console.WriteLine($"JSON written to {options.JsonPath}");
        }
    }

    /// <summary>
    /// The evaluation paths timed on every row, in table order; the first is the reference for the deviation column.
    /// A cluster path is one more entry here: its delegate sends the batch to the cluster and awaits D.
    /// </summary>
    private static IEnumerable<(string Path, DenoiseAsync Evaluate)> Paths(DenoiserBench bench)
    {
        var target = new EmpiricalTarget(bench.Points, bench.Dimension);
        yield return ("single-process", (a, b, x, denoised) =>
        {
            target.Denoise(a, b, x.Span, denoised.Span);
            return Task.CompletedTask;
        });

        // The data split into the cluster row's data-shard blocks, reduced one after the other in this process: the
        // same arithmetic as the data shards, and a probe of how much smaller key blocks help the cache.
        yield return ($"single-process, {SamplingClusterBench.DataShards} data blocks", (a, b, x, denoised) =>
        {
            EmpiricalTarget.DenoiseInBlocks(bench.Points, bench.Dimension, null, SamplingClusterBench.DataShards, a, b, x.Span, denoised.Span);
            return Task.CompletedTask;
        });
    }
}
