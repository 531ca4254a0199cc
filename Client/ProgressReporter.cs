using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Client;

/// <summary>
/// The live progress line on stderr: redrawn in place with <c>\r</c> on a terminal (at most five times a
/// second), otherwise written as plain lines at most once a second and only when something changed.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan InteractivePeriod = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PlainPeriod = TimeSpan.FromSeconds(1);
    private readonly TextWriter writer;
    private readonly bool interactive;
    private readonly bool quiet;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? lastWrite;
    private string? lastLine;
    private int drawnLength;

    /// <summary>Creates a reporter writing to <paramref name="writer"/>.</summary>
    public ProgressReporter(TextWriter writer, bool interactive, bool quiet)
    {
        this.writer = writer;
        this.interactive = interactive;
        this.quiet = quiet;
    }

    /// <summary>A phase before the iterations (starting the silo, uploading).</summary>
    public void Phase(string text) => Show(text, force: true);

    /// <summary>Shows a status read from the coordinator.</summary>
    public void Report(JobStatus<SinkhornJobProgress> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var progress = status.Progress;
        var line = status.State == JobState.Created
            ? "sinkhorn: waiting for the job to start"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"sinkhorn {progress.Problem,-11} iteration {progress.Iteration,6}  epsilon {progress.Epsilon,-10:G4}  marginal error {progress.MarginalError,-10:G4}  {clock.Elapsed.TotalSeconds,6:F1} s");
        Show(line, force: false);
    }

    /// <summary>Shows a progress line of any job (throttled like <see cref="Report"/>).</summary>
    public void Progress(string line) => Show(line, force: false);

    /// <summary>Ends the in-place line so that later messages start on a fresh line.</summary>
    public void Finish()
    {
        if (quiet || !interactive || drawnLength == 0)
        {
            return;
        }

        writer.WriteLine();
        writer.Flush();
        drawnLength = 0;
    }

    private void Show(string line, bool force)
    {
        if (quiet)
        {
            return;
        }

        var now = clock.Elapsed;
        var period = interactive ? InteractivePeriod : PlainPeriod;
        if (!force && lastWrite is { } last && (line == lastLine || now - last < period))
        {
            return;
        }

        lastWrite = now;
        lastLine = line;
        if (interactive)
        {
            var padding = drawnLength > line.Length ? new string(' ', drawnLength - line.Length) : string.Empty;
            writer.Write('\r' + line + padding);
            drawnLength = line.Length;
        }
        else
        {
            writer.WriteLine(line);
        }

        writer.Flush();
    }
}
