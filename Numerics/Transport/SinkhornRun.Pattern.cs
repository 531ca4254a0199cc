using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The block pattern of a multiscale solve: the jump to a finer level and its truncation search, the safeguard
/// (neglected mass, stalls, re-admission) and the fall-back to all blocks (the dense schedule on the points).
/// </summary>
internal sealed partial class SinkhornRun
{
    /// <summary>
    /// Whether the marginal error on the points failed to halve over the last <see cref="StallWindow"/> iterations
    /// (or is not finite). A block pattern that admits no plan with the given marginals, or only plans that vanish on
    /// some kept blocks, makes Sinkhorn stall at a fixed error while the potentials drift apart; its dropped blocks
    /// then carry a large mass bound, which the safeguard checks. A dense pattern is never suspect.
    /// </summary>
    private bool Stalled()
    {
        if (dropped.Count == 0)
        {
            return false;
        }

        if (!double.IsFinite(report.L1))
        {
            return true;
        }

        if (windowStart < 0 || report.L1 < 0.5 * windowError)
        {
            if (windowStart < 0 || schedule.Iterations - windowStart >= StallWindow)
            {
                windowStart = schedule.Iterations;
                windowError = report.L1;
            }

            return false;
        }

        return schedule.Iterations - windowStart >= StallWindow;
    }

    /// <summary>The kept block pairs on the points as a fraction of all block pairs.</summary>
    private double KeptFraction() =>
        levelCount == 1 ? 1.0 : (double)(keptPattern?.PairCount ?? 0) / ((double)Source[1].Count * Target[1].Count);

    /// <summary>
    /// Keeps every block pair on the points (the dense schedule, continuing from the current potentials), noting why.
    /// </summary>
    private void SwitchToDense(string reason)
    {
        denseReason = reason;
        kept = [];
        for (var i = 0; i < Source[1].Count; i++)
        {
            for (var j = 0; j < Target[1].Count; j++)
            {
                kept.Add((i, j));
            }
        }

        UsePattern(0, [], []);
    }

    /// <summary>
    /// Moves from level k to k - 1: extrapolates f and g to the finer entities by one restricted soft
    /// c-transform against the coarse opposite potentials (the current pattern, applied to finer queries),
    /// then searches the new pattern with those potentials, starting from the current kept and dropped
    /// pairs (or from every coarsest pair on the first jump). The jump to the points is the point side's
    /// (extrapolation, and the bounds the search needs): the potentials stay there.
    /// </summary>
    private async Task JumpAsync(double epsilon, CancellationToken cancellationToken)
    {
        var coarse = level;
        var fine = coarse - 1;
        var coarsePattern = coarse == Source.LevelCount - 1 ? null : stage!.Pattern;
        TruncationSearch search;
        if (fine == 0)
        {
            var side = pointSide!;
            evaluations[fine] += await side.ExtrapolateAsync(coarsePattern, f, g, epsilon, cancellationToken);
            LeaveForThePoints();
            var bounds = await side.BoundsAsync(cancellationToken);
            search = new TruncationSearch(Source, Target, fine, bounds.Source, bounds.Target, epsilon, multiscale.Truncation, options.Cost) { Symmetric = selfProblem, ImplicitBlockDrops = HasParents(fine) };
        }
        else
        {
            var extrapolation = MultiscaleStage.Create(Source, Target, coarse, fine, coarsePattern, options);
            var fineF = new double[Source[fine].Count];
            var fineG = new double[Target[fine].Count];
            extrapolation.SourceUpdate.Apply(g, epsilon, fineF);
            extrapolation.TargetUpdate.Apply(f, epsilon, fineG);
            evaluations[fine] += extrapolation.SourceUpdate.EvaluationsPerCall + extrapolation.TargetUpdate.EvaluationsPerCall;
            f = fineF;
            g = fineG;
            candidate = new double[fineG.Length];
            search = new TruncationSearch(Source, Target, fine, f, g, epsilon, multiscale.Truncation, options.Cost) { Symmetric = selfProblem, ImplicitBlockDrops = HasParents(fine) };
        }

        // The start (the kept pairs one level up, and every pair dropped so far) is read as the search goes: the old
        // pattern and drops are replaced only once it is done.
        IEnumerable<BlockPair> start = coarsePattern is null
            ? search.CoarsestPairs()
            : keptPattern!.Pairs().Select(p => new BlockPair(coarse + 1, p.Row, p.Column)).Concat(dropped);
        var found = search.Search(start);
        search.CoverEveryRowAndColumn(found.Kept);
        kept = found.Kept;
        UsePattern(fine, found.Dropped, found.Expanded);
    }

    /// <summary>
    /// Whether the blocks of stage <paramref name="stage"/> (clusters of level stage + 1) have parents, so that a search
    /// records the parents it expands instead of listing their dropped children (<see cref="ImplicitChildren"/>).
    /// </summary>
    private bool HasParents(int stage) => stage + 2 < levelCount;

    /// <summary>The potentials are on the points now, held by the point side: the run keeps none.</summary>
    private void LeaveForThePoints()
    {
        f = [];
        g = [];
        candidate = [];
    }

    /// <summary>
    /// Makes the kept pairs (<see cref="kept"/>, with mirrors and the diagonal for a self problem) the pattern of stage
    /// <paramref name="fine"/>, and the drops: <paramref name="listedDrops"/> as listed, and the unkept children of
    /// <paramref name="expandedParents"/> implicitly.
    /// </summary>
    private void UsePattern(int fine, IEnumerable<BlockPair> listedDrops, IReadOnlyCollection<(int Source, int Target)> expandedParents)
    {
        if (selfProblem)
        {
            // One cloud against itself (the searches are symmetric; this only guards the pairs added to cover rows):
            // with the diagonal blocks and every pair's mirror kept, the uniform plan inside
            // the diagonal blocks shifted by a little mass along each mirrored pair is a positive plan with the right
            // marginals on the pattern, so the restricted Sinkhorn converges (a one-sided pair would carry no mass in
            // any such plan and push the potentials apart for ever).
            var count = kept.Count;
            for (var k = 0; k < count; k++)
            {
                kept.Add((kept[k].Target, kept[k].Source));
            }

            for (var i = 0; i < Source[fine + 1].Count; i++)
            {
                kept.Add((i, i));
            }
        }

        var pattern = BlockPattern.FromPairs(Source[fine + 1].Count, Target[fine + 1].Count, kept);

        // The pattern holds the kept pairs from now on (compressed rows): the list of pairs goes.
        keptPattern = pattern;
        kept = [];
        dropped = expandedParents.Count == 0
            ? DroppedPairs.From(listedDrops)
            : DroppedPairs.From(listedDrops, new ImplicitChildren(fine + 1, BlockPattern.FromPairs(Source[fine + 2].Count, Target[fine + 2].Count, expandedParents), Source[fine + 2].ChildOffsets, Target[fine + 2].ChildOffsets, pattern));
        level = fine;
        survivingPairs[fine] = pattern.PairCount;
        if (fine == 0)
        {
            // The points' transforms are built by the backend (on the shards, for a cluster).
            stage = null;
            pointsPattern = pattern;
            installed = false;
            NoteResident();
            return;
        }

        stage = MultiscaleStage.Create(Source, Target, fine, fine, pattern, options);
        NoteResident();
    }

    /// <summary>Records what the run holds now beside its points: cluster levels, coarse potentials, pairs, patterns.</summary>
    private void NoteResident()
    {
        static long PatternValues(BlockPattern? pattern) => pattern is null ? 0 : pattern.RowStarts.Length + pattern.Columns.Length;
        var resident = clusterValues + f.Length + g.Length + candidate.Length + (2L * kept.Count) + dropped.Values
            + PatternValues(stage?.Pattern) + PatternValues(pointsPattern);
        peakResident = Math.Max(peakResident, resident);
    }

    /// <summary>Array values of the cluster levels of both sides (once for one hierarchy on both).</summary>
    private static long ClusterValues(ClusterHierarchy? source, ClusterHierarchy? target)
    {
        static long Of(ClusterHierarchy? hierarchy)
        {
            long values = 0;
            for (var m = 1; m < (hierarchy?.LevelCount ?? 0); m++)
            {
                values += hierarchy![m].Positions.Length + hierarchy[m].Weights.Length + hierarchy[m].ChildOffsets.Length;
            }

            return values;
        }

        return Of(source) + (ReferenceEquals(source, target) ? 0 : Of(target));
    }

    /// <summary>
    /// Re-evaluates every dropped pair's mass bound with the current potentials (zero when dense): the total and the
    /// search that measured it (null when dense), which gives each pair's bound again when the pairs are re-admitted.
    /// </summary>
    private async Task<(double Total, TruncationSearch? Search)> NeglectedMassAsync(CancellationToken cancellationToken)
    {
        if (levelCount == 1)
        {
            return (0, null);
        }

        // On the points (their bounds measured where they are), or on the coarse level a capped solve stopped at (its
        // potentials live here).
        TruncationSearch search;
        if (level == 0)
        {
            var measured = await pointSide!.BoundsAsync(cancellationToken);
            search = new TruncationSearch(Source, Target, 0, measured.Source, measured.Target, options.Epsilon, multiscale.Truncation, options.Cost) { Symmetric = selfProblem, ImplicitBlockDrops = HasParents(0) };
        }
        else
        {
            search = new TruncationSearch(Source, Target, level, f, g, options.Epsilon, multiscale.Truncation, options.Cost) { Symmetric = selfProblem, ImplicitBlockDrops = HasParents(level) };
        }

        var total = 0.0;
        foreach (var pair in dropped)
        {
            total += search.MassBound(pair);
        }

        return (total, search);
    }

    /// <summary>
    /// Re-admits the dropped pairs of largest mass bound until the remaining bound is at most
    /// <paramref name="remainingTarget"/> (half the tolerance, so the next round has room for the potentials to move;
    /// half the current bound after a stall): each is split down to the block
    /// level, its children tested again. Returns how many pairs were re-admitted.
    /// </summary>
    private long Readmit(TruncationSearch? search, double neglected, double remainingTarget)
    {
        ArgumentNullException.ThrowIfNull(search);
        var forced = new HashSet<BlockPair>();
        foreach (var pair in HeaviestPairs.Select(dropped, search.MassBound, neglected, remainingTarget))
        {
            forced.Add(pair);
            if (selfProblem)
            {
                // Keep the pattern symmetric: the mirror (same bound, same mass) goes with it.
                forced.Add(new BlockPair(pair.Level, pair.Target, pair.Source));
            }
        }

        forced.RemoveWhere(p => !dropped.Contains(p));
        var found = search.Search(forced, forced);
        kept = [.. keptPattern!.Pairs(), .. found.Kept];
        var parents = dropped.ExpandedParents.Concat(found.Expanded).ToList();
        var previous = dropped;
        UsePattern(0, previous.Listed.Where(p => !forced.Contains(p)).Concat(found.Dropped), parents);
        return forced.Count;
    }
}
