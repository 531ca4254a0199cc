using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using Transport.Numerics;

namespace Transport.Client.Gallery;

/// <summary>
/// <c>transport gallery --out DIR [--quick] [--only NAME,...]</c>: runs every <see cref="GalleryEntries"/> entry through
/// this console (each on its own embedded silo, as a user would), and writes each run's outputs into <c>DIR/NAME</c>
/// and an <c>index.html</c> that shows their figures with captions and timings. A run that fails fails the gallery
/// (exit 1) and nothing is written.
/// </summary>
internal static class GalleryCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string?>("--out") { Description = "Output directory (index.html and a folder per run)", HelpName = "DIR" };
        var force = OutputOptions.Force();
        var quick = new Option<bool>("--quick") { Description = "Small runs (fewer points and steps): the gallery in seconds, for a test" };
        var only = new Option<string?>("--only") { Description = "Run only these entries (comma list of names)", HelpName = "NAME,..." };
        var command = new Command("gallery", "Reproduce the survey's families end to end: sampling with independent and OT couplings, Sinkhorn and MMD flows, attention clusters, mean-field networks, one density under two velocity fields; figures and an index.html")
        {
            output, force, quick, only,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(output), parse.GetValue(force), parse.GetValue(quick), parse.GetValue(only), stdout, stderr, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? outPath, bool force, bool quick, string? only, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        OutputDirectory output;
        List<GalleryEntry> entries;
        try
        {
            output = OutputDirectory.Validate(outPath ?? throw new InvalidInputException("out", "is required: the folder for index.html (--out DIR)"), force);
            entries = Select(GalleryEntries.All(quick), only);
        }
        catch (InvalidInputException ex)
        {
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }

        // The runs write beside the output folder (its parent passed the writability probe), so that their folders move
        // into the staging folder by a rename on the same file system.
        var work = Path.Combine(Path.GetDirectoryName(output.FullPath)!, $".{Path.GetFileName(output.FullPath)}.gallery-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var results = new List<GalleryResult>();
            for (var k = 0; k < entries.Count; k++)
            {
                var entry = entries[k];
                await stderr.WriteLineAsync($"gallery: [{k + 1}/{entries.Count}] {entry.Name}");
                var result = await RunEntryAsync(entry, work, cancellationToken);
                results.Add(result);
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"gallery: [{k + 1}/{entries.Count}] {entry.Name}: {(result.ExitCode == 0 ? "done" : $"failed (exit {result.ExitCode})")} in {result.Seconds:0.0} s"));
            }

            var failed = results.Where(r => r.ExitCode != 0).ToArray();
            if (failed.Length > 0)
            {
                foreach (var failure in failed)
                {
                    await stderr.WriteLineAsync($"error: gallery run '{failure.Entry.Name}' failed: {failure.Error}");
                }

                return ExitCodes.Failure;
            }

            output.Commit(directory =>
            {
                foreach (var result in results)
                {
                    Directory.Move(Path.Combine(work, result.Entry.Name), Path.Combine(directory, result.Entry.Name));
                }

                File.WriteAllText(Path.Combine(directory, "index.html"), GalleryIndex.Html(results, directory, quick, started.Elapsed.TotalSeconds), new UTF8Encoding(false));
            });
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"gallery: {results.Count} runs in {started.Elapsed.TotalSeconds:0.0} s -> {Path.Combine(output.FullPath, "index.html")}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder: leaving it is harmless.
            }
        }
    }

    /// <summary>Runs one entry into <paramref name="work"/>/NAME through this console.</summary>
    private static async Task<GalleryResult> RunEntryAsync(GalleryEntry entry, string work, CancellationToken cancellationToken)
    {
        var arguments = entry.Arguments.ToList();
        if (entry.Spec is { } spec)
        {
            var path = Path.Combine(work, $"{entry.Name}.json");
            await File.WriteAllTextAsync(path, spec, cancellationToken);
            arguments.Add(path);
        }

        arguments.AddRange(["--out", Path.Combine(work, entry.Name), "--quiet"]);
        using var errors = new StringWriter();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var code = await TransportCli.RunAsync([.. arguments], TextWriter.Null, errors, cancellationToken);
        var error = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? string.Empty;
        if (code == 0 && entry.Spec is not null)
        {
            // The specification beside its outputs, so that the run can be repeated or varied.
            File.Copy(Path.Combine(work, $"{entry.Name}.json"), Path.Combine(work, entry.Name, "spec.json"));
        }

        return new GalleryResult(entry, code, watch.Elapsed.TotalSeconds, error, string.Join(' ', entry.Arguments));
    }

    private static List<GalleryEntry> Select(IReadOnlyList<GalleryEntry> all, string? only)
    {
        if (only is null)
        {
            return [.. all];
        }

        var names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (all.All(e => e.Name != name))
            {
                throw new InvalidInputException("only", $"unknown entry '{name}' (expected some of {string.Join(", ", all.Select(e => e.Name))})");
            }
        }

        return [.. all.Where(e => names.Contains(e.Name))];
    }
}

/// <summary>How one gallery run went.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="ExitCode">The console's exit code.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="Error">The run's error line, if it failed.</param>
/// <param name="CommandLine">The command it ran (without its files).</param>
internal sealed record GalleryResult(GalleryEntry Entry, int ExitCode, double Seconds, string Error, string CommandLine);

/// <summary>The gallery's <c>index.html</c>: a section per run with its caption, timing, command and figures.</summary>
internal static class GalleryIndex
{
    /// <summary>The page for the runs in <paramref name="directory"/> (it links the figures they wrote).</summary>
    public static string Html(IReadOnlyList<GalleryResult> results, string directory, bool quick, double seconds)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Transport.Distributed gallery</title>");
        html.AppendLine("<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}img{max-width:100%;border:1px solid #ddd;margin:4px 0}code{background:#f4f4f4;padding:2px 4px}nav a{margin-right:1em}</style></head><body>");
        html.AppendLine("<h1>Transport.Distributed gallery</h1>");
        html.AppendLine(string.Create(CultureInfo.InvariantCulture, $"<p>{results.Count} runs{(quick ? " (quick sizes)" : string.Empty)} in {seconds:0.0} s on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Each folder holds the run's full outputs (arrays, JSON summaries, figures).</p>"));
        html.Append("<nav>");
        foreach (var result in results)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"#{result.Entry.Name}\">{Encode(result.Entry.Title)}</a>");
        }

        html.AppendLine("</nav>");
        foreach (var result in results)
        {
            var entry = result.Entry;
            html.AppendLine(CultureInfo.InvariantCulture, $"<h2 id=\"{entry.Name}\">{Encode(entry.Title)}</h2>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<p>{Encode(entry.Caption)}</p>");
            html.AppendLine(string.Create(CultureInfo.InvariantCulture, $"<p><code>transport {Encode(result.CommandLine)}{(entry.Spec is null ? string.Empty : $" {entry.Name}/spec.json")}</code> &mdash; {result.Seconds:0.0} s &mdash; <a href=\"{entry.Name}/\">outputs</a></p>"));
            foreach (var figure in Figures(entry.Name).Where(f => File.Exists(Path.Combine(directory, entry.Name, f))))
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<img src=\"{entry.Name}/{figure}\" alt=\"{Encode(entry.Title)}: {figure}\">");
            }
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>The figures a run writes, most telling first.</summary>
    private static IEnumerable<string> Figures(string name) => name switch
    {
        "sampling-independent" or "sampling-ot" => ["samples.png", "nfe.png"],
        "attention-circle" or "attention-sphere" => ["clusters.png", "particles.png", "energy.png"],
        "same-density" or "same-density-rotated" => ["density.png", "particles.png"],
        _ => ["particles.png", "energy.png"],
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
