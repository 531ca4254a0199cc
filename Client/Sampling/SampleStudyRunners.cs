using System.Diagnostics;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling.Study;

namespace Transport.Client.Sampling;

/// <summary>A finished study as the output writer takes it.</summary>
/// <param name="Request">The request the study ran.</param>
/// <param name="ReferenceMethod">How the reference was obtained.</param>
/// <param name="Runs">One record per step count, ascending; the last one carries the samples.</param>
/// <param name="Seconds">Seconds of the whole study.</param>
internal sealed record CompletedStudy(SampleRequest Request, string ReferenceMethod, IReadOnlyList<SampleRunRecord> Runs, double Seconds)
{
    /// <summary>The study a cluster ran and a client downloaded (attached, or later with <c>transport runs fetch</c>).</summary>
    public static CompletedStudy From(SampleStudyOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var runs = output.Result.Runs;
        var records = runs.Select((run, k) =>
        {
            // Only the last run's samples are kept by the cluster (they are the ones written and plotted).
            var samples = k == runs.Length - 1 ? output.Samples : [];
            var result = new SampleRunResult(samples, run.Evaluations, run.Seconds) 
            {
                KineticEnergy = run.KineticEnergy,
                Displacement = run.Displacement,
                Steps = run.AcceptedSteps,
                Messages = run.Traffic.Messages,
                PayloadBytes = run.Traffic.PayloadBytes,
                TrafficShards = run.Traffic.Shards,
                TrafficIterations = run.Traffic.Iterations,
            };
            var metrics = new OrderedDictionary<string, double>();
            for (var m = 0; m < run.MetricNames.Length; m++)
            {
                metrics[run.MetricNames[m]] = run.MetricValues[m];
            }

            return new SampleRunRecord(run.Steps, result, metrics);
        }).ToArray();
        return new CompletedStudy(output.Request, output.Result.ReferenceMethod, records, output.Result.Seconds);
    }
}

/// <summary>Where a <c>transport sample</c> study runs: in this process, or as one study job on a cluster.</summary>
internal interface ISampleStudyRunner
{
    /// <summary>Runs the study of <paramref name="request"/> over <paramref name="steps"/>, passing each progress line to <paramref name="progress"/>.</summary>
    Task<CompletedStudy> RunAsync(SampleRequest request, int[] steps, Action<string> progress, CancellationToken cancellationToken);
}

/// <summary>The study loop in this process over <paramref name="runner"/> (the tests' silo-free path).</summary>
internal sealed class InProcessSampleStudy(ISampleRunner runner) : ISampleStudyRunner
{
    /// <inheritdoc />
    public async Task<CompletedStudy> RunAsync(SampleRequest request, int[] steps, Action<string> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var outcome = await SampleStudy.RunAsync(request, steps, runner, progress, cancellationToken);
        return new CompletedStudy(request, outcome.ReferenceMethod, outcome.Runs, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>
/// The study as one job on a cluster (an embedded silo in this process, or <c>--cluster</c>): the study coordinator
/// runs the reference, the coupling, one sampling job per step count and the metrics, so <see cref="SubmitAsync"/>
/// (<c>--detach</c>) and <see cref="RunAsync"/> produce the same outputs.
/// </summary>
internal sealed class ClusterSampleStudy(ClusterEndpoint? cluster, bool verbose, ConsoleTelemetry? telemetry, string? label = null) : ISampleStudyRunner, IAsyncDisposable
{
    private ClusterConnection? _connection;

    /// <inheritdoc />
    public async Task<CompletedStudy> RunAsync(SampleRequest request, int[] steps, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var grains = await GrainsAsync(cancellationToken);
        var printed = 0;
        void Show(JobStatus<SampleStudyProgress> status)
        {
            // The coordinator keeps every line; print those not printed yet, in order.
            var lines = status.Progress.Lines;
            for (; printed < lines.Length; printed++)
            {
                progress(lines[printed]);
            }
        }

        var output = await SampleStudyJobClient.RunAsync(grains, NewId(), request, steps, label, Show, cancellationToken);
        return CompletedStudy.From(output);
    }

    /// <summary>Submits the study and returns its id without waiting (<c>--detach</c>).</summary>
    public async Task<string> SubmitAsync(SampleRequest request, int[] steps, CancellationToken cancellationToken)
    {
        var grains = await GrainsAsync(cancellationToken);
        var id = NewId();
        await SampleStudyJobClient.SubmitAsync(grains, id, request, steps, label).WaitAsync(cancellationToken);
        return id;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private static string NewId() => $"sample-{Guid.NewGuid():N}";

    private async Task<IGrainFactory> GrainsAsync(CancellationToken cancellationToken)
    {
        _connection ??= await ClusterConnection.OpenAsync(cluster, verbose, telemetry, cancellationToken);
        return _connection.GrainFactory;
    }
}
