using System.Diagnostics;
using System.Globalization;

namespace Transport.Bench.Chaos;

/// <summary>How one job ended, as the driver classifies the console's exit.</summary>
internal enum ChaosOutcome
{
    /// <summary>Exit 0 and outputs equal to the reference's.</summary>
    Correct,

    /// <summary>Exit 0 but outputs missing or different from the reference's.</summary>
    Incorrect,

    /// <summary>A non-zero exit with an <c>error:</c> line on stderr: failed, and said why.</summary>
    Failed,

    /// <summary>Neither: no exit within <c>--job-timeout</c>, or a non-zero exit without an <c>error:</c> line.</summary>
    Lost,

    /// <summary>Still running when the driver was interrupted (Ctrl+C, SIGTERM): counted as started only.</summary>
    Interrupted,
}

/// <summary>One job a client ran: what, how, when (time since the run started), how it ended, and why.</summary>
/// <param name="Client">The client loop (1, 2, ...).</param>
/// <param name="Sequence">The client's job number (0, 1, ...).</param>
/// <param name="Input">What it ran.</param>
/// <param name="Detached">Submitted with <c>--detach</c> and collected with <c>runs wait</c> / <c>fetch</c> / <c>release</c>.</param>
/// <param name="Id">The job id (detached jobs; an attached console does not print it).</param>
/// <param name="Started">When its first console process started.</param>
/// <param name="Ended">When its last console process ended (and its outputs were compared).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">Why it failed, was lost or differs (null when correct).</param>
/// <param name="Recoveries">
/// The times the job resumed from a checkpoint after losing grains with a silo, as its <c>result.json</c> reports it
/// (Sinkhorn jobs that completed; null otherwise).
/// </param>
internal sealed record ChaosJob(int Client, int Sequence, ChaosInput Input, bool Detached, string? Id, TimeSpan Started, TimeSpan Ended, ChaosOutcome Outcome, string? Detail, int? Recoveries)
{
    /// <summary>The times its progress changed in the cluster (filled in for the report from the <see cref="ProgressWatcher"/>).</summary>
    public IReadOnlyList<TimeSpan> Progress { get; init; } = [];

    /// <summary>The <c>--label</c> its submission gives it, unique in the run (the progress watcher knows jobs by it).</summary>
    public string Label => LabelOf(Client, Sequence);

    /// <summary>Wall time from its first console's start to its last console's end.</summary>
    public TimeSpan Duration => Ended - Started;

    /// <summary>The label of client <paramref name="client"/>'s job number <paramref name="sequence"/>.</summary>
    public static string LabelOf(int client, int sequence) => FormattableString.Invariant($"chaos-c{client}-{sequence}");

    /// <summary>Whether the job was running at <paramref name="time"/>.</summary>
    public bool RunningAt(TimeSpan time) => Started <= time && time < Ended;
}

/// <summary>
/// One silo kill: when the SIGKILL was sent, the victim, its replacement, and when the replacement became an active
/// member and the membership listed exactly the running silos as active (null when that never happened).
/// </summary>
internal sealed record ChaosKill(TimeSpan At, int Victim, int VictimPid, int Replacement, TimeSpan? ReplacementActive, TimeSpan? Healed);

/// <summary>What happened during a chaos run, recorded from the client loops and the killer, and the run's clock.</summary>
internal sealed class ChaosJournal
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<ChaosJob> jobs = [];
    private readonly List<ChaosKill> kills = [];

    /// <summary>The times each job's progress changed, by label (see <see cref="ProgressWatcher"/>); none until the watcher is set.</summary>
    public Func<string, IReadOnlyList<TimeSpan>> ProgressChanges { get; set; } = _ => [];

    /// <summary>Time since the run started.</summary>
    public TimeSpan Now => clock.Elapsed;

    public IReadOnlyList<ChaosJob> Jobs
    {
        get
        {
            lock (jobs)
            {
                return [.. jobs];
            }
        }
    }

    public IReadOnlyList<ChaosKill> Kills
    {
        get
        {
            lock (kills)
            {
                return [.. kills];
            }
        }
    }

    public void Add(ChaosJob job)
    {
        lock (jobs)
        {
            jobs.Add(job);
        }
    }

    public void Add(ChaosKill kill)
    {
        lock (kills)
        {
            kills.Add(kill);
        }
    }

    /// <summary>A progress line on stderr, stamped with the run's clock.</summary>
    public void Progress(string line) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Now.TotalSeconds,7:F1} s] {line}"));
}
