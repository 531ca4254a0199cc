using Orleans.Serialization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// One multiscale solve (cross, or a self problem) of clouds that stay on a problem's Sinkhorn shards, as the Sinkhorn
/// job and the multiscale Sinkhorn-divergence flow both run it: the shards sort the clouds along the Morton curve and
/// summarise their leaves (<see cref="DistributedMortonSort"/>), the caller's grain runs the coarse levels on those
/// summaries with <see cref="MultiscaleSinkhornSolver.SolveOnPointsAsync(ClusterHierarchy, ClusterHierarchy, Numerics.Geometry.BoundingBox, LeafSizeChoice, SinkhornOptions, MultiscaleOptions, IMultiscalePoints, bool, bool, MultiscalePointsWarmStart?, Action{SinkhornProgress}?, string, CancellationToken)"/>
/// and asks the shards for everything on the points (<see cref="ShardMultiscalePoints"/>). A solve whose hierarchy cannot
/// help runs dense on the shards, as the in-process solver then does. The sort and the points go when the solve ends;
/// the outputs asked for stay on the shards of their input rows.
/// </summary>
internal sealed class ShardMultiscaleSolve(IGrainFactory grains, string problemId, int[] sourceOffsets, int[] targetOffsets, Serializer serializer, int chunkBytes)
{
    private readonly DistributedMortonSort sort = new(grains, problemId, sourceOffsets, targetOffsets, chunkBytes);

    /// <summary>Solves <paramref name="term"/> on the shards; see the class remarks.</summary>
    /// <param name="term">Which problem.</param>
    /// <param name="options">The solve's Sinkhorn options.</param>
    /// <param name="multiscale">The multiscale options.</param>
    /// <param name="request">What to evaluate and keep, and where to start from.</param>
    /// <param name="progress">Progress of the iterations (called off the grain scheduler).</param>
    /// <param name="token">Cancels the solve.</param>
    public async Task<MultiscaleOutput> SolveAsync(SinkhornTerm term, SinkhornOptions options, MultiscaleOptions multiscale, ShardSolveRequest request, Action<SinkhornProgress>? progress, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var sorted = await sort.RunAsync(term, options, multiscale, token);
            if (sorted.DenseReason is { } reason)
            {
                var dense = await SolveDenseAsync(term, options, multiscale, sorted, request, progress, token);
                return dense with
                {
                    DenseReason = reason,
                    LeafClusterSize = sorted.LeafChoice.LeafClusterSize,
                    EstimatedPeakBytes = sorted.LeafChoice.EstimatedPeakBytes,
                    ResidentValues = sorted.RetainedValues,
                };
            }

            var points = new ShardMultiscalePoints(grains, problemId, sourceOffsets, targetOffsets, term, sorted, serializer, chunkBytes, options)
            {
                MapEvaluated = request.EvaluatePlan,
                ReturnsOutputs = request.KeepOutputs,
                WarmFrom = request.Warm is null ? null : term,
                WarmShift = request.WarmShift,
            };

            // Off the grain scheduler (the coarse levels and the pattern searches are long CPU work) so that status queries
            // stay answered; the shards are called from there like from any other caller.
            var solved = await Task.Run(
                () => MultiscaleSinkhornSolver.SolveOnPointsAsync(
                    sorted.Source.Hierarchy, sorted.Target.Hierarchy, sorted.Box, sorted.LeafChoice, options, sorted.Multiscale, points,
                    selfProblem: term != SinkhornTerm.Cross, request.EvaluatePlan, request.Warm, progress, term.Name(), token),
                token);

            // What the caller held: the run's cluster levels, potentials and patterns, the sort's, the shards' layouts.
            return solved with { ResidentValues = solved.ResidentValues + sorted.RetainedValues + points.RetainedValues };
        }
        finally
        {
            // The outputs asked for are with the input rows' shards now: the solve's points, sort and potentials can go.
            await sort.ReleaseAsync(term);
            await new DistributedSinkhornBackend(grains, problemId, sourceOffsets, targetOffsets, term).ReleaseAsync();
        }
    }

    /// <summary>
    /// The dense solve on the shards' input rows (the hierarchy cannot help): cold, or warm from the outputs the shards
    /// hold; the same schedule and factors as the in-process solver's one-level run.
    /// </summary>
    private async Task<MultiscaleOutput> SolveDenseAsync(SinkhornTerm term, SinkhornOptions options, MultiscaleOptions multiscale, MortonSortedHierarchies sorted, ShardSolveRequest request, Action<SinkhornProgress>? progress, CancellationToken token)
    {
        var backend = new DistributedSinkhornBackend(grains, problemId, sourceOffsets, targetOffsets, term);
        var (sourceCount, targetCount) = term switch
        {
            SinkhornTerm.Cross => (sourceOffsets[^1], targetOffsets[^1]),
            SinkhornTerm.SelfSource => (sourceOffsets[^1], sourceOffsets[^1]),
            _ => (targetOffsets[^1], targetOffsets[^1]),
        };
        var rows = Shards(term == SinkhornTerm.SelfTarget ? CloudSide.Target : CloudSide.Source);
        var columns = term == SinkhornTerm.Cross ? Shards(CloudSide.Target) : [];
        await backend.ReleaseAsync();
        if (request.Warm is not null)
        {
            await Task.WhenAll(rows.Concat(columns).Select(s => s.SeedFromOutputsAsync(term, request.WarmShift)));
        }

        // The in-process one-level run takes its over-relaxation from the multiscale options, as here.
        var denseOptions = options with { Overrelaxation = multiscale.Overrelaxation ?? options.Overrelaxation };
        var dense = await SinkhornSolver.SolveOnBackendAsync(
            backend, denseOptions, sourceCount, targetCount, sorted.Box, term != SinkhornTerm.Cross, term.Name(), request.EvaluatePlan,
            warm: request.Warm is not null, request.Warm?.Relaxation, progress, checkpoints: null, resume: null, token);
        if (request.KeepOutputs)
        {
            // The dense solve's potentials are already on the input rows' shards: they become the outputs.
            await Task.WhenAll(rows.Select(s => s.KeepOutputsAsync(term, CloudSide.Source, request.EvaluatePlan)));
            await Task.WhenAll((term == SinkhornTerm.Cross ? columns : rows).Select(s => s.KeepOutputsAsync(term, CloudSide.Target, false)));
        }

        return dense;
    }

    private ISinkhornShardGrain[] Shards(CloudSide side)
    {
        var offsets = side == CloudSide.Source ? sourceOffsets : targetOffsets;
        return [.. Enumerable.Range(0, offsets.Length - 1).Select(k => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, side, k)))];
    }
}

/// <summary>What a <see cref="ShardMultiscaleSolve"/> evaluates and keeps, and where it starts from.</summary>
/// <param name="EvaluatePlan">Evaluate the plan's cost and map at the end.</param>
/// <param name="KeepOutputs">Leave the potentials (and the map, when evaluated) on the shards of their input rows.</param>
/// <param name="Warm">Null: cold. Otherwise start from this solve's outputs on the input rows' shards, with this factor.</param>
/// <param name="WarmShift">The balancing shift of those outputs (f - shift, g + shift are the potentials to start from).</param>
internal sealed record ShardSolveRequest(bool EvaluatePlan, bool KeepOutputs, MultiscalePointsWarmStart? Warm = null, double WarmShift = 0);
