using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Transport.Client.Sampling;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Client.Flows;
using Transport.Numerics.Flows;

namespace Transport.Client.Runs;

/// <summary>
/// <c>transport runs list | show ID | wait ID | cancel ID | resume ID | fetch ID --out DIR | release ID</c>: the jobs a cluster keeps
/// (its registry), from any client process. <c>wait</c> only watches (Ctrl+C stops watching, not the job) and exits with
/// the job's outcome (0 completed, 2 failed on its input, 1 failed or cancelled); <c>fetch</c> writes the files an
/// attached run writes (Sinkhorn and flow runs); <c>release</c> frees the job's shards.
/// </summary>
internal static class RunsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The <c>runs</c> command with its subcommands.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr, bool interactiveProgress)
    {
        var cluster = new Option<string>("--cluster") { Description = "The running cluster: redis://HOST:PORT (gateways from membership) or HOST:PORT[,HOST:PORT...]", HelpName = "CLUSTER", Required = true };
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id of the --cluster", DefaultValueFactory = _ => "transport" };
        var serviceId = new Option<string>("--service-id") { Description = "Orleans service id of the --cluster", DefaultValueFactory = _ => "transport-distributed" };
        var json = new Option<bool>("--json") { Description = "Print the list as JSON" };
        var output = new Option<string>("--out") { Description = "Output directory (the files of an attached run)", HelpName = "DIR", Required = true };
        var force = OutputOptions.Force();
        var quiet = new Option<bool>("--quiet") { Description = "No progress line" };
        var verbose = new Option<bool>("--verbose") { Description = "Orleans logs on stderr" };

        var runs = new Command("runs", "The jobs a cluster keeps: list, show, wait for, cancel, resume, fetch and release them");
        var list = new Command("list", "Every job the cluster lists: id, kind, state, label, created, summary") { cluster, clusterId, serviceId, json, verbose };
        list.SetAction((parse, token) => WithClusterAsync(parse, cluster, clusterId, serviceId, verbose, stderr, check: null, grains => ListAsync(grains, parse.GetValue(json), stdout), token));
        runs.Add(list);

        runs.Add(WithId("show", "The job's record and its current status, as JSON", (grains, id, parse, token) => ShowAsync(grains, id, stdout)));
        runs.Add(WithId("wait", "Watch the job until it ends; the exit code is its outcome", (grains, id, parse, token) => WaitAsync(grains, id, new ProgressReporter(stderr, interactiveProgress, parse.GetValue(quiet)), stdout, token), extra: [quiet]));
        runs.Add(WithId("cancel", "Cancel the job", async (grains, id, parse, token) =>
        {
            await ForKind(grains, await RecordAsync(grains, id), s => s.CancelAsync(), f => f.CancelAsync(), m => m.CancelAsync(), st => st.CancelAsync());
            await stdout.WriteLineAsync($"cancel requested: {id}");
            return ExitCodes.Success;
        }));
        runs.Add(WithId("resume", "Continue a failed job from its last checkpoint (one whose silos were lost more often than it could recover)", async (grains, id, parse, token) =>
        {
            await ForKind(grains, await RecordAsync(grains, id), s => s.ResumeAsync(), f => f.ResumeAsync(), m => m.ResumeAsync(), st => st.ResumeAsync());
            await stdout.WriteLineAsync($"resumed: {id}");
            return ExitCodes.Success;
        }));
        runs.Add(WithId("release", "Free the job: its shards, its results, its listing", async (grains, id, parse, token) =>
        {
            await JobGrains.ReleaseAsync(grains, await RecordAsync(grains, id));
            await stdout.WriteLineAsync($"released: {id}");
            return ExitCodes.Success;
        }));

        // The output folder is checked (writable, empty or --force) before connecting: a usage error needs no cluster.
        OutputDirectory? fetchOutput = null;
        runs.Add(WithId(
            "fetch",
            "Write the outputs of a completed Sinkhorn, flow or sample job (the files an attached run writes)",
            (grains, id, parse, token) => FetchAsync(grains, id, fetchOutput!, parse.GetValue(cluster)!, stdout),
            check: parse => fetchOutput = OutputDirectory.Validate(parse.GetValue(output)!, parse.GetValue(force)),
            extra: [output, force]));
        return runs;

        Command WithId(string name, string description, Func<IGrainFactory, string, ParseResult, CancellationToken, Task<int>> action, Action<ParseResult>? check = null, Option[]? extra = null)
        {
            var id = new Argument<string>("ID") { Description = "The job id (from 'runs list' or a --detach submission)" };
            var command = new Command(name, description) { id, cluster, clusterId, serviceId, verbose };
            foreach (var option in extra ?? [])
            {
                command.Add(option);
            }

            command.SetAction((parse, token) => WithClusterAsync(parse, cluster, clusterId, serviceId, verbose, stderr, check, grains => action(grains, parse.GetValue(id)!, parse, token), token));
            return command;
        }
    }

    /// <summary>Runs <paramref name="check"/> (usage checks that need no cluster), connects, then runs <paramref name="action"/>; every failure becomes an exit code.</summary>
    private static async Task<int> WithClusterAsync(ParseResult parse, Option<string> cluster, Option<string> clusterId, Option<string> serviceId, Option<bool> verbose, TextWriter stderr, Action<ParseResult>? check, Func<IGrainFactory, Task<int>> action, CancellationToken token)
    {
        try
        {
            check?.Invoke(parse);
            var endpoint = ClusterEndpoint.Parse(parse.GetValue(cluster)!, parse.GetValue(clusterId) ?? "transport", parse.GetValue(serviceId) ?? "transport-distributed");
            await using var connection = await ClusterConnection.OpenAsync(endpoint, parse.GetValue(verbose), token);
            return await action(connection.GrainFactory);
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, token, "cancelled: stopped watching (the job goes on)");
        }
    }

    private static async Task<int> ListAsync(IGrainFactory grains, bool json, TextWriter stdout)
    {
        var jobs = await Registry(grains).ListAsync();
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(jobs.Select(Describe), Json));
            return ExitCodes.Success;
        }

        await stdout.WriteLineAsync($"{"ID",-42} {"KIND",-9} {"STATE",-10} {"CREATED (UTC)",-20} {"LABEL",-16} SUMMARY");
        foreach (var job in jobs)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{job.Id,-42} {job.Kind,-9} {job.State,-10} {job.Created.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss} {job.Label ?? "-",-16} {job.Summary}"));
        }

        return ExitCodes.Success;
    }

    private static async Task<int> ShowAsync(IGrainFactory grains, string id, TextWriter stdout)
    {
        var record = await RecordAsync(grains, id);
        var progress = await ForKind(
            grains,
            record,
            ProgressOfAsync,
            ProgressOfAsync,
            ProgressOfAsync,
            ProgressOfAsync);
        var shown = new Dictionary<string, object?>(Describe(record)) { ["progress"] = progress };
        await stdout.WriteLineAsync(JsonSerializer.Serialize(shown, Json));
        return ExitCodes.Success;
    }

    private static async Task<object> ProgressOfAsync<TSpec, TProgress, TResult>(IJobCoordinatorGrain<TSpec, TProgress, TResult> coordinator)
        where TProgress : notnull
    {
        var status = await coordinator.GetStatusAsync();
        return status.Progress;
    }

    private static async Task<int> WaitAsync(IGrainFactory grains, string id, ProgressReporter progress, TextWriter stdout, CancellationToken token)
    {
        var record = await RecordAsync(grains, id);
        var (state, error, field) = await ForKind(
            grains,
            record,
            s => WatchAsync(s, id, progress, token),
            f => WatchAsync(f, id, progress, token),
            m => WatchAsync(m, id, progress, token),
            st => WatchAsync(st, id, progress, token));
        progress.Finish();
        JobClient.EnsureCompleted(id, new JobStatus<string>(state, string.Empty, error, field));
        await stdout.WriteLineAsync($"completed: {id}");
        return ExitCodes.Success;
    }

    private static async Task<(JobState State, string? Error, string? Field)> WatchAsync<TSpec, TProgress, TResult>(IJobCoordinatorGrain<TSpec, TProgress, TResult> coordinator, string id, ProgressReporter progress, CancellationToken token)
    {
        var unreachable = new System.Diagnostics.Stopwatch();
        while (true)
        {
            JobStatus<TProgress> status;
            try
            {
                status = await coordinator.GetStatusAsync().WaitAsync(JobClient.StatusTimeout, token);
                unreachable.Reset();
            }
            catch (Exception ex) when (SiloLoss.Explains(ex) && (!unreachable.IsRunning || unreachable.Elapsed < JobClient.CoordinatorLossWait))
            {
                // The coordinator's silo died: a durable job resumes on a survivor; keep asking for a while.
                unreachable.Start();
                await Task.Delay(PollInterval, token);
                continue;
            }

            progress.Progress(string.Create(CultureInfo.InvariantCulture, $"{id}  {status.State}  {status.Progress}"), status.State.ToString());
            if (status.IsTerminal)
            {
                return (status.State, status.Error, status.ErrorField);
            }

            await Task.Delay(PollInterval, token);
        }
    }

    private static async Task<int> FetchAsync(IGrainFactory grains, string id, OutputDirectory output, string cluster, TextWriter stdout)
    {
        // Downloads are made again when a silo's loss interrupts them (ClusterRetry): the coordinator of a durable job
        // comes back on a survivor with its results.
        var record = await RecordAsync(grains, id);
        switch (record.Kind)
        {
            case "sinkhorn":
            {
                var coordinator = grains.GetGrain<ISinkhornCoordinatorGrain>(id);
                Fetchable(id, await coordinator.GetStatusAsync());
                var spec = await coordinator.GetSpecAsync();
                var downloaded = await ClusterRetry.RunAsync(() => SinkhornJobClient.DownloadAsync(coordinator, spec.SourceCount, spec.TargetCount, spec.Dimension));
                var run = new SinkhornRunOutput(id, downloaded.Result, downloaded.F, downloaded.G, downloaded.Map);
                OutputWriter.Write(output, SinkhornRunFacts.Of(spec), run, downloaded.Result.Seconds, cluster);
                break;
            }

            case "flow":
            {
                var coordinator = grains.GetGrain<IFlowCoordinatorGrain>(id);
                Fetchable(id, await coordinator.GetStatusAsync());
                var spec = await coordinator.GetSpecAsync();
                var downloaded = await ClusterRetry.RunAsync(() => FlowJobClient.DownloadAsync(coordinator));
                var facts = new FlowRunFacts(spec.Model.Name, FlowNames.Name(spec.Integrator), spec.Shards, downloaded.Result.Seconds, Numerics.Flows.Models.FlowModelCatalog.EnergyName(spec.Model.Name), spec.Model.FindData(CatalogFlowModels.Target)?.Values.ToArray(), downloaded.Result.Checkpoints, downloaded.Result.Recoveries, downloaded.Result.Traffic) { ClusterAngle = spec.ClusterAngle, Eulerian = spec.Eulerian?.ToOptions() };
                output.Commit(directory => FlowOutputWriter.Write(directory, downloaded.Trajectory, facts));
                break;
            }

            case "sample":
            {
                var coordinator = grains.GetGrain<ISampleStudyCoordinatorGrain>(id);
                Fetchable(id, await coordinator.GetStatusAsync());
                var study = CompletedStudy.From(await ClusterRetry.RunAsync(() => SampleStudyJobClient.DownloadAsync(coordinator)));
                output.Commit(directory => SampleOutputWriter.Write(directory, study.Request, study.Runs, study.ReferenceMethod, study.Seconds));
                break;
            }

            default:
                throw new InvalidInputException("ID", $"{id} is a {record.Kind} job, a part of a study: fetch the study ('transport runs list' shows its kind as sample)");
        }

        await stdout.WriteLineAsync($"{id} -> {output.FullPath}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Throws unless the job has results to fetch. A job not yet ended or cancelled is the wrong id for a fetch: exit 2
    /// naming the id (it exited 1 with "job ... is still Running", as if the cluster had failed); a failed job keeps
    /// the job's own outcome (<see cref="JobClient.EnsureCompleted"/>).
    /// </summary>
    private static void Fetchable<TProgress>(string id, JobStatus<TProgress> status)
    {
        switch (status.State)
        {
            case JobState.Created or JobState.Running:
                throw new InvalidInputException("ID", $"job '{id}' is still {status.State}; wait for it with 'transport runs wait {id}', then fetch it");
            case JobState.Cancelled:
                throw new InvalidInputException("ID", $"job '{id}' was cancelled; it has no results to fetch");
            default:
                JobClient.EnsureCompleted(id, status);
                break;
        }
    }

    private static IJobRegistryGrain Registry(IGrainFactory grains) => grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);

    private static async Task<JobRecord> RecordAsync(IGrainFactory grains, string id) =>
        await Registry(grains).GetAsync(id) ?? throw new InvalidInputException("ID", $"the cluster lists no job '{id}' (released, expired, or never submitted: see 'transport runs list')");

    private static Task<T> ForKind<T>(
        IGrainFactory grains,
        JobRecord record,
        Func<ISinkhornCoordinatorGrain, Task<T>> sinkhorn,
        Func<IFlowCoordinatorGrain, Task<T>> flow,
        Func<ISamplingCoordinatorGrain, Task<T>> sampling,
        Func<ISampleStudyCoordinatorGrain, Task<T>> study) => record.Kind switch
    {
        "sample" => study(grains.GetGrain<ISampleStudyCoordinatorGrain>(record.Id)),
        "sinkhorn" => sinkhorn(grains.GetGrain<ISinkhornCoordinatorGrain>(record.Id)),
        "flow" => flow(grains.GetGrain<IFlowCoordinatorGrain>(record.Id)),
        "sampling" => sampling(grains.GetGrain<ISamplingCoordinatorGrain>(record.Id)),
        _ => throw new InvalidOperationException($"unknown job kind '{record.Kind}'"),
    };

    private static async Task ForKind(IGrainFactory grains, JobRecord record, Func<ISinkhornCoordinatorGrain, Task> sinkhorn, Func<IFlowCoordinatorGrain, Task> flow, Func<ISamplingCoordinatorGrain, Task> sampling, Func<ISampleStudyCoordinatorGrain, Task> study) =>
        await ForKind(grains, record, async s => { await sinkhorn(s); return 0; }, async f => { await flow(f); return 0; }, async m => { await sampling(m); return 0; }, async st => { await study(st); return 0; });

    private static Dictionary<string, object?> Describe(JobRecord job) => new()
    {
        ["id"] = job.Id,
        ["kind"] = job.Kind,
        ["label"] = job.Label,
        ["state"] = job.State.ToString(),
        ["created"] = job.Created.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        ["updated"] = job.Updated.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        ["summary"] = job.Summary,
        ["error"] = job.Error,
    };
}
