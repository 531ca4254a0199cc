using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The one Sinkhorn loop, for every solve: dense or multiscale, cross or self, in process or on shards. Its state is
/// the two hierarchies (one level, the points, for a dense solve; none when the points live only on the backend), the
/// current level with its potentials and block pattern, the pairs dropped so far, and the per-level counters. The
/// coarse levels run here; once a pattern is on the points (level 0: every block for a dense solve) the iterations and
/// the final cost and map run on an <see cref="ISinkhornBackend"/> (in process or on shards), while the jump, the
/// safeguard's bounds and the re-admission stay here because they need both hierarchies. The schedule (annealing,
/// relaxation, stopping test, progress) is <see cref="SinkhornSchedule"/>.
/// </summary>
internal sealed partial class SinkhornRun
{
    private readonly SinkhornOptions options;
    private readonly MultiscaleOptions multiscale;
    // The hierarchies (level 0: the points); null when the points live only on the backend (a cluster's dense solve).
    private readonly ClusterHierarchy? source;
    private readonly ClusterHierarchy? target;
    private readonly int sourceCount;
    private readonly int targetCount;
    private readonly int levelCount;

    private ClusterHierarchy Source => source ?? throw new InvalidOperationException("the points live on the backend only");

    private ClusterHierarchy Target => target ?? throw new InvalidOperationException("the points live on the backend only");
    private readonly SinkhornSchedule schedule;

    // Per level, the eps below which the solve leaves it (set at the start from the clusters' radii on the points).
    private readonly double[] jumpEpsilon;
    private readonly long[] evaluations;
    private readonly int[] iterationsPerLevel;
    private readonly long[] survivingPairs;
    private readonly long[] shardPairs;
    private readonly long[] bytesExchanged;
    private readonly Func<ISinkhornBackend> pointsFactory;

    // The multiscale solve's leaf size and its memory estimate; null for a dense solve (no hierarchy was chosen).
    private readonly LeafSizeChoice? leafChoice;

    // A self problem (one cloud against itself, the same hierarchy on both sides) keeps symmetric patterns.
    private readonly bool selfProblem;

    // Stall detection on the points: the error at the start of the current window (see StallWindow).
    private int windowStart = -1;
    private double windowError;

    // Why the solve runs (or ended up running) the dense schedule on the points; null while multiscale.
    private string? denseReason;

    // The transforms of the current coarse level; null once the potentials live on the points backend.
    private MultiscaleStage? stage;
    private int level;

    // Pattern on the points (null: one dense level) and whether the backend holds it with the current f, g.
    private BlockPattern? pointsPattern;
    private ISinkhornBackend? points;

    // The points of a solve with cluster levels, with their potentials once the solve reaches them (null: one level).
    // The run's f and g are then empty: it holds potentials of cluster levels only.
    private readonly IMultiscalePoints? pointSide;
    // A warm solve puts the point side's warm potentials on the points at the start (then searches the pattern there).
    private bool pendingWarmStart;

    // Array values of the cluster levels (1 and up) held here, and the most the run held beside them (ResidentValues).
    private readonly long clusterValues;
    private long peakResident;
    private bool installed;
    // Pairs a search kept, until UsePattern puts them in keptPattern (the current level's pattern, null before one).
    private List<(int Source, int Target)> kept = [];
    private BlockPattern? keptPattern;
    private DroppedPairs dropped = DroppedPairs.Empty;
    private double[] f;
    private double[] g;
    private double[] candidate;
    private MarginalReport report;
    private double sourceDual;

    /// <summary>Iterations at the target eps on the points over which the marginal error must at least halve.</summary>
    internal const int StallWindow = 50;

    /// <summary>
    /// A stall is blamed on the pattern (and the pattern refined) only when the dropped mass bound is at least this
    /// fraction of the marginal error: far below it, the dropped blocks cannot be what holds the error up.
    /// </summary>
    private const double StallMassFraction = 1e-3;

    /// <summary>Most leaf block pairs for which the solve may fall back to keeping every block (listed explicitly).</summary>
    private const double MaxDenseFallbackPairs = 4e6;

    /// <summary>A neglected-mass bound above this is no mass bound at all (the plan has mass 1): the pattern is wrong.</summary>
    private const double ImpossibleMass = 1.0;

    /// <summary>Runs the solve to convergence, the cap, or the end of the safeguard's refinements.</summary>
    public async Task<MultiscaleOutput> SolveAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        var outcome = await IterateAsync(cancellationToken);
        var refinements = 0;
        long readmitted = 0;
        var (neglected, search) = await NeglectedMassAsync(cancellationToken);
        while (true)
        {
            var patternSuspect = neglected > multiscale.NeglectedMassTolerance;
            if (outcome == IterationOutcome.Converged && !(multiscale.Safeguard && patternSuspect))
            {
                break;
            }

            if (outcome == IterationOutcome.Stalled && !(neglected > StallMassFraction * report.L1))
            {
                // Slow but not for want of blocks (the dropped mass could not explain the marginal error): keep
                // iterating, the next window measured afresh.
                outcome = await IterateAsync(cancellationToken);
                (neglected, search) = await NeglectedMassAsync(cancellationToken);
                continue;
            }

            if (outcome == IterationOutcome.Capped && (level > 0 || !(neglected > ImpossibleMass)))
            {
                break;
            }

            // The pattern misses mass: re-admit the heaviest dropped blocks and iterate on. When the refinements are
            // used up, or the kept blocks are most of the problem anyway, the points run the dense schedule instead.
            // All blocks are listed explicitly, so the dense fall-back is for problems whose leaf block pairs fit
            // (MaxDenseFallbackPairs); a larger one that keeps failing stops refining and reports what it has.
            var denseAllowed = levelCount > 1 && (double)Source[1].Count * Target[1].Count <= MaxDenseFallbackPairs;
            if (!denseAllowed && refinements >= multiscale.MaxRefinements)
            {
                break;
            }

            if (denseAllowed && (refinements >= multiscale.MaxRefinements || KeptFraction() > 0.5))
            {
                SwitchToDense(refinements >= multiscale.MaxRefinements
                    ? outcome == IterationOutcome.Stalled
                        ? $"the solve still stalled at marginal error {report.L1:G3} (dropped mass bound {neglected:G3}) after {refinements} refinements of the block pattern"
                        : $"the block pattern still missed a mass bound of {neglected:G3} after {refinements} refinements"
                    : "the refined block pattern keeps most block pairs");
            }
            else
            {
                // A stall with a small bound still points at the pattern (a kept block whose mass has nowhere to
                // go drifts the potentials slowly): re-admit at least the heavier half of the dropped mass.
                var target = outcome == IterationOutcome.Stalled && !patternSuspect
                    ? 0.5 * neglected
                    : 0.5 * multiscale.NeglectedMassTolerance;
                readmitted += Readmit(search, neglected, target);
                refinements++;
            }

            // A solve at its cap (capped, or converged on its last allowed iteration) gets one plain iteration on the new
            // pattern so that its outputs describe that pattern.
            schedule.ProblemChanged();
            if (schedule.Exhausted)
            {
                schedule.AllowOneMore();
            }

            outcome = await IterateAsync(cancellationToken);
            (neglected, search) = await NeglectedMassAsync(cancellationToken);
        }

        var converged = outcome == IterationOutcome.Converged && !(multiscale.Safeguard && neglected > multiscale.NeglectedMassTolerance);
        return await FinishAsync(converged, neglected, refinements, readmitted, cancellationToken);
    }

    /// <summary>How a run of iterations ended.</summary>
    private enum IterationOutcome
    {
        /// <summary>The kept-block marginal error met the tolerance (after a plain step).</summary>
        Converged,

        /// <summary>The iteration cap was reached.</summary>
        Capped,

        /// <summary>On the points at the target eps, the error failed to halve over <see cref="StallWindow"/> iterations.</summary>
        Stalled,
    }

    /// <summary>
    /// Runs the schedule from the current state: one iteration per annealing eps, jumping levels when
    /// eps falls below the current level's cluster scale, then iterations at the target eps on the
    /// points until the kept-block column error is below the tolerance, the cap, or a stall (a stall needs dropped
    /// blocks: a dense solve only stops at the tolerance or the cap).
    /// </summary>
    private async Task<IterationOutcome> IterateAsync(CancellationToken cancellationToken)
    {
        windowStart = -1;
        while (!schedule.Exhausted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var annealing = schedule.Annealing;
            var epsilon = schedule.Epsilon;
            while (level > 0 && (!annealing || epsilon < jumpEpsilon[level]))
            {
                await JumpAsync(epsilon, cancellationToken);
            }

            // Cross problems: relaxed alternating steps on the points, plain ones on coarse levels; self problems:
            // symmetric averaged steps everywhere (SinkhornSchedule).
            var update = schedule.NextUpdate(relaxable: level == 0);
            if (level == 0)
            {
                await InstallAsync(cancellationToken);
                var step = await points!.IterateAsync(epsilon, update, cancellationToken);
                evaluations[0] += step.KernelEvaluations;
                bytesExchanged[0] += step.BytesExchanged;
                sourceDual = step.SourceDual;
                report = step.Report;
            }
            else
            {
                CoarseIteration(epsilon, update);
            }

            iterationsPerLevel[level]++;
            if (schedule.Record(update, report, relaxable: level == 0))
            {
                return IterationOutcome.Converged;
            }

            if (schedule.Exhausted)
            {
                break;
            }

            if (!annealing && level == 0 && !schedule.PolishPending && Stalled())
            {
                return IterationOutcome.Stalled;
            }

            if (level == 0)
            {
                await points!.CommitAsync(update, cancellationToken);
                await CheckpointAsync(cancellationToken);
            }
            else
            {
                (g, candidate) = (candidate, g);
            }
        }

        return IterationOutcome.Capped;
    }

    /// <summary>
    /// One iteration on a coarse level, in process: plain for a cross problem (relaxation is only used on the points),
    /// symmetric for a self problem (the two sides are the same clusters in the same order).
    /// </summary>
    private void CoarseIteration(double epsilon, SinkhornUpdate update)
    {
        var coarse = stage!;
        var transformed = update.IsPlain ? f : new double[f.Length];
        coarse.SourceUpdate.Apply(g, epsilon, transformed);
        if (!update.IsPlain)
        {
            update.Blend(f, g, transformed);
        }

        coarse.TargetUpdate.Apply(f, epsilon, candidate);
        evaluations[level] += coarse.SourceUpdate.EvaluationsPerCall + coarse.TargetUpdate.EvaluationsPerCall;
        sourceDual = MultiscalePartials.Weighted(f, Source[level].Weights);
        report = MarginalReport.Measure(Target[level].Weights, g, candidate, epsilon);
        if (!update.IsPlain)
        {
            // The commit of a symmetric step blends the candidate with f; the loop then swaps it into g.
            update.Blend(candidate, f, candidate);
        }
    }

    private async Task InstallAsync(CancellationToken cancellationToken)
    {
        if (installed)
        {
            return;
        }

        // A single level is dense: only the in-process backend does it (nothing to split into blocks). With cluster
        // levels the point side holds the points and their potentials; without the hierarchies the backend does.
        points ??= pointSide ?? (levelCount == 1 ? new LocalSinkhornBackend() : pointsFactory());
        var install = pointSide is not null || source is null
            ? new SinkhornInstall(null, null, pointsPattern, null, null, options, selfProblem)
            : new SinkhornInstall(source, target, pointsPattern, f, g, options, selfProblem);
        shardPairs[0] = await points.InstallAsync(install, cancellationToken);
        installed = true;
    }
}
