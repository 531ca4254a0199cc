using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>What a <see cref="ISinkhornBackend"/> needs to iterate on the points.</summary>
/// <param name="Source">
/// Source hierarchy (level 0 = the points, sorted; level 1 = leaf clusters); null when the backend already holds the
/// points (a cluster's dense solve: the shards keep the uploaded rows).
/// </param>
/// <param name="Target">Target hierarchy; null exactly when <paramref name="Source"/> is.</param>
/// <param name="Pattern">
/// Kept (source leaf cluster, target leaf cluster) pairs; null for a dense solve (one level: every point against every
/// point).
/// </param>
/// <param name="F">Source potential, sorted order (copied by the backend); null: keep the potential the backend holds.</param>
/// <param name="G">Target potential, sorted order (copied by the backend); null: keep the potential the backend holds.</param>
/// <param name="Options">Cost, precision and parallelism of the kernels.</param>
/// <param name="SelfProblem">
/// One cloud against itself: the two hierarchies (and so the shard layouts) are the same, row s of f and of g is the
/// same point, and symmetric steps (<see cref="SinkhornUpdate.Averaged"/>) blend with the other potential.
/// </param>
public sealed record SinkhornInstall(
    ClusterHierarchy? Source,
    ClusterHierarchy? Target,
    BlockPattern? Pattern,
    double[]? F,
    double[]? G,
    SinkhornOptions Options,
    bool SelfProblem = false);
