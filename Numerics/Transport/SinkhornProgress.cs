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
/// <param name="Dual">Cross: &lt;f, a&gt; + &lt;g, b&gt;. Self: OT_eps(a, a) = 2 &lt;p, a&gt;.</param>
/// <param name="Objective">Cross: &lt;P, C&gt; + eps KL(P | a x b) at the returned potentials. Self: same as <paramref name="Dual"/>.</param>
/// <param name="History">Every checked iteration.</param>
/// <param name="KernelEvaluations">
/// Point-pair cost evaluations of this problem's schedule: 2 n m per cross iteration (update and
/// check), n^2 per self step (the final extrapolation included). Evaluating the plan afterwards is not
/// part of the schedule and is counted by whoever does it.
/// </param>
public sealed record SinkhornRunSummary(
    int Iterations,
    bool Converged,
    double MarginalError,
    double MarginalError2,
    double Dual,
    double Objective,
    IReadOnlyList<SinkhornProgress> History,
    long KernelEvaluations);
