using System.CommandLine;
using System.Globalization;
using Transport.Numerics;
using Transport.Numerics.Flows;

namespace Transport.Client.Flows;

/// <summary>
/// <c>transport flow --spec RUN.json --out DIR</c> and <c>transport flow --demo NAME --out DIR</c>: runs a
/// particle flow described by a run specification and writes its trajectory, diagnostics, summary and plots.
/// </summary>
internal static class FlowCommand
{
    /// <summary>Demo names, each the name of a specification in <c>examples/</c>.</summary>
    public static readonly string[] Demos = ["sinkhorn-flow", "mmd-flow", "attention-sphere", "sinkformer", "mean-field-relu"];

    /// <summary>Builds the <c>flow</c> command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr, bool interactiveProgress)
    {
        var spec = new Option<string?>("--spec") { Description = "Run specification (JSON)", HelpName = "RUN.json" };
        var demo = new Option<string?>("--demo") { Description = $"Run a demo specification: {string.Join(", ", Demos)}", HelpName = "NAME" };
        var output = new Option<string?>("--out") { Description = "Output directory (trajectory.npy, final.npy, diagnostics.csv, summary.json, particles.png, energy.png)", HelpName = "DIR" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress line" };
        var command = new Command("flow", "Simulate a particle flow (gradient flows, attention dynamics, mean-field networks) from a run specification")
        {
            spec, demo, output, quiet,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(spec), parse.GetValue(demo), parse.GetValue(output), parse.GetValue(quiet), stdout, stderr, interactiveProgress, cancellationToken));
        return command;
    }

    /// <summary>Validates, runs and writes one flow; every outcome becomes an exit code here.</summary>
    internal static async Task<int> RunAsync(string? specPath, string? demo, string? outPath, bool quiet, TextWriter stdout, TextWriter stderr, bool interactiveProgress, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        FlowRunSpec run;
        OutputDirectory output;
        try
        {
            if ((specPath is null) == (demo is null))
            {
                throw new InvalidInputException("spec", "give exactly one of --spec RUN.json or --demo NAME");
            }

            if (outPath is null)
            {
                throw new InvalidInputException("out", "is required");
            }

            run = specPath is not null ? FlowRunSpec.Load(specPath) : FlowRunSpec.Parse(DemoText(demo!), Directory.GetCurrentDirectory());
            output = OutputDirectory.Validate(outPath);
        }
        catch (InvalidInputException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var progress = new ProgressReporter(stderr, interactiveProgress, quiet);
        try
        {
            var backend = new LocalFlowBackend(run.Model, run.Initial.Positions, run.Initial.Weights, run.Options, run.Shards);
            var trajectory = await FlowDriver.RunAsync(
                backend,
                run.Model,
                run.Options,
                row => progress.Progress(string.Create(CultureInfo.InvariantCulture, $"flow {run.ModelName}  step {row.Step,6}  time {row.Time,-10:G5}  energy {row.Energy,-12:G6}  {started.Elapsed.TotalSeconds,6:F1} s")),
                cancellationToken);
            progress.Finish();
            var facts = new FlowRunFacts(run.ModelName, FlowNames.Name(run.Options.Integrator), run.Shards, started.Elapsed.TotalSeconds, Numerics.Flows.Models.FlowModelCatalog.EnergyName(run.ModelName), run.Target);
            output.Commit(directory => FlowOutputWriter.Write(directory, trajectory, facts));
            var last = trajectory.Diagnostics[^1];
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{run.ModelName}: {trajectory.Steps} steps to t = {trajectory.FinalTime:G6}, final energy {last.Energy:G8} -> {output.FullPath}"));
            return ExitCodes.Success;
        }
        catch (InvalidInputException ex)
        {
            progress.Finish();
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress.Finish();
            await stderr.WriteLineAsync("cancelled: no output was written");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            progress.Finish();
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failure;
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
