using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Client;

/// <summary>
/// The live progress on stderr. On a terminal: one line redrawn in place with <c>\r</c> (at most five times a second)
/// showing where the job is, its target (epsilon and tolerance, or the step count) and an estimate of the time left.
/// Otherwise (a log file, a pipe): a plain line only when something changed materially (each progress update names
/// what is material: the problem and the half-decade of the marginal error, the tenth of the flow's time span), never
/// a line per second that differs only in its clock.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan InteractivePeriod = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter writer;
    private readonly bool interactive;
    private readonly bool quiet;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly SinkhornRate rate = new();
    private TimeSpan? lastWrite;
    private string? lastKey;
    private int drawnLength;

    /// <summary>Creates a reporter writing to <paramref name="writer"/>.</summary>
    public ProgressReporter(TextWriter writer, bool interactive, bool quiet)
    {
        this.writer = writer;
        this.interactive = interactive;
        this.quiet = quiet;
    }

    /// <summary>The Sinkhorn target shown next to the progress: the final epsilon and the tolerance (NaN: unknown).</summary>
    public (double Epsilon, double Tolerance) SinkhornTarget { get; set; } = (double.NaN, double.NaN);

    /// <summary>A phase (starting the silo, uploading, computing a reference): always shown.</summary>
    public void Phase(string text) => Show(text, key: null);

    /// <summary>Shows a Sinkhorn job's status.</summary>
    public void Report(JobStatus<SinkhornJobProgress> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var progress = status.Progress;
        if (status.State == JobState.Created)
        {
            Show("sinkhorn: waiting for the job to start", key: "created");
            return;
        }

        if (!double.IsFinite(progress.Epsilon))
        {
            // Running, before its first iteration: there is no eps or error to show yet (the initial progress,
            // SinkhornJobProgress.None, holds NaN; every iteration's eps is finite).
            Show("sinkhorn: solving", key: "started");
            return;
        }

        var (targetEpsilon, tolerance) = SinkhornTarget;
        var left = rate.SecondsLeft(progress, targetEpsilon, tolerance, clock.Elapsed.TotalSeconds);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"sinkhorn {progress.Problem,-11} iteration {progress.Iteration,6}  epsilon {progress.Epsilon,-10:G4}{Target(targetEpsilon, " -> ")}  marginal error {progress.MarginalError,-10:G4}{Target(tolerance, " -> ")}  {clock.Elapsed.TotalSeconds,6:F1} s{Left(left)}");

        // Material: another problem, another epsilon, the error's half-decade.
        var halfDecade = progress.MarginalError > 0 && double.IsFinite(progress.MarginalError) ? Math.Floor(2 * Math.Log10(progress.MarginalError)) : double.NaN;
        Show(line, key: string.Create(CultureInfo.InvariantCulture, $"{status.State}|{progress.Problem}|{progress.Epsilon:G6}|{halfDecade}"));
    }

    /// <summary>
    /// Shows a progress line of any job: on a terminal the whole <paramref name="line"/> (throttled); otherwise a line only
    /// when <paramref name="materialKey"/> differs from the last one written.
    /// </summary>
    public void Progress(string line, string materialKey) => Show(line, materialKey);

    /// <summary>The time left of a run that has covered <paramref name="fraction"/> of its work in <paramref name="elapsedSeconds"/>, as " ~T left" (empty when unknown).</summary>
    public static string Left(double fraction, double elapsedSeconds) =>
        fraction is > 0.01 and < 1 && elapsedSeconds > 1 ? Left(elapsedSeconds * (1 - fraction) / fraction) : string.Empty;

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

    private static string Target(double value, string arrow) => double.IsFinite(value) ? string.Create(CultureInfo.InvariantCulture, $"{arrow}{value:G3}") : string.Empty;

    private static string Left(double? seconds) => seconds switch
    {
        null => string.Empty,
        < 90 => string.Create(CultureInfo.InvariantCulture, $"  ~{seconds:F0} s left"),
        < 5400 => string.Create(CultureInfo.InvariantCulture, $"  ~{seconds / 60:F0} min left"),
        _ => string.Create(CultureInfo.InvariantCulture, $"  ~{seconds / 3600:F1} h left"),
    };

    /// <summary>Writes <paramref name="line"/>; a null <paramref name="key"/> always shows (a phase).</summary>
    private void Show(string line, string? key)
    {
        if (quiet)
        {
            return;
        }

        var now = clock.Elapsed;
        if (interactive)
        {
            if (key is not null && lastWrite is { } last && now - last < InteractivePeriod)
            {
                return;
            }

            var padding = drawnLength > line.Length ? new string(' ', drawnLength - line.Length) : string.Empty;
            writer.Write('\r' + line + padding);
            drawnLength = line.Length;
        }
        else
        {
            if (key is not null && key == lastKey)
            {
                return;
            }

            writer.WriteLine(line);
        }

        lastWrite = now;
        lastKey = key;
        writer.Flush();
    }

    /// <summary>
    /// The time left of a Sinkhorn problem at its target epsilon: the contraction rate of the marginal error over the
    /// reports since the epsilon reached the target, and the seconds per iteration, give the iterations and the time
    /// until the error meets the tolerance (unknown while annealing or before two reports at the target).
    /// </summary>
    private sealed class SinkhornRate
    {
        private string? problem;
        private (int Iteration, double Error, double Seconds)? first;

        public double? SecondsLeft(SinkhornJobProgress progress, double targetEpsilon, double tolerance, double seconds)
        {
            if (progress.Problem != problem || !(Math.Abs(progress.Epsilon - targetEpsilon) <= 1e-12 * targetEpsilon))
            {
                problem = progress.Problem;
                first = null;
                return null;
            }

            if (!(progress.MarginalError > 0) || !double.IsFinite(progress.MarginalError))
            {
                return null;
            }

            if (first is not { } start)
            {
                first = (progress.Iteration, progress.MarginalError, seconds);
                return null;
            }

            var iterations = progress.Iteration - start.Iteration;
            if (iterations < 2 || !(progress.MarginalError < start.Error))
            {
                return null;
            }

            var perIteration = Math.Log(progress.MarginalError / start.Error) / iterations;
            var needed = Math.Log(tolerance / progress.MarginalError) / perIteration;
            var secondsPerIteration = (seconds - start.Seconds) / iterations;
            return needed > 0 && double.IsFinite(needed) ? needed * secondsPerIteration : 0;
        }
    }
}
