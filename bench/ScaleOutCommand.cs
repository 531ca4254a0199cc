using System.Globalization;
using System.Text.Json;
using Transport.Grains.Interfaces;
using Transport.Numerics.Kernels;

namespace Transport.Bench;

/// <summary>
/// <c>bench scale-out</c>: the dense float64 Sinkhorn iteration (d = 3, N = M) measured for several shard counts on an
/// embedded silo and on silo processes over Redis, each by the differential job timing with the shards' own traffic
/// counts (<see cref="SinkhornJobResult.Traffic"/>, full minus baseline job); a latency-bandwidth model fitted to them
/// (<see cref="ScaleOutFit"/>), and its predicted strong and weak scaling efficiency on 16 to 256 silos
/// (<see cref="ScaleOutModel"/>).
/// </summary>
internal static class ScaleOutCommand
{
    private const string Embedded = "embedded";

    private static readonly int[] PredictedSilos = [16, 64, 256];
    private static readonly double[] PredictedSizes = [1e6, 1e7];
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly string[] Definitions =
    [
        "model: T(N, P) = c e N^2 / P + alpha m(N, P) + beta b(N); P silos, each one source and one target shard (S = P) with this machine's cores; communication and computation do not overlap",
        "strong scaling: E_s(P) = T(N, 1) / (P T(N, P)), the same N on more silos",
        "weak scaling: each silo's compute stays constant, N_P = N sqrt(P / 16) for the dense O(N M) solver; E_w(P) = T(N, 16) / T(N_P, P)",
        "m(N, P) = a + b P ceil(N / P / rows per chunk) messages and b(N) = k N bytes per shard per iteration; E = 1 when alpha = beta = 0",
    ];

    public static async Task RunAsync(ScaleOutOptions options)
    {
        var machine = MachineInfo.Current();
        Console.Error.WriteLine($"scale-out: dense float64 Sinkhorn, d = {options.Dimension}, N = M = {options.Size} and {options.Size / 2}, {options.Iterations} timed iterations, {machine.ProcessorCount} cores");
        var runs = new List<ScaleOutRun>();
        await using (var embedded = await ClusterIterationBench.StartAsync())
        {
            if (embedded.Grains is not { } grains)
            {
                Console.Error.WriteLine($"the embedded silo did not start, nothing to fit: {embedded.StartFailure}");
                return;
            }

            // The process runs' shard counts too: each process run is compared with its embedded twin (ScaleOutFit.Remote).
            var embeddedShards = options.Shards.Concat(options.Processes ? [options.Silos, 2 * options.Silos] : []).Distinct().Order().ToArray();
            foreach (var size in new[] { options.Size, options.Size / 2 })
            {
                foreach (var shards in embeddedShards)
                {
                    runs.Add(await MeasureAsync(grains, Embedded, options, size, shards));
                }
            }
        }

        var processes = await MeasureProcessesAsync(options, runs);
        var reference = runs.First(r => r.Cluster == Embedded && r.Size == options.Size && r.Shards == 1);
        var fit = ScaleOutFit.LatencyBandwidth(runs, reference, "in-silo (fitted)") with { Remote = ScaleOutFit.Remote(runs, Embedded, "between processes on loopback (fitted)") };
        var traffic = ScaleOutFit.Traffic(runs, FloatBlock.RowsPerChunk(1));
        var model = new ScaleOutModel(fit.SecondsPerEvaluation, reference.KernelEvaluationsPerIteration / ((double)reference.Size * reference.Size), traffic);
        var measured = runs.Select(r => new ScaleOutMeasuredRow(r, fit.Predict(r, remote: r.Cluster != Embedded), traffic.Messages(r.Size, r.Shards), traffic.Bytes(r.Size))).ToArray();
        var checks = SizeChecks(runs, options, traffic);
        // Between silos a message pays the silo's own messaging cost and the network's.
        var loopback = fit.Network.Plus(fit.Remote?.Network ?? NetworkCost.Free, fit.Remote is null ? "in-silo only (no process runs)" : "loopback processes (fitted)");
        var datacenter = fit.Network.Plus(NetworkCost.Datacenter, $"in-silo + {NetworkCost.Datacenter.Name}");
        var predictions = (from network in new[] { loopback, datacenter }
                           from size in PredictedSizes
                           from silos in PredictedSilos
                           select Predict(model, network, size, silos)).ToArray();

        Print(machine, options, processes, measured, fit, model, checks, predictions);
        if (options.JsonPath is not null)
        {
            var report = new ScaleOutReport(machine, options, processes, measured, fit, model, checks, predictions, Definitions);
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(report, JsonOptions));
            Console.WriteLine($"JSON written to {options.JsonPath}");
        }
    }

    /// <summary>
    /// One run: the median of <see cref="ScaleOutOptions.Repetitions"/> differential timings, and the kernel evaluations
    /// and shards' traffic of the extra iterations (the last timing's: they are the same every time).
    /// </summary>
    private static async Task<ScaleOutRun> MeasureAsync(IGrainFactory grains, string cluster, ScaleOutOptions options, int size, int shards)
    {
        var source = Clouds.UnitCube(size, options.Dimension, seed: 21);
        var target = Clouds.UnitCube(size, options.Dimension, seed: 22);
        var differentials = new List<(double Seconds, SinkhornJobResult Baseline, SinkhornJobResult Full)>();
        for (var repetition = 0; repetition < options.Repetitions; repetition++)
        {
            differentials.Add(await ClusterIterationBench.DifferentialAsync(grains, options.Run(size, shards), Precision.Double, source, target));
        }

        var (_, baseline, full) = differentials[^1];
        var timings = differentials.Select(d => d.Seconds).Order().ToArray();
        var seconds = timings[timings.Length / 2];
        double extra = full.Iterations - baseline.Iterations;

        // Traffic.Shards counts both clouds' shards (2S).
        double PerShard(long inFull, long inBaseline) => (inFull - inBaseline) / extra / full.Traffic.Shards;
        var run = new ScaleOutRun(
            cluster,
            size,
            full.Shards,
            seconds,
            (full.KernelEvaluations - baseline.KernelEvaluations) / extra,
            PerShard(full.Traffic.Messages, baseline.Traffic.Messages),
            PerShard(full.Traffic.PayloadBytes, baseline.Traffic.PayloadBytes));
        Console.Error.WriteLine($"  {cluster}, N = {size}, S = {run.Shards}: {Format.Seconds(run.SecondsPerIteration)} s/iter (median of {string.Join(", ", timings.Select(Format.Seconds))}), {run.MessagesPerShardPerIteration:F2} messages and {run.BytesPerShardPerIteration:F0} bytes per shard per iteration");
        return run;
    }

    /// <summary>The process runs (S = P and 2P at N), appended to <paramref name="runs"/>; returns what happened.</summary>
    private static async Task<string> MeasureProcessesAsync(ScaleOutOptions options, List<ScaleOutRun> runs)
    {
        if (!options.Processes)
        {
            return "skipped (--no-processes)";
        }

        var (cluster, failure) = await ProcessCluster.StartAsync(options.Silos);
        if (cluster is null)
        {
            Console.Error.WriteLine($"silo processes skipped: {failure}");
            return $"skipped: {failure}";
        }

        await using (cluster)
        {
            var name = $"{options.Silos} processes";
            try
            {
                foreach (var shards in new[] { options.Silos, 2 * options.Silos })
                {
                    runs.Add(await MeasureAsync(cluster.Grains, name, options, options.Size, shards));
                }
            }
#pragma warning disable CA1031 // A failing process run is reported; the embedded runs still make a report.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Console.Error.WriteLine($"process run failed: {exception}");
                return $"{name} over {cluster.Address}: stopped by {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";
            }

            return $"{name} over {cluster.Address} (transport cluster up {options.Silos}, loopback)";
        }
    }

    /// <summary>Per embedded shard count measured at both N and N/2: the bytes' ratio against N's, and k N's errors.</summary>
    private static ScaleOutSizeCheck[] SizeChecks(List<ScaleOutRun> runs, ScaleOutOptions options, TrafficFit traffic)
    {
        var half = options.Size / 2;
        return (from full in runs.Where(r => r.Cluster == Embedded && r.Size == options.Size)
                let small = runs.FirstOrDefault(r => r.Cluster == Embedded && r.Size == half && r.Shards == full.Shards)
                where small is not null
                select new ScaleOutSizeCheck(
                    full.Shards,
                    options.Size,
                    half,
                    full.MessagesPerShardPerIteration,
                    small.MessagesPerShardPerIteration,
                    full.BytesPerShardPerIteration,
                    small.BytesPerShardPerIteration,
                    full.BytesPerShardPerIteration / small.BytesPerShardPerIteration,
                    (double)options.Size / half,
                    (traffic.Bytes(options.Size) / full.BytesPerShardPerIteration) - 1,
                    (traffic.Bytes(half) / small.BytesPerShardPerIteration) - 1)).ToArray();
    }

    private static ScaleOutPrediction Predict(ScaleOutModel model, NetworkCost network, double size, int silos)
    {
        var seconds = model.SecondsPerIteration(network, size, silos);
        var weakSize = ScaleOutModel.WeakSize(size, silos);
        return new ScaleOutPrediction(
            network,
            size,
            silos,
            model.SecondsPerIteration(network, size, 1),
            seconds,
            seconds - model.SecondsPerIteration(NetworkCost.Free, size, silos),
            model.StrongEfficiency(network, size, silos),
            weakSize,
            model.SecondsPerIteration(network, weakSize, silos),
            model.WeakEfficiency(network, size, silos));
    }

    private static void Print(
        MachineInfo machine,
        ScaleOutOptions options,
        string processes,
        ScaleOutMeasuredRow[] measured,
        LatencyBandwidthFit fit,
        ScaleOutModel model,
        ScaleOutSizeCheck[] checks,
        ScaleOutPrediction[] predictions)
    {
        Console.WriteLine("Transport.Distributed scale-out model");
        Console.WriteLine($"machine: {machine.ProcessorCount} cores, {machine.Runtime}, {machine.Os}, load average at start {machine.LoadAverage}");
        Console.WriteLine($"dense float64 Sinkhorn, d = {options.Dimension}, eps = {options.Epsilon}; per iteration: (Seconds(K={2 + options.Iterations}) - Seconds(K=2)) / {options.Iterations} in-cluster job timings (median of {options.Repetitions}), traffic (full - baseline job) / {options.Iterations} / 2S shards");
        Console.WriteLine($"silo processes: {processes}");
        Console.WriteLine();

        var table = new TablePrinter("cluster", "N = M", "S", "s/iter", "kernel evals/iter", "messages/shard/iter", "bytes/shard/iter", "model s/iter", "residual");
        foreach (var row in measured)
        {
            var r = row.Run;
            table.Add(r.Cluster, Format.Int(r.Size), Format.Int(r.Shards), Format.Seconds(r.SecondsPerIteration), Sci(r.KernelEvaluationsPerIteration), Fixed(r.MessagesPerShardPerIteration, 2), Fixed(r.BytesPerShardPerIteration, 0), Format.Seconds(row.ModelSecondsPerIteration), Percent((r.SecondsPerIteration / row.ModelSecondsPerIteration) - 1));
        }

        Console.WriteLine(table.Render());
        var reference = measured.First(m => m.Run.Cluster == Embedded && m.Run.Size == options.Size && m.Run.Shards == 1).Run;
        var net = fit.Network;
        Console.WriteLine("Fitted parameters (this machine)");
        Console.WriteLine($"  c     = {Sci(fit.SecondsPerEvaluation)} s per kernel evaluation with all {machine.ProcessorCount} cores (1-shard embedded run at N = {reference.Size}, less its fitted traffic time)");
        Console.WriteLine($"  e     = {Fixed(model.EvaluationsPerPair, 3)} kernel evaluations per point pair per iteration");
        Console.WriteLine($"  alpha = {Sci(net.SecondsPerMessage)} s per message, beta = {Sci(net.SecondsPerByte)} s per byte ({Bandwidth(net.SecondsPerByte)}) inside a silo: non-negative least squares over {fit.Points} embedded runs (the 1-shard run fixes c)");
        if (fit.Remote is { } remote)
        {
            Console.WriteLine($"  alpha_net = {Sci(remote.Network.SecondsPerMessage)} s per message, beta_net = {Sci(remote.Network.SecondsPerByte)} s per byte ({Bandwidth(remote.Network.SecondsPerByte)}) more between processes: fitted to t(process) - t(embedded) of {remote.Points} runs of the same N and S, rms residual {Sci(remote.RmsResidualSeconds)} s");
        }
        Console.WriteLine($"          R^2 = {Fixed(fit.RSquared, 3)} of the time beyond the 1-shard run's compute scaling, rms residual {Sci(fit.RmsResidualSeconds)} s ({Percent(fit.RmsResidualSeconds / measured.Average(m => m.Run.SecondsPerIteration))} of the mean s/iter)");
        var traffic = model.Traffic;
        Console.WriteLine($"  messages/shard/iter = a + b S chunks: a = {Fixed(traffic.MessagesIntercept, 3)}, b = {Fixed(traffic.MessagesPerPartnerChunk, 3)} (least squares over {measured.Length} runs, largest error {Percent(measured.Max(m => Math.Abs((m.ModelMessages / m.Run.MessagesPerShardPerIteration) - 1)))}; chunk = {traffic.RowsPerChunk} values)");
        Console.WriteLine($"  bytes/shard/iter    = k N: k = {Fixed(traffic.BytesPerPoint, 2)} bytes per point (8 = one float64 potential; largest error {Percent(measured.Max(m => Math.Abs((m.ModelBytes / m.Run.BytesPerShardPerIteration) - 1)))})");
        Console.WriteLine();

        Console.WriteLine($"Traffic at two sizes (embedded): bytes per shard per iteration should scale as N, messages not at all");
        var check = new TablePrinter("S", "messages at N", "at N/2", "bytes at N", "at N/2", "ratio", "model ratio", "k N error at N", "at N/2");
        foreach (var c in checks)
        {
            check.Add(Format.Int(c.Shards), Fixed(c.MessagesAtSize, 2), Fixed(c.MessagesAtHalf, 2), Fixed(c.BytesAtSize, 0), Fixed(c.BytesAtHalf, 0), Fixed(c.BytesRatio, 3), Fixed(c.ModelRatio, 3), Percent(c.ModelErrorAtSize), Percent(c.ModelErrorAtHalf));
        }

        Console.WriteLine(check.Render());
        Console.WriteLine($"Predicted scaling: P silos, one source and one target shard each with this machine's {machine.ProcessorCount} cores; alpha, beta as fitted on loopback, or {NetworkCost.Datacenter.Name}");
        var prediction = new TablePrinter("network", "N = M", "P", "T(N,1) s/iter", "T(N,P) s/iter", "of it comm", "E_s(P)", "N_P", "T(N_P,P) s/iter", "E_w(P)");
        foreach (var p in predictions)
        {
            prediction.Add(p.Network.Name, Sci(p.Size), Format.Int(p.Silos), Sci(p.SecondsOneSilo), Sci(p.Seconds), Sci(p.CommunicationSeconds), Fixed(p.StrongEfficiency, 4), Sci(p.WeakSize), Sci(p.WeakSeconds), Fixed(p.WeakEfficiency, 4));
        }

        Console.WriteLine(prediction.Render());
        foreach (var definition in Definitions)
        {
            Console.WriteLine(definition);
        }
    }

    private static string Sci(double value) => double.IsFinite(value) ? value.ToString("0.000e0", CultureInfo.InvariantCulture) : "n/a";

    private static string Fixed(double value, int decimals) => double.IsFinite(value) ? value.ToString($"F{decimals}", CultureInfo.InvariantCulture) : "n/a";

    private static string Percent(double fraction) => double.IsFinite(fraction) ? fraction.ToString("0.0%", CultureInfo.InvariantCulture) : "n/a";

    private static string Bandwidth(double secondsPerByte) => secondsPerByte > 0 ? $"{Fixed(1e-9 / secondsPerByte, 3)} GB/s" : "no bandwidth cost";
}

/// <summary>A measured run with what the fitted model says of it.</summary>
internal sealed record ScaleOutMeasuredRow(ScaleOutRun Run, double ModelSecondsPerIteration, double ModelMessages, double ModelBytes);

/// <summary>The traffic of one shard count at N and N/2 against the fitted k N.</summary>
internal sealed record ScaleOutSizeCheck(
    int Shards,
    int Size,
    int HalfSize,
    double MessagesAtSize,
    double MessagesAtHalf,
    double BytesAtSize,
    double BytesAtHalf,
    double BytesRatio,
    double ModelRatio,
    double ModelErrorAtSize,
    double ModelErrorAtHalf);

/// <summary>One predicted row: T(N, 1), T(N, P) and its communication part, E_s(P), N_P, T(N_P, P) and E_w(P).</summary>
internal sealed record ScaleOutPrediction(
    NetworkCost Network,
    double Size,
    int Silos,
    double SecondsOneSilo,
    double Seconds,
    double CommunicationSeconds,
    double StrongEfficiency,
    double WeakSize,
    double WeakSeconds,
    double WeakEfficiency);

/// <summary>The JSON of <c>bench scale-out --json</c>.</summary>
internal sealed record ScaleOutReport(
    MachineInfo Machine,
    ScaleOutOptions Options,
    string Processes,
    IReadOnlyList<ScaleOutMeasuredRow> Runs,
    LatencyBandwidthFit Fit,
    ScaleOutModel Model,
    IReadOnlyList<ScaleOutSizeCheck> SizeChecks,
    IReadOnlyList<ScaleOutPrediction> Predictions,
    IReadOnlyList<string> Definitions);
