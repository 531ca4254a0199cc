namespace Transport.Bench.Chaos;

/// <summary>
/// Every <c>--kill-every</c> seconds: <c>kill -9</c> of a random running silo (through its recorded process), then at
/// once a replacement with the same settings (fresh ports), so the cluster keeps its size; then it watches the Redis
/// membership until the replacement is active and the victim has been declared dead (the membership lists exactly
/// the running silos as active, what <c>transport cluster status</c> would show), and records both times. A kill is
/// never sent before the previous one has healed: the run measures recoveries from one loss at a time.
/// </summary>
internal sealed class SiloKiller(LoopbackCluster cluster, ChaosOptions options, ChaosJournal journal)
{
    private static readonly TimeSpan HealTimeout = TimeSpan.FromMinutes(3);
    private readonly Random random = new(options.Seed);

    /// <summary>Kills until <paramref name="stop"/> fires (the clients are done); <paramref name="interrupt"/> (Ctrl+C) ends it at once.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken interrupt)
    {
        if (options.KillEvery == TimeSpan.Zero)
        {
            return;
        }

        using var both = CancellationTokenSource.CreateLinkedTokenSource(stop, interrupt);
        var next = journal.Now + options.KillEvery;
        while (true)
        {
            try
            {
                await Task.Delay(Max(next - journal.Now, TimeSpan.Zero), both.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await KillOneAsync(interrupt);
            next += options.KillEvery;
        }
    }

    private async Task KillOneAsync(CancellationToken interrupt)
    {
        var live = cluster.Live;
        var victim = live[random.Next(live.Count)];
        var at = journal.Now;
        victim.Process.Kill();
        journal.Progress($"kill -9 silo {victim.Number} (pid {victim.Process.Pid}, gateway {victim.Gateway}); starting a replacement");

        ChaosSilo? replacement = null;
        TimeSpan? active = null, healed = null;
        try
        {
            replacement = await cluster.StartSiloAsync(interrupt);
            active = journal.Now - at;
            var deadline = journal.Now + HealTimeout;
            while (!await cluster.HealedAsync())
            {
                if (journal.Now > deadline)
                {
                    break;
                }

                await Task.Delay(200, interrupt);
            }

            healed = await cluster.HealedAsync() ? journal.Now - at : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A replacement that does not start is part of the result, not a reason to stop the run.
            journal.Progress($"replacement of silo {victim.Number} failed: {ex.Message}");
        }

        journal.Add(new ChaosKill(at, victim.Number, victim.Process.Pid, replacement?.Number ?? 0, active, healed));
        journal.Progress($"silo {victim.Number} replaced by silo {replacement?.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}: active after {Seconds(active)}, membership healed after {Seconds(healed)}");
    }

    private static string Seconds(TimeSpan? time) => time is { } t ? $"{t.TotalSeconds:F1} s" : "never";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
