using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The debiased Sinkhorn divergence S_eps(a, b) = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2
/// (Feydy et al. 2019; math.md 3.6). The three problems run through the same loop
/// (<see cref="SinkhornRun"/>): a self problem is the cross problem of a cloud with itself.
/// </summary>
public sealed class SinkhornDivergence
{
    // The source's self potentials f_aa, g_aa (input order), for the gradient.
    private readonly double[] selfSourceF;
    private readonly double[] selfSourceG;
    private long gradientEvaluations;

    private SinkhornDivergence(SinkhornOutput cross, MultiscaleOutput selfSourceRun, SinkhornRunSummary selfSource, SinkhornRunSummary selfTarget)
    {
        selfSourceF = selfSourceRun.F;
        selfSourceG = selfSourceRun.G;
        Cross = cross;
        SelfSource = selfSource;
        SelfTarget = selfTarget;
        Value = DebiasedDivergence.Combine(cross.Dual, selfSource.Dual, selfTarget.Dual);
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
    /// <see cref="Cross"/>'s count, plus 2 K_a n^2 and 2 K_b m^2 for the self problems of K_a and K_b
    /// iterations, plus n^2 for the self map of each <see cref="SourceGradient"/> call.
    /// </summary>
    public long KernelEvaluations => Cross.KernelEvaluations + SelfSource.KernelEvaluations + SelfTarget.KernelEvaluations + gradientEvaluations;

    /// <summary>Whether all three problems converged.</summary>
    public bool Converged => Cross.Converged && SelfSource.Converged && SelfTarget.Converged;

    /// <summary>
    /// Solves the three problems with the same options. Eps must be in the admissible range of the joint problem
    /// (<see cref="EpsilonRange"/>, checked once: the self problems are measured against the same cost scale).
    /// </summary>
    public static SinkhornDivergence Compute(
        SinkhornProblem problem,
        SinkhornOptions options,
        Action<SinkhornProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        EpsilonRange.Check(problem, options);
        var cross = SinkhornSolver.Run(problem, options, warmStart: null, progress, SinkhornTerm.Cross.Name(), cancellationToken);
        var selfSource = SinkhornSolver.Run(new SinkhornProblem(problem.Source, problem.Source), options, warmStart: null, progress, SinkhornTerm.SelfSource.Name(), cancellationToken);
        var selfTarget = SinkhornSolver.Run(new SinkhornProblem(problem.Target, problem.Target), options, warmStart: null, progress, SinkhornTerm.SelfTarget.Name(), cancellationToken);
        return new SinkhornDivergence(new SinkhornOutput(problem, options, cross), selfSource, SinkhornOutput.Summarise(selfSource), SinkhornOutput.Summarise(selfTarget));
    }

    /// <summary>
    /// The symmetric self potential p = (f_aa + g_aa) / 2 of a self problem solved as a cross problem, from the
    /// two potentials on the same points. At the fixed point f_aa and g_aa are equal up to a constant (f + c,
    /// g - c solve the same problem), which the average removes. Away from it, the envelope gradient of
    /// OT_eps(a, a) with respect to x_i averages x_i's row role (a map normalised with the keys' potential g) and
    /// its column role (normalised with f); to first order in f - g that average is the map with key potential
    /// (f + g) / 2, so the symmetric potential keeps the self map's error second order in the residual
    /// asymmetry, where f or g alone would leave it first order.
    /// </summary>
    public static double[] SymmetricSelfPotential(ReadOnlySpan<double> selfSource, ReadOnlySpan<double> selfTarget)
    {
        if (selfSource.Length != selfTarget.Length)
        {
            throw new ArgumentException($"{selfSource.Length} source values against {selfTarget.Length} target values", nameof(selfTarget));
        }

        var result = new double[selfSource.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = 0.5 * (selfSource[i] + selfTarget[i]);
        }

        return result;
    }

    /// <summary>
    /// Gradient of S_eps with respect to the source positions at convergence (envelope theorem):
    /// grad_i = 2 s a_i (T_aa(x_i) - T_ab(x_i)) for the cost s |x - y|^2. Row-major n x d. T_aa uses the
    /// symmetric self potential (<see cref="SymmetricSelfPotential"/>).
    /// </summary>
    public double[] SourceGradient()
    {
        var source = Cross.Problem.Source;
        var d = source.Dimension;
        var crossMap = Cross.BarycentricMap();
        var selfMap = new double[source.Count * d];
        var selfPotential = SymmetricSelfPotential(selfSourceF, selfSourceG);
        var transform = SoftCTransform.Create(source.Positions, source.Count, source, Cross.Options.Cost, Cross.Options.Precision, Cross.Options.MaxDegreeOfParallelism);
        var partials = transform.Reduce(selfPotential, Cross.Epsilon, withKeyPositions: true, withMoment: false);
        gradientEvaluations += transform.KernelEvaluations;
        for (var i = 0; i < source.Count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                selfMap[(i * d) + k] = partials.Weighted[(i * d) + k] / partials.Sum[i];
            }
        }

        var factor = 2 * Geometry.CostFunctions.Scale(Cross.Options.Cost);
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
