namespace Transport.Numerics.Transport;

/// <summary>
/// The debiased Sinkhorn divergence S_eps(a, b) = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2
/// (Feydy et al. 2019; math.md 3.6), with symmetric updates for the self terms.
/// </summary>
public sealed class SinkhornDivergence
{
    private readonly LocalSinkhornBackend backend;
    private long gradientEvaluations;

    private SinkhornDivergence(LocalSinkhornBackend backend, SinkhornOutput cross, SinkhornRunSummary selfSource, SinkhornRunSummary selfTarget)
    {
        this.backend = backend;
        Cross = cross;
        SelfSource = selfSource;
        SelfTarget = selfTarget;
        Value = cross.Dual - (0.5 * selfSource.Dual) - (0.5 * selfTarget.Dual);
    }

    /// <summary>S_eps(a, b).</summary>
    public double Value { get; }

    /// <summary>The cross problem OT_eps(a, b).</summary>
    public SinkhornOutput Cross { get; }

    /// <summary>The self problem OT_eps(a, a) (its Dual is the value).</summary>
    public SinkhornRunSummary SelfSource { get; }

    /// <summary>The self problem OT_eps(b, b).</summary>
    public SinkhornRunSummary SelfTarget { get; }

    /// <summary>
    /// Point-pair cost evaluations of the three problems and of everything computed on demand so far:
    /// <see cref="Cross"/>'s count, plus (K_a + 1) n^2 and (K_b + 1) m^2 for the self problems of K_a and K_b
    /// iterations (the final extrapolation is one more step), plus n^2 for the self map of each
    /// <see cref="SourceGradient"/> call.
    /// </summary>
    public long KernelEvaluations => Cross.KernelEvaluations + SelfSource.KernelEvaluations + SelfTarget.KernelEvaluations + gradientEvaluations;

    /// <summary>Whether all three problems converged.</summary>
    public bool Converged => Cross.Converged && SelfSource.Converged && SelfTarget.Converged;

    /// <summary>Solves the three problems with the same options.</summary>
    public static SinkhornDivergence Compute(
        SinkhornProblem problem,
        SinkhornOptions options,
        Action<SinkhornProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var backend = new LocalSinkhornBackend(problem, options, withSelfProblems: true);
        var cross = SinkhornSolver.Run(backend, problem, options, progress, cancellationToken);
        var box = backend.BoundingBoxAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        var maxCost = SinkhornProblem.MaxCost(box, options.Cost);
        var selfSource = SinkhornDriver.SolveSelfAsync(backend, CloudSide.Source, options, maxCost, progress, cancellationToken).GetAwaiter().GetResult();
        var selfTarget = SinkhornDriver.SolveSelfAsync(backend, CloudSide.Target, options, maxCost, progress, cancellationToken).GetAwaiter().GetResult();
        return new SinkhornDivergence(backend, new SinkhornOutput(backend, cross), selfSource, selfTarget);
    }

    /// <summary>
    /// Gradient of S_eps with respect to the source positions at convergence (envelope theorem):
    /// grad_i = 2 s a_i (T_aa(x_i) - T_ab(x_i)) for the cost s |x - y|^2. Row-major n x d.
    /// </summary>
    public double[] SourceGradient()
    {
        var source = backend.Problem.Source;
        var d = source.Dimension;
        var crossMap = Cross.BarycentricMap();
        var selfMap = new double[source.Count * d];
        var before = backend.Source.KernelEvaluations;
        backend.Source.EvaluateSelfMap(backend.Source.SelfPotential, Cross.Epsilon, selfMap);
        gradientEvaluations += backend.Source.KernelEvaluations - before;
        var factor = 2 * Geometry.CostFunctions.Scale(backend.Options.Cost);
        var gradient = new double[source.Count * d];
        for (var i = 0; i < source.Count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                gradient[(i * d) + k] = factor * source.Weights[i] * (selfMap[(i * d) + k] - crossMap[(i * d) + k]);
            }
        }

        return gradient;
    }
}
