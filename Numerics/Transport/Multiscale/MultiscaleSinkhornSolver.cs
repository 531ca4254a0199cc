using Transport.Numerics.Geometry;

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
    /// <summary>
    /// Solves OT_eps(a, b) for clouds whose points live with <paramref name="points"/> (a cluster's shards, which sorted
    /// them and built the leaves): only the cluster levels are here; the output's arrays stay with the points
    /// (<see cref="MultiscaleOutput.ArraysOnBackend"/>) unless the point side returns them.
    /// </summary>
    /// <param name="source">Source cluster levels (no points needed).</param>
    /// <param name="target">Target cluster levels (the same object for a self problem).</param>
    /// <param name="box">The bounding box of both clouds.</param>
    /// <param name="leafChoice">The leaf size the levels were built with.</param>
    /// <param name="options">Sinkhorn options.</param>
    /// <param name="multiscale">Multiscale options.</param>
    /// <param name="points">The point side.</param>
    /// <param name="selfProblem">One cloud against itself.</param>
    /// <param name="evaluatePlan">Evaluate the transport cost and the map at the end.</param>
    /// <param name="progress">Progress callback.</param>
    /// <param name="problemName">"cross", "self-source" or "self-target".</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    public static Task<MultiscaleOutput> SolveOnPointsAsync(
        ClusterHierarchy source,
        ClusterHierarchy target,
        BoundingBox box,
        LeafSizeChoice leafChoice,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        IMultiscalePoints points,
        bool selfProblem,
        bool evaluatePlan,
        Action<SinkhornProgress>? progress,
        string problemName,
        CancellationToken cancellationToken = default) =>
        SolveOnPointsAsync(source, target, box, leafChoice, options, multiscale, points, selfProblem, evaluatePlan, warmStart: null, progress, problemName, cancellationToken);

    /// <summary>
    /// As <see cref="SolveOnPointsAsync(ClusterHierarchy, ClusterHierarchy, BoundingBox, LeafSizeChoice, SinkhornOptions, MultiscaleOptions, IMultiscalePoints, bool, bool, Action{SinkhornProgress}?, string, CancellationToken)"/>,
    /// warm when <paramref name="warmStart"/> is set: <paramref name="points"/> puts its warm potentials on the points
    /// (<see cref="IMultiscalePoints.StartAsync"/>), the annealing is skipped and the pattern on the points is searched
    /// with them, exactly as <see cref="Solve(SinkhornProblem, SinkhornOptions, MultiscaleOptions, MultiscaleWarmStart?, CancellationToken)"/> does.
    /// </summary>
    /// <param name="source">Source cluster levels (no points needed).</param>
    /// <param name="target">Target cluster levels (the same object for a self problem).</param>
    /// <param name="box">The bounding box of both clouds.</param>
    /// <param name="leafChoice">The leaf size the levels were built with.</param>
    /// <param name="options">Sinkhorn options.</param>
    /// <param name="multiscale">Multiscale options.</param>
    /// <param name="points">The point side (holding the warm potentials when warm).</param>
    /// <param name="selfProblem">One cloud against itself.</param>
    /// <param name="evaluatePlan">Evaluate the transport cost and the map at the end.</param>
    /// <param name="warmStart">Null: cold. Otherwise the over-relaxation factor to start with.</param>
    /// <param name="progress">Progress callback.</param>
    /// <param name="problemName">"cross", "self-source" or "self-target".</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    public static async Task<MultiscaleOutput> SolveOnPointsAsync(
        ClusterHierarchy source,
        ClusterHierarchy target,
        BoundingBox box,
        LeafSizeChoice leafChoice,
        SinkhornOptions options,
        MultiscaleOptions multiscale,
        IMultiscalePoints points,
        bool selfProblem,
        bool evaluatePlan,
        MultiscalePointsWarmStart? warmStart,
        Action<SinkhornProgress>? progress,
        string problemName,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(box);
        ArgumentNullException.ThrowIfNull(leafChoice);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(multiscale);
        ArgumentNullException.ThrowIfNull(points);
        options.Validate();
        multiscale.Validate();
        warmStart?.Validate();
        EpsilonRange.For(options, box, Math.Max(source.PointCount, target.PointCount)).Check(options.Epsilon);
        var run = new SinkhornRun(source, target, box, leafChoice, options, multiscale, points, selfProblem, warmStart, progress, problemName) { EvaluatePlan = evaluatePlan };
        return await run.SolveAsync(cancellationToken).ConfigureAwait(false);
    }
}
