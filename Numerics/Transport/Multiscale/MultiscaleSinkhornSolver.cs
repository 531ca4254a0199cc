namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Single-process multiscale log-domain Sinkhorn (math.md 3.5, issue 5): eps-annealing starts on
/// coarse clusters, moves one level finer each time the blur drops below the clusters' radius
/// (extrapolating the potentials by a soft c-transform against the coarser opposite measure), iterates
/// on the block pairs a provable density bound keeps, and at the end re-checks every dropped block with
/// the final potentials, re-admitting blocks until the neglected mass is within tolerance.
/// </summary>
public static class MultiscaleSinkhornSolver
{
    /// <summary>
    /// Solves OT_eps(a, b). Validates both option sets (throws <see cref="InvalidInputException"/>).
    /// Reaching the iteration cap is not an error: the output has <c>Converged = false</c>.
    /// </summary>
    public static MultiscaleOutput Solve(
        SinkhornProblem problem,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(multiscale);
        options.Validate();
        multiscale.Validate();
        var run = new MultiscaleRun(problem, options, multiscale);
        return run.Solve(cancellationToken);
    }
}
