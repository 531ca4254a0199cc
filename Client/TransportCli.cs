using System.CommandLine;
using System.Globalization;
using Transport.Grains;
using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// The <c>transport</c> console: parses the command line, validates every input before anything starts,
/// runs the job on an embedded silo or a remote cluster, and maps outcomes to <see cref="ExitCodes"/>.
/// </summary>
public static class TransportCli
{
    /// <summary>
    /// Runs the console with <paramref name="args"/>, writing results to <paramref name="stdout"/> and messages
    /// (errors, warnings, progress as plain lines) to <paramref name="stderr"/>. Returns the exit code:
    /// 0 success, 2 bad input or usage, 1 failure while running, 130 cancelled through <paramref name="cancellationToken"/>.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdout, stderr, interactiveProgress: false, cancellationToken);

    /// <summary>As <see cref="RunAsync(string[], TextWriter, TextWriter, CancellationToken)"/>; with <paramref name="interactiveProgress"/> the progress line is redrawn in place.</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, bool interactiveProgress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var root = BuildCommand(stdout, stderr, interactiveProgress);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("run 'transport --help', 'transport sinkhorn --help', 'transport flow --help' or 'transport sample --help' for usage");
            return ExitCodes.BadInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }

    private static RootCommand BuildCommand(TextWriter stdout, TextWriter stderr, bool interactiveProgress)
    {
        var source = new Option<string?>("--source") { Description = "Source positions, n x d (.npy float32/float64 C order, or .csv)", HelpName = "X.npy" };
        var target = new Option<string?>("--target") { Description = "Target positions, m x d (.npy or .csv)", HelpName = "Y.npy" };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights, n values >= 0 with a positive sum (default: uniform)", HelpName = "A.npy" };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights, m values >= 0 with a positive sum (default: uniform)", HelpName = "B.npy" };
        var epsilon = NumberOptions.OptionalDouble("--epsilon", "Regularisation eps > 0, in the units of the cost (required unless --demo; demo default 0.05)", "E");
        var cost = new Option<string>("--cost") { Description = "Ground cost: sqeuclidean |x-y|^2 or half-sqeuclidean |x-y|^2/2", DefaultValueFactory = _ => "sqeuclidean" };
        var tolerance = NumberOptions.Double("--tolerance", 1e-6, "Stop when the L1 column-marginal error is below this", "T");
        var maxIterations = NumberOptions.Int32("--max-iterations", 10_000, "Iteration cap (reaching it is not an error: converged is false)", "K");
        var scaling = NumberOptions.Double("--scaling", 0.5, "Epsilon annealing factor in (0, 1]; 1 turns annealing off", "S");
        var checkEvery = NumberOptions.Int32("--check-every", 1, "Test convergence every k iterations", "k");
        var precision = new Option<string>("--precision") { Description = "Kernel arithmetic: double or single", DefaultValueFactory = _ => "double" };
        var shards = NumberOptions.Int32("--shards", 1, "Shards per cloud", "S");
        var divergence = new Option<bool>("--divergence") { Description = "Also solve the self problems and report the debiased Sinkhorn divergence" };
        var multiscale = new Option<bool>("--multiscale") { Description = "Solve coarse-to-fine with the multiscale solver (sparse, truncated kernels)" };
        var levels = NumberOptions.OptionalInt32("--levels", "Multiscale levels, 1 to 16 (default: chosen from the cloud sizes); needs --multiscale", "L");
        var truncate = NumberOptions.OptionalDouble("--truncate", "Multiscale truncation threshold TAU > 0 (default 5); needs --multiscale", "TAU");
        var memoryBudget = NumberOptions.OptionalByteSize("--memory-budget", "Bytes the multiscale solve may hold at its peak, e.g. 512M or 4G (K, M, G, T: powers of 1024); it picks the leaf size, the smallest of 8, 16, 32, ... points whose estimate fits (default: half of the memory available to the solving process); needs --multiscale", "BYTES");
        var leaf = NumberOptions.OptionalInt32("--leaf", "Points per finest multiscale cluster, >= 1 (default: 8, or larger when the memory budget needs it); overrides --memory-budget's choice; needs --multiscale", "N");
        var cluster = new Option<string?>("--cluster") { Description = "A running cluster: its gateways, or the Redis holding its membership (gateways found there, fail-over between them); without it an embedded silo runs in this process", HelpName = "HOST:PORT[,HOST:PORT...]|redis://HOST:PORT" };
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id of the --cluster (default: Transport:ClusterId, else transport)", DefaultValueFactory = _ => ClientSettings.DefaultClusterId };
        var serviceId = new Option<string>("--service-id") { Description = "Orleans service id of the --cluster (default: Transport:ServiceId, else transport-distributed)", DefaultValueFactory = _ => ClientSettings.DefaultServiceId };
        var output = new Option<string?>("--out") { Description = "Output directory (result.json, history.json, f.npy, g.npy, map.npy)", HelpName = "DIR" };
        var force = OutputOptions.Force();
        var demo = new Option<bool>("--demo") { Description = "Generate a Gaussian blob (source) and a noisy ring (target) and solve them" };
        var seed = NumberOptions.Int32("--seed", 0, "Seed of the --demo generator", "SEED");
        var points = NumberOptions.Int32("--points", DemoClouds.DefaultPoints, $"Points per --demo cloud (1..{DemoClouds.MaxPoints})", "N");
        var quiet = new Option<bool>("--quiet") { Description = "No progress line" };
        var detach = new Option<bool>("--detach") { Description = "Submit the job to the --cluster, print its id and return; collect it with 'transport runs'" };
        var label = new Option<string?>("--label") { Description = "A label for the job in 'transport runs list'", HelpName = "TEXT" };
        var telemetry = new Option<string>("--telemetry") { Description = "Export telemetry from this process: none, console (spans on stderr) or otlp (OTEL_EXPORTER_OTLP_ENDPOINT)", DefaultValueFactory = _ => "none" };
        var verbose = new Option<bool>("--verbose") { Description = "Orleans logs on stderr" };
        var planTopK = NumberOptions.OptionalInt32("--plan-topk", "Also write the K largest plan entries of every source point: plan_topk_indices.npy and plan_topk_masses.npy (n x K)", "K");
        var planThreshold = NumberOptions.OptionalDouble("--plan-threshold", "Also write every plan entry above this mass (>= 1e-7) as a COO triple: plan_rows.npy, plan_cols.npy, plan_values.npy", "MASS");

        var sinkhorn = new Command("sinkhorn", "Entropic optimal transport between two weighted point clouds (log-domain Sinkhorn with eps-annealing)")
        {
            source, target, sourceWeights, targetWeights, epsilon, cost, tolerance, maxIterations, scaling, checkEvery,
            precision, shards, divergence, multiscale, levels, truncate, memoryBudget, leaf, cluster, clusterId, serviceId, output, force, demo, seed, points, quiet, verbose,
            detach, label, telemetry, planTopK, planThreshold,
        };
        sinkhorn.SetAction((parse, cancellationToken) =>
        {
            var arguments = new SinkhornArguments
            {
                Source = parse.GetValue(source),
                Target = parse.GetValue(target),
                SourceWeights = parse.GetValue(sourceWeights),
                TargetWeights = parse.GetValue(targetWeights),
                Epsilon = parse.GetValue(epsilon),
                Cost = parse.GetValue(cost) ?? "sqeuclidean",
                Tolerance = parse.GetValue(tolerance),
                MaxIterations = parse.GetValue(maxIterations),
                Scaling = parse.GetValue(scaling),
                CheckEvery = parse.GetValue(checkEvery),
                Precision = parse.GetValue(precision) ?? "double",
                Shards = parse.GetValue(shards),
                Divergence = parse.GetValue(divergence),
                Multiscale = parse.GetValue(multiscale),
                Levels = parse.GetValue(levels),
                Truncate = parse.GetValue(truncate),
                MemoryBudget = parse.GetValue(memoryBudget),
                Leaf = parse.GetValue(leaf),
                Cluster = parse.GetValue(cluster),
                ClusterId = parse.GetValue(clusterId) ?? "transport",
                ServiceId = parse.GetValue(serviceId) ?? "transport-distributed",
                Out = parse.GetValue(output),
                Force = parse.GetValue(force),
                Demo = parse.GetValue(demo),
                Seed = parse.GetValue(seed),
                Points = parse.GetValue(points),
                Quiet = parse.GetValue(quiet),
                Verbose = parse.GetValue(verbose),
                Detach = parse.GetValue(detach),
                Label = parse.GetValue(label),
                Telemetry = parse.GetValue(telemetry) ?? "none",
                PlanTopK = parse.GetValue(planTopK),
                PlanThreshold = parse.GetValue(planThreshold),
            };
            return RunSinkhornAsync(arguments, stdout, stderr, interactiveProgress, cancellationToken);
        });

        return new RootCommand("transport: distributed entropic optimal transport, particle flows and generative sampling on Orleans")
        {
            sinkhorn,
            References.W2Command.Build(stdout, stderr),
            References.ExactCommand.Build(stdout, stderr),
            References.InterpolateCommand.Build(stdout, stderr),
            Gallery.GalleryCommand.Build(stdout, stderr),
            Flows.FlowCommand.Build(stdout, stderr, interactiveProgress),
            Sampling.SampleCommand.Build(stdout, stderr, interactiveProgress),
            Runs.RunsCommand.Build(stdout, stderr, interactiveProgress),
            Clusters.ClusterCommand.Build(stdout, stderr),
        };
    }

    /// <summary>Validates, runs and writes one Sinkhorn job; every outcome becomes an exit code here.</summary>
    internal static async Task<int> RunSinkhornAsync(SinkhornArguments arguments, TextWriter stdout, TextWriter stderr, bool interactiveProgress, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        SinkhornInputs inputs;
        try
        {
            inputs = InputLoader.Load(arguments);
        }
        catch (InvalidInputException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        return await RunInputsAsync(inputs, stdout, stderr, interactiveProgress, arguments.Quiet, arguments.Verbose, started, cancellationToken);
    }

    /// <summary>
    /// Runs validated <paramref name="inputs"/> and writes the outputs. Separate from validation so that tests can
    /// hand the cluster inputs that only the cluster rejects.
    /// </summary>
    internal static async Task<int> RunInputsAsync(
        SinkhornInputs inputs,
        TextWriter stdout,
        TextWriter stderr,
        bool interactiveProgress,
        bool quiet,
        bool verbose,
        System.Diagnostics.Stopwatch started,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(started);
        var progress = new ProgressReporter(stderr, interactiveProgress, quiet);
        try
        {
            progress.Phase(inputs.Cluster is null ? "sinkhorn: starting the embedded silo" : $"sinkhorn: connecting to {inputs.Cluster}");
            await using var connection = await ClusterConnection.OpenAsync(inputs.Cluster, verbose, ConsoleTelemetry.Parse(inputs.Telemetry, stderr), cancellationToken);
            var runner = new SinkhornJobRunner(connection.GrainFactory, progress);
            if (inputs.Detach)
            {
                var id = await runner.SubmitAsync(inputs, cancellationToken);
                progress.Finish();
                await DetachedRuns.ReportSubmittedAsync(id, inputs.Cluster!, stdout, stderr);
                return ExitCodes.Success;
            }

            var run = await runner.RunAsync(inputs, cancellationToken);
            progress.Finish();
            OutputWriter.Write(inputs.Output!, SinkhornRunFacts.Of(inputs), run, started.Elapsed.TotalSeconds, connection.Description, new SinkhornPlanOutputs(inputs.Source, inputs.Target, inputs.Plan));
            if (run.Result.DenseReason is { } denseReason)
            {
                await stderr.WriteLineAsync($"note: --multiscale solved densely on the points: {denseReason}");
            }

            if (!run.Result.Converged)
            {
                await stderr.WriteLineAsync(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"warning: not converged: stopped at --max-iterations {inputs.Options.MaxIterations} with marginal error {run.Result.MarginalError:G6} above --tolerance {inputs.Options.Tolerance:G6}; the result is written with converged false"));
            }

            await stdout.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"cost {run.Result.Cost:R}  dual {run.Result.Dual:R}  iterations {run.Result.Iterations}  converged {(run.Result.Converged ? "true" : "false")}  -> {inputs.Output!.FullPath}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            progress.Finish();
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken, "cancelled: the job was cancelled and no output was written", Describe);
        }
    }

    // Orleans folds an inner exception's stack trace into some messages: one line is enough on the console.
    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static string Describe(Exception ex) => ex switch
    {
        JobFailedException failed => failed.Message,
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        _ => $"{FirstLine(ex.Message)} ({ex.GetType().Name})",
    };
}
