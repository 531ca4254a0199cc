namespace Transport.Numerics.Transport;

/// <summary>A point of a solve's history: the state after <paramref name="Iteration"/> iterations.</summary>
/// <param name="Problem">"cross", "self-source" or "self-target".</param>
/// <param name="Iteration">Iterations done in this problem.</param>
/// <param name="Epsilon">Regularisation of that iteration.</param>
/// <param name="MarginalError">L1 marginal error of the state (column marginal for the cross problem).</param>
/// <param name="MarginalError2">2-norm of the same error.</param>
public sealed record SinkhornProgress(string Problem, int Iteration, double Epsilon, double MarginalError, double MarginalError2);

/// <summary>Summary of one solved problem (cross or self).</summary>
/// <param name="Iterations">Iterations performed (annealing included).</param>
/// <param name="Converged">Whether the marginal error went below the tolerance at the target eps.</param>
/// <param name="MarginalError">Final L1 marginal error.</param>
/// <param name="MarginalError2">Final 2-norm marginal error.</param>
/// <param name="Dual">&lt;f, a&gt; + &lt;g, b&gt; (for a self problem OT_eps(a, a) = &lt;f_aa, a&gt; + &lt;g_aa, a&gt;).</param>
/// <param name="Objective">&lt;P, C&gt; + eps KL(P | a x b) at the returned potentials.</param>
/// <param name="History">Every checked iteration.</param>
/// <param name="KernelEvaluations">
/// Point-pair cost evaluations of this problem's schedule: 2 n m per iteration (update and check; n^2 for
/// a self problem of n points). Evaluating the plan afterwards is not part of the schedule and is counted
/// by whoever does it.
/// </param>
public sealed record SinkhornRunSummary(
    int Iterations,
    bool Converged,
    double MarginalError,
    double MarginalError2,
    double Dual,
    double Objective,
    IReadOnlyList<SinkhornProgress> History,
    long KernelEvaluations)
{
    /// <summary>
    /// The over-relaxation factor in use at the end (1 when relaxation was off, not yet estimated or switched
    /// off by its guard); a nearby later solve may start from it.
    /// </summary>
    public double Relaxation { get; init; } = 1.0;
}
