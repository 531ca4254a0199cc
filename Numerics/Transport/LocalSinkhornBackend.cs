using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>
/// The single-process backend: one <see cref="SinkhornBlock"/> per cloud. It is the reference every
/// distributed run is compared with, and runs exactly the block code the shard grains run.
/// </summary>
public sealed class LocalSinkhornBackend : ISinkhornBackend
{
    /// <summary>Creates the blocks. <paramref name="withSelfProblems"/> prepares the debiasing terms.</summary>
    public LocalSinkhornBackend(SinkhornProblem problem, SinkhornOptions options, bool withSelfProblems)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        Problem = problem;
        Options = options;
        Source = new SinkhornBlock(problem.Source, 0, problem.Target, withSelfProblems ? problem.Source : null, options.Cost, options.Precision, options.MaxDegreeOfParallelism);
        Target = new SinkhornBlock(problem.Target, 0, problem.Source, withSelfProblems ? problem.Target : null, options.Cost, options.Precision, options.MaxDegreeOfParallelism);
    }

    /// <summary>The problem being solved.</summary>
    public SinkhornProblem Problem { get; }

    /// <summary>The options of the solve.</summary>
    public SinkhornOptions Options { get; }

    /// <summary>The source block (potential f).</summary>
    public SinkhornBlock Source { get; }

    /// <summary>The target block (potential g).</summary>
    public SinkhornBlock Target { get; }

    /// <inheritdoc />
    public long KernelEvaluations => Source.KernelEvaluations + Target.KernelEvaluations;

    /// <inheritdoc />
    public ValueTask<BoundingBox> BoundingBoxAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(BoundingBox.Of(Problem.Source).Union(BoundingBox.Of(Problem.Target)));

    /// <inheritdoc />
    public ValueTask<double> UpdateSourceAsync(double epsilon, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Source.UpdateCross(Target.Potential, epsilon));

    /// <inheritdoc />
    public ValueTask<MarginalReport> CheckTargetAsync(double epsilon, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Target.CheckCross(Source.Potential, epsilon));

    /// <inheritdoc />
    public ValueTask CommitTargetAsync(CancellationToken cancellationToken)
    {
        Target.CommitCross();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<MarginalReport> SelfStepAsync(CloudSide side, double epsilon, SelfUpdate mode, CancellationToken cancellationToken)
    {
        var block = side == CloudSide.Source ? Source : Target;
        var report = block.ComputeSelfCandidate(block.SelfPotential, epsilon);
        var weighted = block.CommitSelf(mode);
        return ValueTask.FromResult(report with { WeightedPotential = weighted });
    }
}
