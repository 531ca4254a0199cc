namespace Transport.Numerics.Transport;

/// <summary>Single-process log-domain Sinkhorn with eps-annealing (the reference path).</summary>
public static class SinkhornSolver
{
    /// <summary>
    /// Solves OT_eps(a, b). Validates <paramref name="options"/> (throws <see cref="InvalidInputException"/>).
    /// Reaching the iteration cap is not an error: the output has <c>Converged = false</c>.
    /// </summary>
    public static SinkhornOutput Solve(
        SinkhornProblem problem,
        SinkhornOptions options,
        Action<SinkhornProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var backend = new LocalSinkhornBackend(problem, options, withSelfProblems: false);
        var summary = Run(backend, problem, options, progress, cancellationToken);
        return new SinkhornOutput(backend, summary);
    }

    internal static SinkhornRunSummary Run(LocalSinkhornBackend backend, SinkhornProblem problem, SinkhornOptions options, Action<SinkhornProgress>? progress, CancellationToken cancellationToken)
    {
        var box = backend.BoundingBoxAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        var maxCost = SinkhornProblem.MaxCost(box, options.Cost);
        return SinkhornDriver.SolveAsync(backend, SinkhornTerm.Cross, options, maxCost, progress, cancellationToken).GetAwaiter().GetResult();
    }
}
