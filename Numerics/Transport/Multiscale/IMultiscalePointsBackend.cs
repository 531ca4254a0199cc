namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Where a multiscale solve does its work on the points (level 0) once a block pattern is on them: the
/// iterations, the swap of the target potential, and the final cost and map. The coarse levels, the jump to the
/// points (extrapolation and pattern search) and the safeguard stay with the caller, which holds both
/// hierarchies. <see cref="LocalMultiscalePointsBackend"/> runs in process; a cluster implementation spreads the
/// rows over shards. Calls come in this order: install, then iterate / commit rounds, gather whenever the caller
/// needs the potentials, install again after a re-admission, finish once.
/// </summary>
public interface IMultiscalePointsBackend
{
    /// <summary>
    /// Takes a pattern on the points with the potentials to start from (sorted order). Returns the number of
    /// (source part, target part) pairs that exchange potentials under the pattern (0 when everything stays in
    /// one process).
    /// </summary>
    ValueTask<long> InstallAsync(MultiscalePointsInstall install, CancellationToken cancellationToken);

    /// <summary>
    /// One iteration at <paramref name="epsilon"/>: T(g) on every source row, blended into f at once
    /// (<see cref="SinkhornUpdate"/>: f &lt;- f + w (T(g) - f), or for the symmetric step of a self problem
    /// f &lt;- g + w (T(g) - g) with g on the same points), then candidate = T(f) on every target row against the new f
    /// (g itself is not replaced: see <see cref="CommitAsync"/>). The step reports &lt;a, f&gt; of the f now held and the
    /// column-marginal report of g against the candidate.
    /// </summary>
    ValueTask<MultiscalePointsStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken);

    /// <summary>Blends the candidate into g: g &lt;- g + w (candidate - g), or g &lt;- f + w (candidate - f) for a symmetric step.</summary>
    ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken);

    /// <summary>The current f and g (sorted order), for the safeguard and the output.</summary>
    ValueTask<MultiscalePotentials> GatherAsync(CancellationToken cancellationToken);

    /// <summary>The transport cost and the barycentric map (sorted order) of the kept-block plan at the current g.</summary>
    ValueTask<MultiscalePointsFinish> FinishAsync(double epsilon, CancellationToken cancellationToken);
}
