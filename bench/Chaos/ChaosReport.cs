using System.Globalization;
using System.Text;

namespace Transport.Bench.Chaos;

/// <summary>
/// The chaos run's table, per job kind and in total (bench/README.md, "chaos", defines every column):
/// <list type="bullet">
/// <item>started (of them detached); completed: every console exited 0; correct: completed with outputs equal to the
/// reference's; failed: a console exited non-zero with an <c>error:</c> line (the reasons are listed below the table);
/// lost: no end within <c>--job-timeout</c>, or a non-zero exit without a reason (must be 0);</item>
/// <item>hit: jobs running at the instant of a kill; resumed: completed jobs whose result reports at least one
/// recovery from a checkpoint (Sinkhorn only: the other kinds report none);</item>
/// <item>kills during: kills sent while a job of the row was running; survived: those of them after which every job
/// of the row running at the kill completed correct;</item>
/// <item>job s p50: wall time of the jobs no kill hit (first console start to last console end);</item>
/// <item>recovery s p50 / p95: for each job that completed correct and each kill that landed while the job was in the
/// cluster, the time from the kill until the job's progress next changed (as the driver's <see cref="ProgressWatcher"/>
/// saw it, every 0.5 s); n is the number of such (job, kill) pairs.</item>
/// </list>
/// Below the table: the time from each kill until the membership healed (the victim declared dead and the replacement
/// active), and the failure causes per kind.
/// </summary>
internal static class ChaosReport
{
    public static string Render(IReadOnlyList<ChaosJob> jobs, IReadOnlyList<ChaosKill> kills, ChaosOptions options, TimeSpan elapsed)
    {
        var table = new TablePrinter("kind", "started", "detached", "completed", "correct", "failed", "lost", "hit", "resumed", "kills during", "survived", "job s p50", "recovery s p50", "p95", "n");
        foreach (var kind in Enum.GetValues<ChaosKind>())
        {
            table.Add(Row(ChaosInput.KindName(kind), [.. jobs.Where(j => j.Input.Kind == kind)], kills));
        }

        table.Add(Row("all", jobs, kills));
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Chaos run: {options.Silos} silos, {options.Clients} client loops, {(options.KillEvery == TimeSpan.Zero ? "no kills" : $"a silo killed every {options.KillEvery.TotalSeconds:F0} s")}, submissions for {options.Duration.TotalMinutes:F1} minutes, {elapsed.TotalMinutes:F1} minutes in all, {kills.Count} kills"));
        text.Append(table.Render());

        var healed = kills.Where(k => k.Healed is not null).Select(k => k.Healed!.Value.TotalSeconds).ToList();
        var active = kills.Where(k => k.ReplacementActive is not null).Select(k => k.ReplacementActive!.Value.TotalSeconds).ToList();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"cluster healed after a kill (membership lists exactly the running silos as active): p50 {Percentile(healed, 0.5)} s, p95 {Percentile(healed, 0.95)} s over {healed.Count} of {kills.Count} kills; replacement active: p50 {Percentile(active, 0.5)} s, p95 {Percentile(active, 0.95)} s"));

        var interrupted = jobs.Count(j => j.Outcome == ChaosOutcome.Interrupted);
        if (interrupted > 0)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"interrupted (still running at Ctrl+C or SIGTERM, counted as started only): {interrupted}"));
        }

        foreach (var group in jobs.Where(j => j.Outcome is ChaosOutcome.Failed or ChaosOutcome.Lost or ChaosOutcome.Incorrect)
                     .GroupBy(j => (j.Input.Kind, j.Outcome, Cause: ChaosClient.Cause(j.Detail ?? string.Empty)))
                     .OrderBy(g => g.Key.Kind).ThenByDescending(g => g.Count()))
        {
            var hit = group.Count(j => Hit(j, kills));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{ChaosInput.KindName(group.Key.Kind)} {group.Key.Outcome.ToString().ToLowerInvariant()} x{group.Count()} ({hit} hit by a kill): {group.First().Detail}"));
        }

        return text.ToString();
    }

    /// <summary>Whether a kill was sent while <paramref name="job"/> ran.</summary>
    public static bool Hit(ChaosJob job, IReadOnlyList<ChaosKill> kills) => kills.Any(k => job.RunningAt(k.At));

    private static string[] Row(string name, IReadOnlyList<ChaosJob> jobs, IReadOnlyList<ChaosKill> kills)
    {
        var completed = jobs.Count(j => j.Outcome is ChaosOutcome.Correct or ChaosOutcome.Incorrect);

        // Jobs cut short by Ctrl+C have no outcome: they neither make a kill count nor spoil its survival.
        var ended = jobs.Where(j => j.Outcome != ChaosOutcome.Interrupted).ToList();
        var hit = ended.Where(j => Hit(j, kills)).ToList();
        var during = kills.Where(k => ended.Any(j => j.RunningAt(k.At))).ToList();
        var survived = during.Count(k => ended.Where(j => j.RunningAt(k.At)).All(j => j.Outcome == ChaosOutcome.Correct));
        var undisturbed = ended.Where(j => !Hit(j, kills)).Select(j => j.Duration.TotalSeconds).ToList();
        var delays = hit.Where(j => j.Outcome == ChaosOutcome.Correct).SelectMany(j => Recoveries(j, kills)).ToList();
        var reporting = jobs.Where(j => j.Recoveries is not null).ToList();
        return
        [
            name,
            Count(jobs.Count),
            Count(jobs.Count(j => j.Detached)),
            Count(completed),
            Count(jobs.Count(j => j.Outcome == ChaosOutcome.Correct)),
            Count(jobs.Count(j => j.Outcome == ChaosOutcome.Failed)),
            Count(jobs.Count(j => j.Outcome == ChaosOutcome.Lost)),
            Count(hit.Count),
            reporting.Count == 0 ? "-" : Count(reporting.Count(j => j.Recoveries > 0)),
            Count(during.Count),
            Count(survived),
            Percentile(undisturbed, 0.5),
            Percentile(delays, 0.5),
            Percentile(delays, 0.95),
            Count(delays.Count),
        ];
    }

    /// <summary>
    /// For each kill that landed while <paramref name="job"/> was in the cluster (after the progress watcher first saw
    /// it, before its last recorded change), the seconds from the kill until its progress next changed.
    /// </summary>
    private static IEnumerable<double> Recoveries(ChaosJob job, IReadOnlyList<ChaosKill> kills)
    {
        var changes = job.Progress;
        if (changes.Count < 2)
        {
            return [];
        }

        return kills.Where(k => changes[0] < k.At && k.At < changes[^1])
            .Select(k => (changes.First(t => t > k.At) - k.At).TotalSeconds);
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Nearest-rank percentile, one decimal; <c>-</c> when there are no values.</summary>
    private static string Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return "-";
        }

        values.Sort();
        var rank = (int)Math.Ceiling(p * values.Count);
        return values[Math.Clamp(rank - 1, 0, values.Count - 1)].ToString("F1", CultureInfo.InvariantCulture);
    }
}
