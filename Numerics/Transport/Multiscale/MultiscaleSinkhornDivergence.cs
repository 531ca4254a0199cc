namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The debiased Sinkhorn divergence S_eps(a, b) = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2
/// (math.md 3.6) with all three terms solved by <see cref="MultiscaleSinkhornSolver"/>. A self term is
/// the cross problem of a cloud with itself: the alternating iteration converges to the same value as
/// the symmetric one, so the three terms share one code path and one notion of convergence.
/// </summary>
public sealed record MultiscaleSinkhornDivergence
{
    /// <summary>S_eps(a, b) from the dual values.</summary>
    public double Value => DebiasedDivergence.Combine(Cross.Dual, SelfSource.Dual, SelfTarget.Dual);

    /// <summary>OT_eps(a, b).</summary>
    public required MultiscaleOutput Cross { get; init; }

    /// <summary>OT_eps(a, a).</summary>
    public required MultiscaleOutput SelfSource { get; init; }

    /// <summary>OT_eps(b, b).</summary>
    public required MultiscaleOutput SelfTarget { get; init; }

    /// <summary>Whether all three solves converged.</summary>
    public bool Converged => Cross.Converged && SelfSource.Converged && SelfTarget.Converged;

    /// <summary>Point-pair cost evaluations of the three solves.</summary>
    public long KernelEvaluations => Cross.KernelEvaluations + SelfSource.KernelEvaluations + SelfTarget.KernelEvaluations;

    /// <summary>
    /// Solves the three problems with the same options (validated; see <see cref="MultiscaleSinkhornSolver"/>). Eps is
    /// checked against the joint problem's range: the self problems are measured against the joint cost scale.
    /// </summary>
    public static MultiscaleSinkhornDivergence Compute(SinkhornProblem problem, SinkhornOptions options, MultiscaleOptions multiscale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options = options.WithJointCostScale(problem);
        return new MultiscaleSinkhornDivergence
        {
            Cross = MultiscaleSinkhornSolver.Solve(problem, options, multiscale, cancellationToken),
            SelfSource = MultiscaleSinkhornSolver.Solve(new SinkhornProblem(problem.Source, problem.Source), options, multiscale, cancellationToken),
            SelfTarget = MultiscaleSinkhornSolver.Solve(new SinkhornProblem(problem.Target, problem.Target), options, multiscale, cancellationToken),
        };
    }
}
