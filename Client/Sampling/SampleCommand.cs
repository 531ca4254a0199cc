using System.CommandLine;
using System.Globalization;
using Transport.Numerics;
using Transport.Numerics.Sampling.Study;

namespace Transport.Client.Sampling;

/// <summary>
/// Creates where a <c>transport sample</c> study runs once its inputs are valid: <paramref name="cluster"/> is the
/// <c>--cluster</c> (null for an embedded silo), <paramref name="label"/> the <c>--label</c>. A runner that is
/// <see cref="IAsyncDisposable"/> is disposed after the study (a cluster runner closes its connection there).
/// </summary>
internal delegate ISampleStudyRunner SampleRunnerFactory(ClusterEndpoint? cluster, bool verbose, ConsoleTelemetry? telemetry, string? label);

/// <summary>
/// <c>transport sample</c>: draws samples from a target (Gaussian, Gaussian mixture or data set) by transporting
/// noise along the probability-flow ODE or SDE of a stochastic interpolant (math.md section 2), optionally as a
/// sweep over step counts, and writes samples, metrics and plots. The runner is injected, so the command does not
/// depend on where the sampling runs.
/// </summary>
internal static class SampleCommand
{
    /// <summary>Demo names; demo NAME is the specification <c>examples/sample-NAME.json</c>.</summary>
    public static readonly string[] Demos = ["gaussian", "mixture", "data", "ot"];

    /// <summary>
    /// The runner of <c>transport sample</c>: the study as one job (<see cref="ClusterSampleStudy"/>) on an embedded
    /// silo or on <c>--cluster</c>.
    /// </summary>
    public static readonly SampleRunnerFactory ClusterRunners = (cluster, verbose, telemetry, label) => new ClusterSampleStudy(cluster, verbose, telemetry, label);

    /// <summary>
    /// The study loop in this process over the single-process reference runner (<see cref="LocalSampleRunner"/>), for
    /// tests that exercise the command without starting a silo; it refuses <c>--cluster</c>.
    /// </summary>
    public static readonly SampleRunnerFactory LocalRunners = (cluster, _, _, _) => cluster is null
        ? new InProcessSampleStudy(new LocalSampleRunner())
        : throw new InvalidInputException("cluster", $"{cluster.Host}:{cluster.Port}: the in-process runner does not connect to clusters");

    /// <summary>Builds the <c>sample</c> command; <paramref name="runners"/> defaults to <see cref="ClusterRunners"/>.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr, bool interactiveProgress, SampleRunnerFactory? runners = null)
    {
        _ = interactiveProgress; // Progress is one plain line per run (a sweep has few runs), never redrawn.
        var target = Text("--target", "Target: JSON {\"kind\": \"gaussian\"|\"mixture\"|\"data\", ...} or a .npy data set (n x d, float32/float64)", "TARGET");
        var targetWeights = Text("--target-weights", "Weights of a .npy data set target (positive, one per point; default uniform)", "W.npy");
        var schedule = Text("--schedule", "Interpolant schedule: linear, trig or vp", "linear|trig|vp");
        var sampler = Text("--sampler", "Sampler: euler, heun, rk4, adaptive (Dormand-Prince), ddim or sde (Euler-Maruyama)", "NAME");
        var steps = Text("--steps", "Time steps: one count, or a comma list such as 4,8,16,32 (a sweep: one run per count)", "K");
        var count = Text("--n", $"Number of samples (1..{SampleInputs.MaxParticles}); optional with --noise", "N");
        var coupling = Text("--coupling", "Noise-data coupling: independent (default) or ot", "independent|ot");
        var couplingPairs = Text("--coupling-pairs", "ot coupling: noise points matched to target samples (default min(n, 1000))", "P");
        var couplingSolver = Text("--coupling-solver", "ot coupling solver: sinkhorn (distributed entropic OT, default) or exact (assignment, at most 3000 pairs)", "sinkhorn|exact");
        var couplingBandwidth = NumberOptions.OptionalDouble("--coupling-bandwidth", "ot coupling: bandwidth sigma of the coupled interpolant's latent (default 0.1)", "S");
        var couplingBlur = NumberOptions.OptionalDouble("--coupling-blur", "ot coupling: Sinkhorn blur as a fraction of the diameter (default 0.01)", "F");
        var seed = Text("--seed", "Seed of the source noise and the SDE increments (default 0)", "S");
        var shards = Text("--shards", "Shards of the target data (default 1)", "S");
        var particleShards = Text("--particle-shards", "Shards of the particles (default: --shards)", "P");
        var noise = Text("--noise", "Transport these source points (n x d .npy) instead of drawing standard normal noise", "X0.npy");
        var source = Text("--source", "Gaussian source {\"kind\": \"gaussian\", \"mean\", \"covariance\"} (default standard normal)", "SOURCE.json");
        var grid = Text("--grid", "Time grid: uniform (default) or karras", "uniform|karras");
        var delta = NumberOptions.OptionalDouble("--delta", $"Stop at t = 1 - delta, delta in (0, 0.5) (default {SampleInputs.DataDelta:G} for data sets, {SampleInputs.GaussianDelta:G} for Gaussian and mixture targets)", "X");
        var eta = NumberOptions.OptionalDouble("--eta", "DDIM stochasticity eta >= 0 (default 0)", "E");
        var diffusion = NumberOptions.OptionalDouble("--diffusion", "SDE diffusion level: g(t) = G a(t), vanishing with the noise at t = 1 (default 1)", "G");
        var correctorSteps = Text("--corrector-steps", "Annealed Langevin corrector steps per time step (default 0)", "M");
        var correctorSnr = NumberOptions.OptionalDouble("--corrector-snr", "Signal-to-noise ratio of the corrector (default 0.16)", "R");
        var snap = new Option<bool>("--snap") { Description = "Replace the final points x by D(1 - delta, x)" };
        var tolerance = NumberOptions.OptionalDouble("--tolerance", "Tolerance (rtol = atol) of the adaptive sampler (default 1e-6)", "T");
        var spec = Text("--spec", "Run specification (JSON with the options' names as keys); options given on the command line override it", "RUN.json");
        var demo = Text("--demo", $"Run a demo specification: {string.Join(", ", Demos)} (examples/sample-NAME.json)", "NAME");
        var output = Text("--out", "Output directory (samples.npy, metrics.json, samples.png, nfe.png for a sweep)", "DIR");
        var force = OutputOptions.Force();
        var cluster = Text("--cluster", "Gateway of a running cluster; without it the sampling runs in this process", "HOST:PORT");
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id of the --cluster", DefaultValueFactory = _ => "transport" };
        var serviceId = new Option<string>("--service-id") { Description = "Orleans service id of the --cluster", DefaultValueFactory = _ => "transport-distributed" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines" };
        var telemetry = new Option<string>("--telemetry") { Description = "Export telemetry from this process: none, console (spans on stderr) or otlp (OTEL_EXPORTER_OTLP_ENDPOINT)", DefaultValueFactory = _ => "none" };
        var verbose = new Option<bool>("--verbose") { Description = "Orleans logs on stderr" };
        var detach = new Option<bool>("--detach") { Description = "Submit the study to the --cluster, print its id and return; collect it with 'transport runs'" };
        var label = Text("--label", "A label for 'transport runs list'", "TEXT");
        var command = new Command("sample", "Generative sampling: transport noise to a Gaussian, mixture or data-set target along a stochastic interpolant's flow")
        {
            target, targetWeights, schedule, sampler, steps, count, coupling, couplingPairs, couplingSolver, couplingBandwidth, couplingBlur, seed, shards, particleShards, noise, source, grid,
            delta, eta, diffusion, correctorSteps, correctorSnr, snap, tolerance, spec, demo, output, force, cluster, clusterId,
            serviceId, quiet, verbose, telemetry, detach, label,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new SampleArguments
            {
                Target = parse.GetValue(target),
                TargetWeights = parse.GetValue(targetWeights),
                Schedule = parse.GetValue(schedule),
                Sampler = parse.GetValue(sampler),
                Steps = parse.GetValue(steps),
                Count = parse.GetValue(count),
                Coupling = parse.GetValue(coupling),
                CouplingPairs = parse.GetValue(couplingPairs),
                CouplingSolver = parse.GetValue(couplingSolver),
                CouplingBandwidth = parse.GetValue(couplingBandwidth),
                CouplingBlur = parse.GetValue(couplingBlur),
                Seed = parse.GetValue(seed),
                Shards = parse.GetValue(shards),
                ParticleShards = parse.GetValue(particleShards),
                Noise = parse.GetValue(noise),
                Source = parse.GetValue(source),
                Grid = parse.GetValue(grid),
                Delta = parse.GetValue(delta),
                Eta = parse.GetValue(eta),
                Diffusion = parse.GetValue(diffusion),
                CorrectorSteps = parse.GetValue(correctorSteps),
                CorrectorSnr = parse.GetValue(correctorSnr),
                Snap = parse.GetValue(snap),
                Tolerance = parse.GetValue(tolerance),
                Spec = parse.GetValue(spec),
                Demo = parse.GetValue(demo),
                Out = parse.GetValue(output),
                Force = parse.GetValue(force),
                Cluster = parse.GetValue(cluster),
                ClusterId = parse.GetValue(clusterId) ?? "transport",
                ServiceId = parse.GetValue(serviceId) ?? "transport-distributed",
                Quiet = parse.GetValue(quiet),
                Verbose = parse.GetValue(verbose),
                Telemetry = parse.GetValue(telemetry) ?? "none",
                Detach = parse.GetValue(detach),
                Label = parse.GetValue(label),
            },
            runners ?? ClusterRunners,
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    /// <summary>Validates, runs the study (every step count) and writes its outputs; every outcome becomes an exit code here.</summary>
    internal static async Task<int> RunAsync(SampleArguments arguments, SampleRunnerFactory runners, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(runners);
        SampleInputs inputs;
        ISampleStudyRunner runner;
        try
        {
            inputs = SampleInputs.Load(arguments, DemoText);
            runner = runners(inputs.Cluster, arguments.Verbose, ConsoleTelemetry.Parse(arguments.Telemetry, stderr), arguments.Label);
        }
        catch (InvalidInputException ex)
        {
            // Nothing to dispose: the runner is created last, by a factory that does not throw after creating it.
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }

        var request = inputs.Request;
        try
        {
            if (arguments.Detach)
            {
                var submitter = runner as ClusterSampleStudy ?? throw new InvalidInputException("detach", "this runner does not submit to a cluster");
                var id = await submitter.SubmitAsync(request, inputs.Steps, cancellationToken);
                await DetachedRuns.ReportSubmittedAsync(id, inputs.Cluster!, stdout, stderr);
                return ExitCodes.Success;
            }

            var study = await runner.RunAsync(request, inputs.Steps, line => Progress(stderr, arguments.Quiet, line), cancellationToken);
            var output = inputs.Output!;
            output.Commit(directory => SampleOutputWriter.Write(directory, study.Request, study.Runs, study.ReferenceMethod, study.Seconds));
            var last = study.Runs[^1];
            await stdout.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{request.Count} samples ({request.Target.Kind}, {request.Sampler}, nfe {last.Result.Evaluations}), flow-map error {last.Metrics[SampleMetricsBuilder.FlowMapError]:G4} -> {output.FullPath}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }
        finally
        {
            if (runner is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    /// <summary>The text of the demo specification <paramref name="name"/>.</summary>
    internal static string DemoText(string name)
    {
        if (!Demos.Contains(name))
        {
            throw new InvalidInputException("demo", $"unknown demo '{name}' (expected one of {string.Join(", ", Demos)})");
        }

        using var stream = typeof(SampleCommand).Assembly.GetManifestResourceStream($"examples.sample-{name}.json")
            ?? throw new InvalidOperationException($"the demo specification examples/sample-{name}.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Option<string?> Text(string name, string description, string helpName) => new(name) { Description = description, HelpName = helpName };

    private static void Progress(TextWriter stderr, bool quiet, string line)
    {
        if (!quiet)
        {
            stderr.WriteLine(line);
            stderr.Flush();
        }
    }
}
