using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Transport.Bench.Chaos;

/// <summary>
/// One client of the chaos run: a loop that runs one job at a time against the cluster through real <c>transport</c>
/// console processes, compares each completed job's outputs with the reference, and records the outcome. Half of its
/// jobs are attached (one console waits for its job and writes the outputs; its exit code and stderr say how the job
/// ended), half detached (<c>--detach</c> prints the job id, then <c>transport runs wait ID</c>, <c>runs fetch ID
/// --out DIR</c> and <c>runs release ID</c>, each its own process): see <see cref="ChaosCatalogue.Detached"/>. It
/// stops submitting when <c>stopSubmitting</c> fires (the run's duration is over) or after <c>--jobs-per-client</c>
/// jobs; the job in flight is always waited for.
/// </summary>
internal sealed partial class ChaosClient(int number, ChaosSetting setting, ChaosJournal journal)
{
    /// <summary>Runs jobs until told to stop; <paramref name="interrupt"/> (Ctrl+C) abandons the job in flight.</summary>
    public async Task RunAsync(CancellationToken stopSubmitting, CancellationToken interrupt)
    {
        for (var sequence = 0; setting.Options.JobsPerClient is not { } limit || sequence < limit; sequence++)
        {
            if (stopSubmitting.IsCancellationRequested || interrupt.IsCancellationRequested)
            {
                return;
            }

            var input = ChaosCatalogue.Pick(setting.Inputs, number, sequence);
            var detached = ChaosCatalogue.Detached(number, sequence);
            var job = await RunJobAsync(input, sequence, detached, interrupt);
            journal.Add(job);
            journal.Progress($"client {number}: {input.Name} {(detached ? "detached" : "attached")} {Describe(job)} ({(job.Ended - job.Started).TotalSeconds:F1} s)");
        }
    }

    private async Task<ChaosJob> RunJobAsync(ChaosInput input, int sequence, bool detached, CancellationToken interrupt)
    {
        var output = Path.Combine(setting.JobsDirectory, string.Create(CultureInfo.InvariantCulture, $"client{number}-{sequence}-{input.Name.Replace('#', '-')}"));
        var started = journal.Now;
        var deadline = started + setting.Options.JobTimeout;
        ChaosJob Job(ChaosOutcome outcome, string? detail, string? id = null, int? recoveries = null) =>
            new(number, sequence, input, detached, id, started, journal.Now, outcome, detail, recoveries);

        ConsoleRun run;
        string? id = null;
        if (detached)
        {
            var submitted = await RunConsoleAsync([.. input.Arguments, .. Cluster, "--label", ChaosJob.LabelOf(number, sequence), "--detach"], deadline, interrupt);
            if (submitted.Outcome is not null)
            {
                return Job(submitted.Outcome.Value, $"submission: {submitted.Detail}");
            }

            id = submitted.Stdout.Trim();
            var waited = await RunConsoleAsync(["runs", "wait", id, .. Cluster], deadline, interrupt);
            if (waited.Outcome is not null)
            {
                return Job(waited.Outcome.Value, $"runs wait: {waited.Detail}", id);
            }

            run = await RunConsoleAsync(["runs", "fetch", id, "--out", output, .. Cluster], deadline, interrupt);
            if (run.Outcome is not null)
            {
                return Job(run.Outcome.Value, $"runs fetch: {run.Detail}", id);
            }

            // Its results are not needed any more: free the job's grains now rather than at the end of its retention.
            var released = await RunConsoleAsync(["runs", "release", id, .. Cluster], deadline, interrupt);
            if (released.Outcome is not null)
            {
                return Job(released.Outcome.Value, $"runs release: {released.Detail}", id);
            }
        }
        else
        {
            run = await RunConsoleAsync([.. input.Arguments, .. Cluster, "--label", ChaosJob.LabelOf(number, sequence), "--out", output], deadline, interrupt);
            if (run.Outcome is not null)
            {
                return Job(run.Outcome.Value, run.Detail, id);
            }
        }

        IReadOnlyList<string> differences;
        int? recoveries;
        try
        {
            differences = OutputComparison.Differences(input.Reference, output, input.ResultFile);
            recoveries = Recoveries(Path.Combine(output, input.ResultFile));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            (differences, recoveries) = ([$"unreadable outputs: {ex.Message}"], null);
        }

        if (differences.Count > 0)
        {
            return Job(ChaosOutcome.Incorrect, $"{string.Join("; ", differences)} (outputs kept in {output})", id, recoveries);
        }

        // Correct outputs are not kept: a long run would fill the disk with copies of the reference.
        Directory.Delete(output, recursive: true);
        return Job(ChaosOutcome.Correct, null, id, recoveries);
    }

    private string[] Cluster => ["--cluster", setting.Cluster, "--cluster-id", setting.ClusterId];

    /// <summary>
    /// One console process to its end, or until <paramref name="deadline"/> (then killed: the job is lost) or Ctrl+C
    /// (interrupted). A run whose <see cref="ConsoleRun.Outcome"/> is null exited 0; otherwise it says how the job ended.
    /// </summary>
    private async Task<ConsoleRun> RunConsoleAsync(IReadOnlyList<string> arguments, TimeSpan deadline, CancellationToken interrupt)
    {
        var console = setting.Processes.Start(Dotnet.Host, [setting.ConsoleDll, .. arguments], setting.WorkDirectory);
        try
        {
            var left = deadline - journal.Now;
            var ended = left > TimeSpan.Zero && await console.WaitForExitAsync(left, interrupt);
            if (!ended)
            {
                return interrupt.IsCancellationRequested
                    ? new ConsoleRun(ChaosOutcome.Interrupted, null, string.Empty)
                    : new ConsoleRun(ChaosOutcome.Lost, $"no end within --job-timeout {setting.Options.JobTimeout.TotalSeconds:F0} s (console killed); stderr: {Last(console.Errors)}", string.Empty);
            }

            if (console.ExitCode == 0)
            {
                return new ConsoleRun(null, null, console.Output);
            }

            // Every failure the console reports is one line starting with "error:" (ExitCodes, CommandErrors).
            var reason = console.Errors.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal));
            return reason is not null
                ? new ConsoleRun(ChaosOutcome.Failed, string.Create(CultureInfo.InvariantCulture, $"exit {console.ExitCode}, {reason}"), console.Output)
                : new ConsoleRun(ChaosOutcome.Lost, string.Create(CultureInfo.InvariantCulture, $"exit {console.ExitCode} without an error: line; stderr: {Last(console.Errors)}"), console.Output);
        }
        finally
        {
            // Kills the console when it is still running (timeout, Ctrl+C); a finished one is only forgotten.
            setting.Processes.Release(console);
        }
    }

    /// <summary>A failure reason with job ids and numbers blanked, so that failures of one cause group together.</summary>
    public static string Cause(string reason) => Numbers().Replace(Ids().Replace(reason, "<id>"), "N");

    /// <summary>The <c>recoveries</c> a Sinkhorn <c>result.json</c> reports (resumptions after a lost silo); null for the other kinds.</summary>
    private static int? Recoveries(string resultFile)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(resultFile));
        return json.RootElement.TryGetProperty("recoveries", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
    }

    private static string Describe(ChaosJob job) => job.Outcome switch
    {
        ChaosOutcome.Correct => job.Recoveries is > 0 ? $"completed after {job.Recoveries} recoveries, equal to the reference" : "completed, equal to the reference",
        ChaosOutcome.Incorrect => $"completed, DIFFERENT from the reference: {job.Detail}",
        ChaosOutcome.Failed => $"failed: {job.Detail}",
        ChaosOutcome.Lost => $"LOST: {job.Detail}",
        _ => "interrupted",
    };

    private static string Last(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(empty)" : string.Join(" | ", lines.TakeLast(3));
    }

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex Ids();

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Numbers();

    /// <summary>How one console process ended: <see cref="Outcome"/> null when it exited 0, else the job's outcome and why.</summary>
    private sealed record ConsoleRun(ChaosOutcome? Outcome, string? Detail, string Stdout);
}
