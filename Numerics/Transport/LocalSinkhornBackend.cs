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

    /// <summary>The source block (potential f; f_aa and g_aa of the source's self problem).</summary>
    public SinkhornBlock Source { get; }

    /// <summary>The target block (potential g; f_bb and g_bb of the target's self problem).</summary>
    public SinkhornBlock Target { get; }

    /// <inheritdoc />
    public long KernelEvaluations => Source.KernelEvaluations + Target.KernelEvaluations;

    /// <inheritdoc />
    public ValueTask<BoundingBox> BoundingBoxAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(BoundingBox.Of(Problem.Source).Union(BoundingBox.Of(Problem.Target)));

    /// <inheritdoc />
    public ValueTask<double> UpdateSourceAsync(SinkhornTerm term, double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        if (term == SinkhornTerm.Cross)
        {
            return ValueTask.FromResult(Source.UpdateCross(Target.Potential, epsilon, update));
        }

        var block = SelfBlock(term);
        return ValueTask.FromResult(block.UpdateSelf(block.SelfTargetPotential, epsilon, update));
    }

    /// <inheritdoc />
    public ValueTask<MarginalReport> CheckTargetAsync(SinkhornTerm term, double epsilon, CancellationToken cancellationToken)
    {
        if (term == SinkhornTerm.Cross)
        {
            return ValueTask.FromResult(Target.CheckCross(Source.Potential, epsilon));
        }

        var block = SelfBlock(term);
        return ValueTask.FromResult(block.CheckSelf(block.SelfSourcePotential, epsilon));
    }

    /// <inheritdoc />
    public ValueTask CommitTargetAsync(SinkhornTerm term, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        if (term == SinkhornTerm.Cross)
        {
            Target.CommitCross(update);
        }
        else
        {
            SelfBlock(term).CommitSelf(update);
        }

        return ValueTask.CompletedTask;
    }

    private SinkhornBlock SelfBlock(SinkhornTerm term) => term == SinkhornTerm.SelfSource ? Source : Target;
}
