using Transport.Numerics.Geometry;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// Single-process log-domain Sinkhorn with eps-annealing (the reference path): the one Sinkhorn loop
/// (<see cref="SinkhornRun"/>, shared with the multiscale solver and the cluster) on one level, every point against
/// every point, in process (<see cref="LocalSinkhornBackend"/>).
/// </summary>
public static class SinkhornSolver
{
    /// <summary>
    /// Solves OT_eps(a, b). Validates <paramref name="options"/>, and eps against the problem's admissible range
    /// (<see cref="EpsilonRange"/>; throws <see cref="InvalidInputException"/>). Reaching the iteration cap is not an
    /// error: the output has <c>Converged = false</c>.
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
        EpsilonRange.Check(problem, options);
        var run = Run(problem, options, warmStart: null, progress, "cross", cancellationToken);
        return new SinkhornOutput(problem, options, run);
    }

    /// <summary>
    /// The dense solve of points that already live on <paramref name="backend"/> (a cluster's shards, which keep the
    /// uploaded points and the potentials): the same loop on one level, every block kept, the points and potentials
    /// never gathered (the output's arrays are empty, <see cref="MultiscaleOutput.ArraysOnBackend"/>; the backend serves
    /// them). Validates <paramref name="options"/>, and eps against the range of <paramref name="box"/> (or of
    /// <see cref="SinkhornOptions.CostScale"/>, which the self problems of a divergence set to the joint scale).
    /// </summary>
    /// <param name="backend">Where the points, the blocks and the potentials are.</param>
    /// <param name="options">Target eps, tolerance, cap, annealing, over-relaxation.</param>
    /// <param name="sourceCount">Source points on the backend.</param>
    /// <param name="targetCount">Target points on the backend.</param>
    /// <param name="box">The bounding box of the problem's clouds (annealing starts at its largest cost).</param>
    /// <param name="selfProblem">One cloud against itself (symmetric averaged steps).</param>
    /// <param name="problemName">The problem's name in progress and history ("cross", "self-source", "self-target").</param>
    /// <param name="evaluatePlan">Evaluate the transport cost (and the map, kept by the backend) at the end.</param>
    /// <param name="progress">Progress callback.</param>
    /// <param name="cancellationToken">Stops the loop between half-steps.</param>
    public static Task<MultiscaleOutput> SolveOnBackendAsync(
        ISinkhornBackend backend,
        SinkhornOptions options,
        int sourceCount,
        int targetCount,
        BoundingBox box,
        bool selfProblem,
        string problemName,
        bool evaluatePlan,
        Action<SinkhornProgress>? progress,
        CancellationToken cancellationToken) =>
        SolveOnBackendAsync(backend, options, sourceCount, targetCount, box, selfProblem, problemName, evaluatePlan, progress, checkpoints: null, resume: null, cancellationToken);

    /// <summary>
    /// As the overload without checkpoints, saving them to <paramref name="checkpoints"/> when due and, with
    /// <paramref name="resume"/>, continuing from that checkpoint (the backend restores its potentials when installed):
    /// the solve then ends with the numbers of the uninterrupted one.
    /// </summary>
    public static Task<MultiscaleOutput> SolveOnBackendAsync(
        ISinkhornBackend backend,
        SinkhornOptions options,
        int sourceCount,
        int targetCount,
        BoundingBox box,
        bool selfProblem,
        string problemName,
        bool evaluatePlan,
        Action<SinkhornProgress>? progress,
        ISinkhornCheckpoints? checkpoints,
        SinkhornRunCheckpoint? resume,
        CancellationToken cancellationToken) =>
        SolveOnBackendAsync(backend, options, sourceCount, targetCount, box, selfProblem, problemName, evaluatePlan, warm: false, progress, checkpoints, resume, cancellationToken);

    /// <summary>
    /// As the overload without <paramref name="warm"/>; with it, the backend holds warm potentials (the previous stage's
    /// solve of a flow on the same rows) and the solve starts at the target eps without annealing, exactly as the
    /// in-process solve started from a <see cref="MultiscaleWarmStart"/> does.
    /// </summary>
    public static Task<MultiscaleOutput> SolveOnBackendAsync(
        ISinkhornBackend backend,
        SinkhornOptions options,
        int sourceCount,
        int targetCount,
        BoundingBox box,
        bool selfProblem,
        string problemName,
        bool evaluatePlan,
        bool warm,
        Action<SinkhornProgress>? progress,
        ISinkhornCheckpoints? checkpoints,
        SinkhornRunCheckpoint? resume,
        CancellationToken cancellationToken) =>
        SolveOnBackendAsync(backend, options, sourceCount, targetCount, box, selfProblem, problemName, evaluatePlan, warm, initialRelaxation: null, progress, checkpoints, resume, cancellationToken);

    /// <summary>
    /// As the overload without <paramref name="initialRelaxation"/>, starting the over-relaxation at that factor (a
    /// nearby solve's final one, see <see cref="MultiscaleWarmStart.Relaxation"/>; null measures it), as the in-process
    /// solve started from a <see cref="MultiscaleWarmStart"/> with a factor does.
    /// </summary>
    public static Task<MultiscaleOutput> SolveOnBackendAsync(
        ISinkhornBackend backend,
        SinkhornOptions options,
        int sourceCount,
        int targetCount,
        BoundingBox box,
        bool selfProblem,
        string problemName,
        bool evaluatePlan,
        bool warm,
        double? initialRelaxation,
        Action<SinkhornProgress>? progress,
        ISinkhornCheckpoints? checkpoints,
        SinkhornRunCheckpoint? resume,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(box);
        options.Validate();
        EpsilonRange.For(options, box, Math.Max(sourceCount, targetCount)).Check(options.Epsilon);
        var run = new SinkhornRun(options, sourceCount, targetCount, box, selfProblem, backend, initialRelaxation, warm, progress, problemName)
        {
            EvaluatePlan = evaluatePlan,
            Checkpoints = checkpoints,
        };
        if (resume is not null)
        {
            run.Resume(resume);
        }

        return run.SolveAsync(cancellationToken);
    }

    /// <summary>
    /// The dense run of <paramref name="problem"/> (a self problem when both sides are the same cloud) from zero or warm
    /// potentials, without evaluating the plan (the caller does it when it needs it).
    /// </summary>
    internal static MultiscaleOutput Run(SinkhornProblem problem, SinkhornOptions options, MultiscaleWarmStart? warmStart, Action<SinkhornProgress>? progress, string name, CancellationToken cancellationToken)
    {
        // The in-process backend completes every call synchronously, so the task is done when it returns.
        var run = new SinkhornRun(problem, options, warmStart, progress, name) { EvaluatePlan = false };
        return run.SolveAsync(cancellationToken).GetAwaiter().GetResult();
    }
}
