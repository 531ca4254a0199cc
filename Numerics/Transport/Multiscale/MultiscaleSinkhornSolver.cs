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
    /// Solves OT_eps(a, b). Validates both option sets and eps against the problem's admissible range
    /// (<see cref="EpsilonRange"/>; throws <see cref="InvalidInputException"/>).
    /// Reaching the iteration cap is not an error: the output has <c>Converged = false</c>.
    /// </summary>
    public static MultiscaleOutput Solve(
        SinkhornProblem problem,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        CancellationToken cancellationToken = default) =>
        Solve(problem, options, multiscale, warmStart: null, cancellationToken);

    /// <summary>
    /// Solves OT_eps(a, b) starting from <paramref name="warmStart"/> (null: cold, with eps-annealing).
    /// A warm solve skips the annealing and searches the block pattern on the points directly with the
    /// given potentials (see <see cref="MultiscaleWarmStart"/>).
    /// </summary>
    public static MultiscaleOutput Solve(
        SinkhornProblem problem,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        MultiscaleWarmStart? warmStart,
        CancellationToken cancellationToken = default)
    {
        // The in-process backend completes every call synchronously, so the task is done when it returns.
        var solve = SolveAsync(problem, options, multiscale, static () => new LocalSinkhornBackend(), warmStart, cancellationToken);
        return solve.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Solves OT_eps(a, b) with the work on the points done by a backend from <paramref name="pointsBackend"/>
    /// (called at most once, when the solve first reaches the points with a block pattern; a one-level solve is
    /// dense and stays in process). The coarse levels, the jump to the points and the safeguard run here. With
    /// <see cref="LocalSinkhornBackend"/> this is exactly the synchronous solve.
    /// </summary>
    public static Task<MultiscaleOutput> SolveAsync(
        SinkhornProblem problem,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        Func<ISinkhornBackend> pointsBackend,
        MultiscaleWarmStart? warmStart = null,
        CancellationToken cancellationToken = default) =>
        SolveAsync(problem, options, multiscale, pointsBackend, warmStart, progress: null, problemName: "cross", cancellationToken);

    /// <summary>
    /// As <see cref="SolveAsync(SinkhornProblem, SinkhornOptions, MultiscaleOptions, Func{ISinkhornBackend}, MultiscaleWarmStart?, CancellationToken)"/>,
    /// reporting every annealing iteration and every <see cref="SinkhornOptions.CheckEvery"/>-th iteration at the target
    /// eps to <paramref name="progress"/> under <paramref name="problemName"/> ("cross", "self-source", "self-target").
    /// </summary>
    public static async Task<MultiscaleOutput> SolveAsync(
        SinkhornProblem problem,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        Func<ISinkhornBackend> pointsBackend,
        MultiscaleWarmStart? warmStart,
        Action<SinkhornProgress>? progress,
        string problemName,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(multiscale);
        ArgumentNullException.ThrowIfNull(pointsBackend);
        options.Validate();
        multiscale.Validate();
        EpsilonRange.Check(problem, options);
        warmStart?.Validate(problem);
        var run = new SinkhornRun(problem, options, multiscale, warmStart, pointsBackend, progress, problemName);
        return await run.SolveAsync(cancellationToken).ConfigureAwait(false);
    }
}
