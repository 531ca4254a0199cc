using System.CommandLine;
using System.Globalization;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Flows;

namespace Transport.Client.Flows;

/// <summary>Options of <c>transport flow</c>.</summary>
internal sealed record FlowArguments(string? Spec, string? Demo, string? Out, bool Quiet, string? Cluster, string ClusterId, string ServiceId, bool Verbose)
{
    /// <summary>The multiscale switches of the Sinkhorn-divergence flow (none by default).</summary>
    public MultiscaleFlowFlags Multiscale { get; init; } = new(false, null, null);

    /// <summary><c>--eulerian GRID</c>: measure the density on a GRID x GRID grid (sets <c>"eulerian": {"grid": GRID}</c>); null: as the spec says.</summary>
    public int? Eulerian { get; init; }

    /// <summary>The specification text with the command line's switches applied.</summary>
    public string Edit(string json) => EulerianSpecReader.Apply(Multiscale.Apply(json), Eulerian);

    /// <summary>--detach: submit to the --cluster and print the run id instead of waiting.</summary>
    public bool Detach { get; init; }

    /// <summary>--label: the run's label in <c>transport runs list</c>.</summary>
    public string? Label { get; init; }

    /// <summary>--telemetry: none, console (spans on stderr) or otlp.</summary>
    public string Telemetry { get; init; } = "none";

    /// <summary>--force: replace a non-empty --out folder whole.</summary>
    public bool Force { get; init; }
}

/// <summary>
/// <c>transport flow --spec RUN.json --out DIR</c> and <c>transport flow --demo NAME --out DIR</c>: runs a
/// particle flow described by a run specification and writes its trajectory, diagnostics, summary and plots.
/// </summary>
internal static class FlowCommand
{
    /// <summary>Demo names, each the name of a specification in <c>examples/</c>.</summary>
    public static readonly string[] Demos = ["sinkhorn-flow", "mmd-flow", "attention-sphere", "sinkformer", "mean-field-relu", "same-density", "same-density-rotated"];

    /// <summary>Builds the <c>flow</c> command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr, bool interactiveProgress)
    {
        var spec = new Option<string?>("--spec") { Description = "Run specification (JSON)", HelpName = "RUN.json" };
        var demo = new Option<string?>("--demo") { Description = $"Run a demo specification: {string.Join(", ", Demos)}", HelpName = "NAME" };
        var output = new Option<string?>("--out") { Description = "Output directory (trajectory.npy, final.npy, diagnostics.csv, summary.json, particles.png, energy.png)", HelpName = "DIR" };
        var force = OutputOptions.Force();
        var quiet = new Option<bool>("--quiet") { Description = "No progress line" };
        var cluster = new Option<string?>("--cluster") { Description = "Gateway of a running cluster; without it an embedded silo runs in this process", HelpName = "HOST:PORT" };
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id of the --cluster", DefaultValueFactory = _ => "transport" };
        var serviceId = new Option<string>("--service-id") { Description = "Orleans service id of the --cluster", DefaultValueFactory = _ => "transport-distributed" };
        var verbose = new Option<bool>("--verbose") { Description = "Orleans logs on stderr" };
        var multiscale = new Option<bool>("--multiscale") { Description = "sinkhorn-flow: solve each step with the multiscale Sinkhorn solver, warm-started from the previous step (sets \"multiscale\": true in the spec)" };
        var levels = NumberOptions.OptionalInt32("--levels", "Multiscale levels, 1 to 16 (default: chosen from the cloud sizes); needs --multiscale", "L");
        var truncate = NumberOptions.OptionalDouble("--truncate", "Multiscale truncation threshold tau > 0 (default 5); needs --multiscale", "TAU");
        var detach = new Option<bool>("--detach") { Description = "Submit the run to the --cluster, print its id and return; collect it with 'transport runs'" };
        var label = new Option<string?>("--label") { Description = "A label for the run in 'transport runs list'", HelpName = "TEXT" };
        var eulerian = NumberOptions.OptionalInt32("--eulerian", "Measure the density at every step: moments, a continuity-equation residual, and a histogram and kernel density on a GRID x GRID grid (sets \"eulerian\": {\"grid\": GRID}; more keys in the spec)", "GRID");
        var telemetry = new Option<string>("--telemetry") { Description = "Export telemetry from this process: none, console (spans on stderr) or otlp (OTEL_EXPORTER_OTLP_ENDPOINT)", DefaultValueFactory = _ => "none" };
        var command = new Command("flow", "Simulate a particle flow (gradient flows, attention dynamics, mean-field networks) from a run specification")
        {
            spec, demo, output, force, quiet, cluster, clusterId, serviceId, verbose, multiscale, levels, truncate, detach, label, telemetry, eulerian,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new FlowArguments(
                parse.GetValue(spec),
                parse.GetValue(demo),
                parse.GetValue(output),
                parse.GetValue(quiet),
                parse.GetValue(cluster),
                parse.GetValue(clusterId) ?? "transport",
                parse.GetValue(serviceId) ?? "transport-distributed",
                parse.GetValue(verbose))
            {
                Multiscale = new MultiscaleFlowFlags(parse.GetValue(multiscale), parse.GetValue(levels), parse.GetValue(truncate)),
                Eulerian = parse.GetValue(eulerian),
                Detach = parse.GetValue(detach),
                Label = parse.GetValue(label),
                Telemetry = parse.GetValue(telemetry) ?? "none",
                Force = parse.GetValue(force),
            },
            stdout,
            stderr,
            interactiveProgress,
            cancellationToken));
        return command;
    }

    /// <summary>Validates, runs and writes one flow; every outcome becomes an exit code here.</summary>
    internal static async Task<int> RunAsync(FlowArguments arguments, TextWriter stdout, TextWriter stderr, bool interactiveProgress, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        FlowRunSpec run;
        OutputDirectory? output;
        ClusterEndpoint? cluster;
        ConsoleTelemetry? telemetry;
        try
        {
            if ((arguments.Spec is null) == (arguments.Demo is null))
            {
                throw new InvalidInputException("spec", "give exactly one of --spec RUN.json or --demo NAME");
            }

            DetachedRuns.CheckArguments(arguments.Detach, arguments.Cluster, arguments.Out, arguments.Force);

            cluster = arguments.Cluster is null ? null : ClusterEndpoint.Parse(arguments.Cluster, arguments.ClusterId, arguments.ServiceId);
            telemetry = ConsoleTelemetry.Parse(arguments.Telemetry, stderr);
            run = arguments.Spec is not null
                ? FlowRunSpec.Load(arguments.Spec, arguments.Edit)
                : FlowRunSpec.Parse(arguments.Edit(DemoText(arguments.Demo!)), Directory.GetCurrentDirectory());
            output = arguments.Detach ? null : OutputDirectory.Validate(arguments.Out!, arguments.Force);
        }
        catch (InvalidInputException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var progress = new ProgressReporter(stderr, interactiveProgress, arguments.Quiet);
        try
        {
            progress.Phase(cluster is null ? "flow: starting the embedded silo" : $"flow: connecting to {cluster}");
            await using var connection = await ClusterConnection.OpenAsync(cluster, arguments.Verbose, telemetry, cancellationToken);
            var model = CatalogFlowModels.Describe(run.ModelName, run.Json, run.Initial.Dimension, run.ModelData);
            var job = FlowJobSpec.From(model, run.Initial.Count, run.Initial.Dimension, run.Shards, run.Options) with { Label = arguments.Label, ClusterAngle = run.ClusterAngle };
            var client = new FlowJobClient(connection.GrainFactory);
            if (arguments.Detach)
            {
                var id = $"flow-{Guid.NewGuid():N}";
                await client.SubmitAsync(id, job, run.Initial.Positions, run.Initial.Weights).WaitAsync(cancellationToken);
                progress.Finish();
                await DetachedRuns.ReportSubmittedAsync(id, cluster!, stdout, stderr);
                return ExitCodes.Success;
            }

            var result = await client.RunAsync(
                $"flow-{Guid.NewGuid():N}",
                job,
                run.Initial.Positions,
                run.Initial.Weights,
                status => progress.Progress(
                    string.Create(CultureInfo.InvariantCulture, $"flow {run.ModelName}  {status.State}  step {status.Progress.Step,6}  time {status.Progress.Time,-10:G5} -> {run.Options.EndTime:G5}  energy {status.Progress.Energy,-12:G6}  {started.Elapsed.TotalSeconds,6:F1} s{ProgressReporter.Left(status.Progress.Time / run.Options.EndTime, started.Elapsed.TotalSeconds)}"),
                    string.Create(CultureInfo.InvariantCulture, $"{status.State}|{Math.Floor(10 * status.Progress.Time / run.Options.EndTime)}")),
                cancellationToken);
            progress.Finish();
            var trajectory = result.Trajectory;
            var facts = new FlowRunFacts(run.ModelName, FlowNames.Name(run.Options.Integrator), run.Shards, started.Elapsed.TotalSeconds, Numerics.Flows.Models.FlowModelCatalog.EnergyName(run.ModelName), run.Target, result.Result.Checkpoints, result.Result.Recoveries, result.Result.Traffic) { ClusterAngle = run.ClusterAngle, Eulerian = run.Options.Eulerian };
            output!.Commit(directory => FlowOutputWriter.Write(directory, trajectory, facts));
            var last = trajectory.Diagnostics[^1];
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{run.ModelName}: {trajectory.Steps} steps to t = {trajectory.FinalTime:G6}, final energy {last.Energy:G8} -> {output.FullPath}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            progress.Finish();
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }
    }

    /// <summary>The text of the demo specification <paramref name="name"/>.</summary>
    internal static string DemoText(string name)
    {
        if (!Demos.Contains(name))
        {
            throw new InvalidInputException("demo", $"unknown demo '{name}' (expected one of {string.Join(", ", Demos)})");
        }

        using var stream = typeof(FlowCommand).Assembly.GetManifestResourceStream($"examples.{name}.json")
            ?? throw new InvalidOperationException($"the demo specification examples/{name}.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
