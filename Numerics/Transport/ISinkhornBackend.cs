namespace Transport.Numerics.Transport;

/// <summary>
/// The one backend contract of every Sinkhorn solve (<see cref="SinkhornRun"/>): where the work on the points (level 0)
/// happens once a block pattern is on them, whether the pattern keeps every block (a dense solve) or is the truncated
/// pattern of a multiscale one: the iterations, the swap of the target potential, and the final cost and map. The
/// coarse levels, the jump to the points (extrapolation and pattern search) and the safeguard stay with the caller,
/// which holds both hierarchies. <see cref="LocalSinkhornBackend"/> runs in process; the cluster implementation
/// spreads the rows over shard grains. Calls come in this order: install, then iterate / commit rounds, gather
/// whenever the caller needs the potentials, install again after a re-admission, finish once.
/// </summary>
public interface ISinkhornBackend
{
    /// <summary>
    /// Takes a pattern on the points with the potentials to start from (sorted order). Returns the number of
    /// (source part, target part) pairs that exchange potentials under the pattern (0 when everything stays in
    /// one process).
    /// </summary>
    ValueTask<long> InstallAsync(SinkhornInstall install, CancellationToken cancellationToken);

    /// <summary>
    /// One iteration at <paramref name="epsilon"/>: T(g) on every source row, blended into f at once
    /// (<see cref="SinkhornUpdate"/>: f &lt;- f + w (T(g) - f), or for the symmetric step of a self problem
    /// f &lt;- g + w (T(g) - g) with g on the same points), then candidate = T(f) on every target row against the new f
    /// (g itself is not replaced: see <see cref="CommitAsync"/>). The step reports &lt;a, f&gt; of the f now held and the
    /// column-marginal report of g against the candidate.
    /// </summary>
    ValueTask<SinkhornStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken);

    /// <summary>Blends the candidate into g: g &lt;- g + w (candidate - g), or g &lt;- f + w (candidate - f) for a symmetric step.</summary>
    ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken);

    /// <summary>The current f and g (sorted order), for the safeguard and the output.</summary>
    ValueTask<SinkhornPotentials> GatherAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The transport cost and the barycentric map (sorted order) of the kept-block plan at the current g. A backend that
    /// keeps the points (the shards of a dense cluster solve) may keep the map too and return an empty one.
    /// </summary>
    ValueTask<SinkhornFinish> FinishAsync(double epsilon, CancellationToken cancellationToken);
}
