namespace Transport.Numerics.Transport.Multiscale;

/// <summary>What a <see cref="IMultiscalePointsBackend"/> needs to iterate on the points.</summary>
/// <param name="Source">Source hierarchy (level 0 = points in Morton order, level 1 = leaf clusters).</param>
/// <param name="Target">Target hierarchy.</param>
/// <param name="Pattern">
/// Kept (source leaf cluster, target leaf cluster) pairs; null when the solve has one level (dense: every
/// point against every point, only supported in process).
/// </param>
/// <param name="F">Source potential, sorted order (copied by the backend).</param>
/// <param name="G">Target potential, sorted order (copied by the backend).</param>
/// <param name="Options">Cost, precision and parallelism of the kernels.</param>
/// <param name="SelfProblem">
/// One cloud against itself: the two hierarchies (and so the shard layouts) are the same, row s of f and of g is the
/// same point, and symmetric steps (<see cref="SinkhornUpdate.Averaged"/>) blend with the other potential.
/// </param>
public sealed record MultiscalePointsInstall(
    ClusterHierarchy Source,
    ClusterHierarchy Target,
    BlockPattern? Pattern,
    double[] F,
    double[] G,
    SinkhornOptions Options,
    bool SelfProblem = false);
