using Transport.Grains;
using Transport.Grains.Interfaces;
using System.Globalization;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Bench;

/// <summary>
/// The three-solve Sinkhorn divergence S_eps = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2 on a
/// uniform cube against a Gaussian blob (d = 3, cost |x - y|^2): ours dense and multiscale against POT's
/// <c>sinkhorn_log</c> (and GeomLoss, tensorized, when it can be imported) on the same clouds, at the same
/// eps and comparable accuracy: value, time and peak memory, and their ratios to ours dense.
/// </summary>
internal static class DivergenceCommand
{
    private const int Dimension = 3;
    private static readonly string[] TermNames = ["ab", "aa", "bb"];

    public static void Run(DivergenceBenchOptions options)
    {
        var machine = MachineInfo.Current();
        Console.WriteLine("Transport.Distributed divergence benchmark (ours against POT and GeomLoss)");
        Console.WriteLine($"  {machine.Runtime}, {machine.Os}");
        Console.WriteLine($"  ProcessorCount {machine.ProcessorCount}, Vector256 accelerated {machine.Vector256Accelerated}, Vector512 accelerated {machine.Vector512Accelerated}");
        Console.WriteLine($"  load average at start: {machine.LoadAverage}");
        Console.WriteLine($"  problem: x ~ U[0,1]^3 (seed {options.Seed}), y ~ N(0.5, 0.1^2 I_3) (seed {options.Seed + 1}), N = M, uniform weights, cost |x - y|^2, float64");
        Console.WriteLine($"  ours: tolerance {R(options.Tolerance)} (L1 column marginal, every solve), {options.Precision} kernels, eps-annealing factor 0.5 from the largest cost, at most {options.MaxIterations} iterations per solve, all cores");

        var probe = options.Solvers.Contains("pot") || options.Solvers.Contains("geomloss") ? PythonReference.Probe(options.Python) : null;
        if (probe is not null)
        {
            Console.WriteLine(probe.Error is not null
                ? $"  python ({options.Python}): unusable: {probe.Error}"
                : $"  python {probe.PythonVersion} ({options.Python}): POT {probe.PotVersion ?? "not installed"}, geomloss {probe.GeomLossVersion ?? "not installed"}; OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}");
        }

        Console.WriteLine();

        // JIT and first-touch warm-up of both of our paths (tiered compilation is off: one small call compiles them).
        var warmProblem = Problem(256, options.Seed);
        var warmOptions = Options(options, options.Epsilons[0]);
        _ = SinkhornDivergence.Compute(warmProblem, warmOptions).Value;
        _ = MultiscaleSinkhornDivergence.Compute(warmProblem, warmOptions, new MultiscaleOptions()).Value;

        var table = new TablePrinter("solver", "N", "eps", "S (dual)", "S - dense S", "S (<P,C>)", "seconds", "cpu s", "iterations (ab+aa+bb)", "max L1 err", "conv", "peak MB", "+MB", "time / dense", "peak / dense", "+MB / dense");
        var terms = new TablePrinter("N", "eps", "term", "dense dual", "multiscale dual", "POT dual", "POT - dense", "dense <P,C>", "multiscale <P,C>", "POT <P,C>", "dense L1", "multiscale L1", "POT L1", "POT L2");
        var notes = new List<string>();
        var ratios = new List<string>();
        var directory = Directory.CreateTempSubdirectory("transport-divergence-bench-");
        try
        {
            foreach (var n in options.Sizes)
            {
                var problem = Problem(n, options.Seed);
                var xPath = Path.Combine(directory.FullName, $"x-{n}.npy");
                var yPath = Path.Combine(directory.FullName, $"y-{n}.npy");
                NpyArray.WriteFloat64(xPath, problem.Source.Positions, n, Dimension);
                NpyArray.WriteFloat64(yPath, problem.Target.Positions, n, Dimension);
                foreach (var epsilon in options.Epsilons)
                {
                    RunCase(options, probe, problem, epsilon, xPath, yPath, table, terms, notes, ratios);
                }

                File.Delete(xPath);
                File.Delete(yPath);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        Console.WriteLine(table.Render());
        Console.WriteLine("S (dual): <a, f> + <b, g> per term (OT_eps with the eps KL(P | a x b) penalty), combined as OT_ab - (OT_aa + OT_bb) / 2;");
        Console.WriteLine("  S (<P,C>): the same combination of the linear costs <P, C> (POT's sinkhorn2 value; our dense path exposes it for the cross term only).");
        Console.WriteLine("  seconds: wall time of the three solves (POT: including building each N x N cost matrix with ot.dist); cpu s: process CPU time over all threads.");
        Console.WriteLine("  max L1 err: largest final column-marginal L1 error of the three terms (POT's measured after its run from log_u, log_v).");
        Console.WriteLine("  peak MB: process peak (ours: working set sampled every 50 ms; Python: ru_maxrss); +MB: peak above the process's footprint before the solves");
        Console.WriteLine("  (Python: after imports and loading the clouds); ratios are to ours dense in the same run.");
        Console.WriteLine($"  accuracy: ours stop at L1 column error < {R(options.Tolerance)}; POT's stopThr is an L2 column error, checked every 10 iterations, set to "
            + (options.PotStopThreshold is { } thr ? $"{R(thr)} (--pot-stop-thr)" : "tolerance / sqrt(N) (a column error spread evenly over N entries has L1 = sqrt(N) L2)")
            + ";");
        Console.WriteLine("  POT does no eps-annealing (cold start at the target eps).");
        foreach (var line in ratios)
        {
            Console.WriteLine(line);
        }

        foreach (var note in notes)
        {
            Console.WriteLine(note);
        }

        Console.WriteLine();
        Console.WriteLine("Per term (dual values, linear costs, final column-marginal errors):");
        Console.WriteLine(terms.Render());
        Console.WriteLine($"load average at end: {MachineInfo.Current().LoadAverage}");
    }

    private static void RunCase(
        DivergenceBenchOptions options,
        PythonProbe? probe,
        SinkhornProblem problem,
        double epsilon,
        string xPath,
        string yPath,
        TablePrinter table,
        TablePrinter terms,
        List<string> notes,
        List<string> ratios)
    {
        var n = problem.Source.Count;
        var sinkhorn = Options(options, epsilon);
        var label = $"N = {n}, eps = {R(epsilon)}";
        string[] Row(string solver, string value, string difference, string cost, double seconds, double cpu, string iterations, double l1, string converged, long peak, long extra, RunMeasurement? dense) =>
        [
            solver, Int(n), R(epsilon), value, difference, cost, Format.Seconds(seconds), Format.Seconds(cpu), iterations, Sci(l1), converged,
            Megabytes(peak), Megabytes(extra),
            dense is null ? "n/a" : Format.Ratio(seconds / dense.Seconds),
            dense is null ? "n/a" : Format.Ratio((double)peak / dense.PeakBytes),
            dense is null ? "n/a" : Format.Ratio((double)extra / Math.Max(dense.ExtraBytes, 1)),
        ];
        string[] Unavailable(string solver, string why) => [solver, Int(n), R(epsilon), why, .. Enumerable.Repeat("n/a", 12)];

        // Ours, dense: three full N x N solves streamed through the kernels, no matrix stored.
        SinkhornDivergence? dense = null;
        RunMeasurement? denseTime = null;
        if (options.Solvers.Contains("dense"))
        {
            Console.Error.WriteLine($"{label}: ours dense ...");
            (dense, denseTime) = Timed(() => SinkhornDivergence.Compute(problem, sinkhorn));
            var summaries = new[] { dense.Cross.Summary, dense.SelfSource, dense.SelfTarget };
            Console.Error.WriteLine($"{label}: ours dense {Format.Seconds(denseTime.Seconds)} s, S {dense.Value:R}");
            table.Add(Row("ours dense", R17(dense.Value), "0", "n/a", denseTime.Seconds, denseTime.CpuSeconds, Iterations(summaries.Select(s => s.Iterations)), summaries.Max(s => s.MarginalError), Yes(dense.Converged), denseTime.PeakBytes, denseTime.ExtraBytes, denseTime));
        }

        // Ours, multiscale: the three terms by MultiscaleSinkhornSolver.
        MultiscaleSinkhornDivergence? multiscale = null;
        RunMeasurement? multiscaleTime = null;
        if (options.Solvers.Contains("multiscale"))
        {
            Console.Error.WriteLine($"{label}: ours multiscale ...");
            (multiscale, multiscaleTime) = Timed(() => MultiscaleSinkhornDivergence.Compute(problem, sinkhorn, options.Multiscale()));
            var outputs = new[] { multiscale.Cross, multiscale.SelfSource, multiscale.SelfTarget };
            var costValue = multiscale.Cross.TransportCost - (0.5 * (multiscale.SelfSource.TransportCost + multiscale.SelfTarget.TransportCost));
            Console.Error.WriteLine($"{label}: ours multiscale {Format.Seconds(multiscaleTime.Seconds)} s, S {multiscale.Value:R}" + string.Concat(outputs.Select((o, k) => o.DenseReason is null ? string.Empty : $"; {TermNames[k]} ran dense: {o.DenseReason}")));
            for (var k = 0; k < outputs.Length; k++)
            {
                var o = outputs[k];
                Console.Error.WriteLine($"  {TermNames[k]}: leaf {o.LeafClusterSize}, {o.Iterations} iterations, {o.KernelEvaluations:E3} evaluations, values held {o.ResidentValues:N0}, refinements {o.Refinements}; "
                    + string.Join("; ", o.Levels.Select(l => $"L{l.Level} {l.SourceClusters}x{l.TargetClusters} pairs {l.SurvivingBlockPairs} it {l.Iterations}")));
            }
            table.Add(Row("ours multiscale", R17(multiscale.Value), Difference(multiscale.Value, dense?.Value), R17(costValue), multiscaleTime.Seconds, multiscaleTime.CpuSeconds, Iterations(outputs.Select(o => o.Iterations)), outputs.Max(o => o.MarginalError), Yes(multiscale.Converged), multiscaleTime.PeakBytes, multiscaleTime.ExtraBytes, denseTime));
        }

        // Ours, multiscale as a cluster job: the shards sort the clouds and keep the points; the coordinator the clusters.
        if (options.Solvers.Contains("cluster"))
        {
            Console.Error.WriteLine($"{label}: ours multiscale on {options.Shards} shards per cloud (embedded silo) ...");
            var (job, jobTime) = Timed(() => ClusterDivergence(problem, sinkhorn, options, $"divergence-{n}-{R(epsilon)}"));
            if (job is null)
            {
                table.Add(Unavailable($"ours cluster, {options.Shards} shards", "silo failed"));
            }
            else
            {
                var result = job.Result;
                var last = result.History.GroupBy(h => h.Problem).Select(g => g.Last()).ToArray();
                var value = result.Divergence ?? double.NaN;
                Console.Error.WriteLine($"{label}: ours cluster {Format.Seconds(jobTime.Seconds)} s, S {value:R}");
                table.Add(Row($"ours cluster, {options.Shards} shards", R17(value), Difference(value, dense?.Value), "n/a", jobTime.Seconds, jobTime.CpuSeconds, Iterations(last.Select(h => h.Iteration)), last.Max(h => h.MarginalError), Yes(result.Converged), jobTime.PeakBytes, jobTime.ExtraBytes, denseTime));
                notes.Add($"{label}: cluster row: S - in-process multiscale S = {Difference(value, multiscale?.Value)}; leaf {result.LeafClusterSize}, {result.Levels} levels; "
                    + $"{result.Traffic.Messages} shard messages, {Format.Int((long)result.Traffic.BytesPerShardPerIteration)} bytes per shard per iteration ({Format.Int(result.Traffic.PayloadBytes)} in all); "
                    + $"the coordinator held at most {Format.Int(result.CoordinatorValues ?? 0)} values (8 B each) against {Format.Int(2L * n * (Dimension + 1))} of the clouds; peak MB is the whole process (silo, shards and coordinator).");
            }
        }

        // POT sinkhorn_log in a Python child process.
        PotResult? pot = null;
        var stopThreshold = options.PotStopThreshold ?? options.Tolerance / Math.Sqrt(n);
        if (options.Solvers.Contains("pot"))
        {
            const string solver = "POT sinkhorn_log";
            if (probe is { Error: { } pythonError })
            {
                table.Add(Unavailable(solver, "python unusable"));
                notes.Add($"{label}: POT not run: {options.Python}: {pythonError}");
            }
            else if (probe is { HasPot: false })
            {
                table.Add(Unavailable(solver, "not installed"));
                notes.Add($"{label}: POT not run: 'import ot' failed in {options.Python}: {probe.PotError}");
            }
            else if (n > options.PotMax)
            {
                table.Add(Unavailable(solver, "skipped"));
                notes.Add($"{label}: POT skipped: N > --pot-max {options.PotMax} (POT's sinkhorn_log holds about 4-5 N x N float64 matrices at once, {Megabytes(8L * n * n)} MB each).");
            }
            else
            {
                Console.Error.WriteLine($"{label}: POT sinkhorn_log (stopThr {R(stopThreshold)}) ...");
                pot = PythonReference.Pot(options.Python, xPath, yPath, epsilon, stopThreshold, options.MaxIterations, TimeSpan.FromSeconds(options.PotTimeoutSeconds));
                if (pot.Error is not null)
                {
                    table.Add(Unavailable(solver, "failed"));
                    notes.Add($"{label}: POT failed: {pot.Error}");
                    pot = null;
                }
                else
                {
                    var t = TermNames.Select(pot.Term).ToArray();
                    var value = t[0].Dual - (0.5 * (t[1].Dual + t[2].Dual));
                    var costValue = t[0].Cost - (0.5 * (t[1].Cost + t[2].Cost));
                    var seconds = t.Sum(x => x.Seconds);
                    var peak = t.Max(x => x.PeakKib) * 1024L;
                    table.Add(Row($"POT {pot.Version} sinkhorn_log", R17(value), Difference(value, dense?.Value), R17(costValue), seconds, t.Sum(x => x.CpuSeconds), Iterations(t.Select(x => x.Iterations)), t.Max(x => x.MarginalL1), Yes(t.All(x => x.Converged)), peak, peak - (pot.BaselineKib * 1024L), denseTime));
                    var perIteration = t.Sum(x => x.Seconds - x.DistSeconds) / t.Sum(x => x.Iterations);
                    ratios.Add($"{label}: POT seconds / ours dense = {Ratio(seconds, denseTime?.Seconds)}, POT seconds / ours multiscale = {Ratio(seconds, multiscaleTime?.Seconds)}; "
                        + $"CPU-seconds: POT / dense = {Ratio(t.Sum(x => x.CpuSeconds), denseTime?.CpuSeconds)}, POT / multiscale = {Ratio(t.Sum(x => x.CpuSeconds), multiscaleTime?.CpuSeconds)}; "
                        + $"POT {Format.Seconds(perIteration)} s per iteration, {Format.Seconds(t.Sum(x => x.DistSeconds))} s building cost matrices; stopThr {R(stopThreshold)}.");
                }
            }
        }

        // GeomLoss, tensorized backend, if it imports.
        if (options.Solvers.Contains("geomloss"))
        {
            const string solver = "GeomLoss tensorized";
            if (probe is null || probe.Error is not null || !probe.HasGeomLoss)
            {
                table.Add(Unavailable(solver, "not installed"));
                notes.Add($"{label}: geomloss: not installed" + (probe?.GeomLossError is { } why ? $" ('import geomloss' in {options.Python}: {why})" : string.Empty));
            }
            else
            {
                Console.Error.WriteLine($"{label}: GeomLoss tensorized (scaling {R(options.GeomLossScaling)}) ...");
                var geomLoss = PythonReference.GeomLoss(options.Python, xPath, yPath, epsilon, options.GeomLossScaling, TimeSpan.FromSeconds(options.PotTimeoutSeconds));
                if (geomLoss.Error is not null)
                {
                    table.Add(Unavailable(solver, "failed"));
                    notes.Add($"{label}: GeomLoss failed: {geomLoss.Error}");
                }
                else
                {
                    var peak = geomLoss.PeakKib * 1024L;
                    table.Add(Row($"GeomLoss {geomLoss.Version}", R17(geomLoss.Dual), Difference(geomLoss.Dual, dense?.Value), "n/a", geomLoss.Seconds, geomLoss.CpuSeconds, "n/a", double.NaN, "n/a", peak, peak - (geomLoss.BaselineKib * 1024L), denseTime));
                    notes.Add($"{label}: GeomLoss: blur sqrt(eps / 2) on its cost |x - y|^2 / 2, value doubled; eps-scaling {R(options.GeomLossScaling)} (a fixed schedule, no tolerance).");
                }
            }
        }

        // Per term.
        for (var k = 0; k < 3; k++)
        {
            var denseDual = dense is null ? double.NaN : k switch { 0 => dense.Cross.Dual, 1 => dense.SelfSource.Dual, _ => dense.SelfTarget.Dual };
            var denseL1 = dense is null ? double.NaN : k switch { 0 => dense.Cross.MarginalError, 1 => dense.SelfSource.MarginalError, _ => dense.SelfTarget.MarginalError };
            var denseCost = dense is not null && k == 0 ? dense.Cross.TransportCost : double.NaN;
            var ms = multiscale is null ? null : k switch { 0 => multiscale.Cross, 1 => multiscale.SelfSource, _ => multiscale.SelfTarget };
            var potTerm = pot?.Term(TermNames[k]);
            terms.Add(
                Int(n),
                R(epsilon),
                TermNames[k],
                R17(denseDual),
                R17(ms?.Dual ?? double.NaN),
                R17(potTerm?.Dual ?? double.NaN),
                Sci((potTerm?.Dual ?? double.NaN) - denseDual),
                R17(denseCost),
                R17(ms?.TransportCost ?? double.NaN),
                R17(potTerm?.Cost ?? double.NaN),
                Sci(denseL1),
                Sci(ms?.MarginalError ?? double.NaN),
                Sci(potTerm?.MarginalL1 ?? double.NaN),
                Sci(potTerm?.MarginalL2 ?? double.NaN));
        }
    }

    /// <summary>x ~ U[0,1]^3 (seed), y ~ N(0.5, 0.1^2 I_3) (seed + 1), uniform weights.</summary>
    private static SinkhornProblem Problem(int n, int seed) => Clouds.CubeAgainstBlob(n, Dimension, seed);

    private static SinkhornOptions Options(DivergenceBenchOptions options, double epsilon) => new()
    {
        Epsilon = epsilon,
        Cost = CostFunction.SquaredEuclidean,
        Tolerance = options.Tolerance,
        MaxIterations = options.MaxIterations,
        Precision = options.Precision,
    };

    /// <summary>The divergence as a multiscale cluster job on an embedded silo; null when the silo does not start.</summary>
    private static SinkhornJobOutput? ClusterDivergence(SinkhornProblem problem, SinkhornOptions sinkhorn, DivergenceBenchOptions options, string id)
    {
        return Run().GetAwaiter().GetResult();

        async Task<SinkhornJobOutput?> Run()
        {
            await using var cluster = await ClusterIterationBench.StartAsync();
            if (cluster.Grains is not { } grains)
            {
                return null;
            }

            var spec = new SinkhornJobSpec
            {
                SourceCount = problem.Source.Count,
                TargetCount = problem.Target.Count,
                Dimension = Dimension,
                Epsilon = sinkhorn.Epsilon,
                Tolerance = sinkhorn.Tolerance,
                MaxIterations = sinkhorn.MaxIterations,
                Shards = options.Shards,
                Divergence = true,
                Multiscale = true,
                LeafClusterSize = options.LeafClusterSize,
                MemoryBudget = options.MemoryBudget,
                Precision = options.Precision == Transport.Numerics.Kernels.Precision.Single ? "single" : "double",
            };
            return await new SinkhornJobClient(grains).RunAsync(id, spec, problem.Source, problem.Target);
        }
    }

    private static (T Result, RunMeasurement Measurement) Timed<T>(Func<T> run) => RunMeasurement.Of(run);

    private static string Iterations(IEnumerable<int> counts)
    {
        var list = counts.ToList();
        return $"{list.Sum()} ({string.Join('+', list)})";
    }

    private static string Difference(double value, double? reference) => reference is { } r ? Sci(value - r) : "n/a";

    private static string Ratio(double value, double? reference) => reference is { } r ? Format.Ratio(value / r) : "n/a";

    private static string Yes(bool value) => value ? "yes" : "no";

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string R(double value) => Math.Abs(value) is >= 1e-3 and < 1e6 ? value.ToString("G6", CultureInfo.InvariantCulture) : value.ToString("0.#####e0", CultureInfo.InvariantCulture);

    private static string R17(double value) => double.IsFinite(value) ? value.ToString("0.000000000e0", CultureInfo.InvariantCulture) : "n/a";

    private static string Sci(double value) => double.IsFinite(value) ? value.ToString("0.000e0", CultureInfo.InvariantCulture) : "n/a";

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
}
