using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>
/// The operations the Sinkhorn schedule (<see cref="SinkhornDriver"/>) needs, whether the blocks live in
/// this process (<see cref="LocalSinkhornBackend"/>) or on shard grains across a cluster. Every scalar
/// that comes back is a float64 sum over blocks taken in a fixed block order.
/// </summary>
public interface ISinkhornBackend
{
    /// <summary>
    /// Point-pair cost evaluations made so far by every block, summed: each soft c-transform of n
    /// queries against m keys counts n x m.
    /// </summary>
    long KernelEvaluations { get; }

    /// <summary>The bounding box of both clouds together (for the annealing start).</summary>
    ValueTask<BoundingBox> BoundingBoxAsync(CancellationToken cancellationToken);

    /// <summary>f = T_b(g) on every source block; returns &lt;f, a&gt;.</summary>
    ValueTask<double> UpdateSourceAsync(double epsilon, CancellationToken cancellationToken);

    /// <summary>g* = T_a(f) on every target block (kept as a candidate); reports the column marginal of the current (f, g).</summary>
    ValueTask<MarginalReport> CheckTargetAsync(double epsilon, CancellationToken cancellationToken);

    /// <summary>g = g* (the candidate of the last check).</summary>
    ValueTask CommitTargetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One symmetric step of the self problem of <paramref name="side"/>: every block computes its candidate
    /// from the unchanged potentials, then all commit. The report measures the state before the step, except
    /// <see cref="MarginalReport.WeightedPotential"/>, which is &lt;p, w&gt; after it.
    /// </summary>
    ValueTask<MarginalReport> SelfStepAsync(CloudSide side, double epsilon, SelfUpdate mode, CancellationToken cancellationToken);
}
