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
            MemoryBudget = inputs.Multiscale?.MemoryBudget,
            LeafClusterSize = inputs.Multiscale?.LeafClusterSize,
            Label = inputs.Label,
        };
    }

    /// <summary>Submits the job and returns its id without waiting (<c>--detach</c>).</summary>
    public async Task<string> SubmitAsync(SinkhornInputs inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var problemId = $"sinkhorn-{Guid.NewGuid():N}";
        progress.Phase("sinkhorn: uploading the clouds");
        await new SinkhornJobClient(grains).SubmitAsync(problemId, CreateSpec(inputs), inputs.Source, inputs.Target).WaitAsync(cancellationToken);
        return problemId;
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
        progress.SinkhornTarget = (inputs.Options.Epsilon, inputs.Options.Tolerance);
        var output = await client.RunAsync(problemId, CreateSpec(inputs), inputs.Source, inputs.Target, progress.Report, Phase, cancellationToken);
        return new SinkhornRunOutput(problemId, output.Result, output.F, output.G, output.Map);

        void Phase(string phase)
        {
            if (phase != "running")
            {
                progress.Phase(phase == "uploading" ? "sinkhorn: uploading the clouds" : "sinkhorn: downloading the results");
            }
        }
    }

}
