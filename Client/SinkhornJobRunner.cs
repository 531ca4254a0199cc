using System.Diagnostics;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Client;

/// <summary>What a completed job produced, downloaded from the coordinator.</summary>
/// <param name="ProblemId">The coordinator key.</param>
/// <param name="Result">Scalar results and history.</param>
/// <param name="F">Source potential, n values in input order.</param>
/// <param name="G">Target potential, m values in input order.</param>
/// <param name="Map">Barycentric map, n x d row-major.</param>
internal sealed record SinkhornRunOutput(string ProblemId, SinkhornJobResult Result, double[] F, double[] G, double[] Map);

/// <summary>
/// Drives one job through the coordinator protocol with <see cref="SinkhornJobClient"/> (create, upload both
/// clouds in chunks, start, poll the status into the progress line, download the arrays in chunks) and turns
/// the outcome into a <see cref="SinkhornRunOutput"/> or an exception. Cancelling the token cancels the job in
/// the cluster and waits for it to stop.
/// </summary>
internal sealed class SinkhornJobRunner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(10);
    private readonly IGrainFactory grains;
    private readonly ProgressReporter progress;

    /// <summary>Creates a runner on <paramref name="grains"/>.</summary>
    public SinkhornJobRunner(IGrainFactory grains, ProgressReporter progress)
    {
        this.grains = grains;
        this.progress = progress;
    }

    /// <summary>The job specification for validated inputs.</summary>
    public static SinkhornJobSpec CreateSpec(SinkhornInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new SinkhornJobSpec
        {
            SourceCount = inputs.Source.Count,
            TargetCount = inputs.Target.Count,
            Dimension = inputs.Source.Dimension,
            Epsilon = inputs.Options.Epsilon,
            Cost = inputs.Options.Cost.Name(),
            Tolerance = inputs.Options.Tolerance,
            MaxIterations = inputs.Options.MaxIterations,
            Scaling = inputs.Options.Scaling,
            CheckEvery = inputs.Options.CheckEvery,
            Precision = inputs.Options.Precision.Name(),
            Shards = inputs.Shards,
            Divergence = inputs.Divergence,
            Multiscale = inputs.Multiscale is not null,
            Levels = inputs.Multiscale?.Levels ?? 0,
            Truncation = inputs.Multiscale?.Truncation ?? SinkhornJobSpec.DefaultTruncation,
        };
    }

    /// <summary>
    /// Runs the job to its end. Throws <see cref="JobInputException"/> when the cluster rejects the input,
    /// <see cref="JobFailedException"/> when the job fails, and <see cref="OperationCanceledException"/> after
    /// cancelling the job when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<SinkhornRunOutput> RunAsync(SinkhornInputs inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var problemId = $"sinkhorn-{Guid.NewGuid():N}";
        var client = new SinkhornJobClient(grains) { PollInterval = PollInterval };
        progress.Phase("sinkhorn: uploading the clouds");
        ISinkhornCoordinatorGrain coordinator;
        try
        {
            coordinator = await client.SubmitAsync(problemId, CreateSpec(inputs), inputs.Source, inputs.Target).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await TryCancelAsync(grains.GetGrain<ISinkhornCoordinatorGrain>(problemId));
            throw;
        }

        // On cancellation the client asks the coordinator to cancel and keeps polling until the run has stopped.
        var status = await client.WaitAsync(coordinator, progress.Report, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        switch (status.State)
        {
            case JobState.Completed:
                break;
            case JobState.Failed when status.ErrorField is { } field:
                // The run found its input wanting (e.g. a solver this build lacks): bad input, exit 2.
                throw new JobInputException(field, status.Error ?? $"{field}: rejected by the cluster");
            case JobState.Cancelled:
                throw new JobFailedException($"job {problemId} was cancelled in the cluster");
            default:
                throw new JobFailedException($"job {problemId} failed in the cluster: {status.Error ?? "no reason given"}");
        }

        progress.Phase("sinkhorn: downloading the results");
        var output = await SinkhornJobClient.DownloadAsync(coordinator, inputs.Source.Count, inputs.Target.Count, inputs.Source.Dimension).WaitAsync(cancellationToken);
        return new SinkhornRunOutput(problemId, output.Result, output.F, output.G, output.Map);
    }

    private static async Task TryCancelAsync(ISinkhornCoordinatorGrain coordinator)
    {
        try
        {
            await coordinator.CancelAsync().WaitAsync(CancelTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The user asked to stop: a cluster that cannot be told is not a reason to hang or to fail differently.
            Debug.WriteLine($"cancelling job {coordinator.GetPrimaryKeyString()} failed: {ex.Message}");
        }
    }
}
