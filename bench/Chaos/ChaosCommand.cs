using System.Runtime.InteropServices;

namespace Transport.Bench.Chaos;

/// <summary>
/// <c>bench chaos</c>: a load and fault driver. It writes the inputs, runs each once on an embedded silo (the
/// references), starts a loopback cluster (Redis and <c>--silos</c> silo processes), then runs <c>--clients</c>
/// client loops, each running one job after another through real <c>transport</c> console processes (Sinkhorn
/// divergences, flows, sampling studies; attached, or detached and collected with <c>transport runs wait</c> /
/// <c>fetch</c> / <c>release</c>), while a random silo is killed with SIGKILL every <c>--kill-every</c> seconds and
/// replaced. Every completed job is compared with its reference; the table (see <see cref="ChaosReport"/>) goes to
/// stdout, progress to stderr. Exit code 0 only when no job was lost and every completed job was correct (failures
/// with a reason are reported with their reasons, not fatal); 130 after Ctrl+C, 143 after SIGTERM. Every process it started is killed by its pid at the end, also after Ctrl+C
/// or a failure.
/// </summary>
internal static class ChaosCommand
{
    public const string Usage = ChaosOptions.Usage;

    public static async Task<int> RunAsync(ChaosOptions options)
    {
        using var interrupt = new CancellationTokenSource();
        var exitOnSignal = 0;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => exitOnSignal = Interrupt(context, interrupt, 130));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => exitOnSignal = Interrupt(context, interrupt, 143));
        var work = Path.GetFullPath(options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"transport-chaos-{Guid.NewGuid():N}"[..23]));
        Directory.CreateDirectory(work);
        var journal = new ChaosJournal();
        journal.Progress($"work folder {work}");
        var elapsed = TimeSpan.Zero;
        using (var processes = new ProcessSet())
        {
            LoopbackCluster? cluster = null;
            try
            {
                var console = Dotnet.ConsoleDll();
                var inputs = ChaosCatalogue.Write(Path.Combine(work, "inputs"), options);
                await ChaosReferences.ComputeAsync(processes, console, inputs, work, journal, interrupt.Token);
                var clusterDirectory = Path.Combine(work, "cluster");
                Directory.CreateDirectory(clusterDirectory);
                cluster = await LoopbackCluster.StartAsync(processes, Dotnet.SiloDll(console), clusterDirectory, options.Silos, interrupt.Token);
                journal.Progress($"{options.Silos} silos active over {cluster.Url} (cluster id {cluster.ClusterId}; logs in {clusterDirectory})");
                var setting = new ChaosSetting(options, inputs, processes, console, cluster.Url, cluster.ClusterId, work);
                Directory.CreateDirectory(setting.JobsDirectory);
                elapsed = await RunClientsAsync(setting, cluster, journal, interrupt.Token);
            }
            catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
            {
                journal.Progress("interrupted: stopping every process this run started");
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
            {
                journal.Progress($"error: {ex.Message}");
                return 1;
            }
            finally
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync();
                }
            }
        }

        var jobs = journal.Jobs.Select(j => j with { Progress = journal.ProgressChanges(j.Label) }).ToList();
        Console.Out.Write(ChaosReport.Render(jobs, journal.Kills, options, elapsed));
        var accounted = jobs.All(j => j.Outcome is not (ChaosOutcome.Lost or ChaosOutcome.Incorrect));
        if (accounted && !options.Keep && options.WorkDirectory is null && !interrupt.IsCancellationRequested)
        {
            Directory.Delete(work, recursive: true);
        }
        else
        {
            Console.Error.WriteLine($"inputs, references, silo logs and the outputs of jobs that differ are in {work}");
        }

        return interrupt.IsCancellationRequested ? exitOnSignal : accounted ? 0 : 1;
    }

    /// <summary>The clients and the killer, until the clients are done; returns how long that took.</summary>
    private static async Task<TimeSpan> RunClientsAsync(ChaosSetting setting, LoopbackCluster cluster, ChaosJournal journal, CancellationToken interrupt)
    {
        var options = setting.Options;
        var started = journal.Now;
        using var stopSubmitting = new CancellationTokenSource(options.Duration);
        using var clientsDone = new CancellationTokenSource();

        // Kills stop with the submissions: the jobs still running then end without a kill landing on them.
        using var stopKilling = CancellationTokenSource.CreateLinkedTokenSource(stopSubmitting.Token, clientsDone.Token);
        await using var watcher = await ProgressWatcher.StartAsync(cluster, journal, interrupt);
        var clients = Enumerable.Range(1, options.Clients).Select(c => new ChaosClient(c, setting, journal).RunAsync(stopSubmitting.Token, interrupt)).ToList();
        var killer = new SiloKiller(cluster, options, journal).RunAsync(stopKilling.Token, interrupt);
        await Task.WhenAll(clients);
        journal.ProgressChanges = watcher.Changes;
        await clientsDone.CancelAsync();
        try
        {
            await killer;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            // Ctrl+C during a replacement: the table still covers what ran.
        }

        return journal.Now - started;
    }

    // The first signal stops the run cleanly (every process killed, the table printed) and sets the exit code the
    // console uses for it (130 SIGINT, 143 SIGTERM); a second one ends the process at once.
    private static int Interrupt(PosixSignalContext context, CancellationTokenSource interrupt, int exitCode)
    {
        if (!interrupt.IsCancellationRequested)
        {
            context.Cancel = true;
            interrupt.Cancel();
        }

        return exitCode;
    }
}
