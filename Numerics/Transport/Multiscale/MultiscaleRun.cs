using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The state of one multiscale solve: the two hierarchies, the current level with its potentials and
/// block pattern, the pairs dropped so far, and the per-level counters.
/// </summary>
internal sealed class MultiscaleRun
{
    private readonly SinkhornProblem problem;
    private readonly SinkhornOptions options;
    private readonly MultiscaleOptions multiscale;
    private readonly ClusterHierarchy source;
    private readonly ClusterHierarchy target;
    private readonly double[] schedule;
    private readonly double[] jumpEpsilon;
    private readonly long[] evaluations;
    private readonly int[] iterationsPerLevel;
    private readonly long[] survivingPairs;
    private MultiscaleStage stage;
    private List<(int Source, int Target)> kept = [];
    private List<BlockPair> dropped = [];
    private double[] f;
    private double[] g;
    private double[] candidate;
    private int iterations;

    // Annealing stages skipped by a warm start: iteration k runs at schedule[k + skippedStages].
    private int skippedStages;
    private MarginalReport report;
    private double sourceDual;

    public MultiscaleRun(SinkhornProblem problem, SinkhornOptions options, MultiscaleOptions multiscale, MultiscaleWarmStart? warmStart = null)
    {
        this.problem = problem;
        this.options = options;
        this.multiscale = multiscale;
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var morton = new MortonOrder(box);
        var (sourceCodes, sourceOrder) = morton.Sort(problem.Source.Positions, problem.Source.Count);
        var (targetCodes, targetOrder) = morton.Sort(problem.Target.Positions, problem.Target.Count);
        var depths = LevelDepths.Choose(morton, sourceCodes, targetCodes, multiscale, Math.Sqrt(options.Epsilon / options.Cost.Scale()));
        source = ClusterHierarchy.Build(problem.Source, morton, sourceCodes, sourceOrder, depths);
        target = ClusterHierarchy.Build(problem.Target, morton, targetCodes, targetOrder, depths);
        schedule = EpsilonSchedule.Create(SinkhornProblem.MaxCost(box, options.Cost), options.Epsilon, options.Scaling);
        var levels = source.LevelCount;
        evaluations = new long[levels];
        iterationsPerLevel = new int[levels];
        survivingPairs = new long[levels];

        // GeomLoss's cluster_scale rule: level m is left once the blur sqrt(eps / s) falls below the
        // largest radius of its clusters (measured on the points), i.e. eps < s r_m^2.
        jumpEpsilon = new double[levels];
        for (var m = 1; m < levels; m++)
        {
            var radius = Math.Max(source.Radii(m, 0).DefaultIfEmpty(0).Max(), target.Radii(m, 0).DefaultIfEmpty(0).Max());
            jumpEpsilon[m] = options.Cost.Scale() * radius * radius;
        }

        var top = levels - 1;
        f = new double[source[top].Count];
        g = new double[target[top].Count];
        candidate = new double[target[top].Count];
        stage = MultiscaleStage.Create(source, target, top, top, null, options);
        survivingPairs[top] = (long)source[top].Count * target[top].Count;
        if (warmStart is not null)
        {
            StartWarm(warmStart);
        }
    }

    /// <summary>
    /// Puts the given potentials on the points, skips the annealing and searches the pattern of the points
    /// level from every coarsest pair with them (dense when there is one level).
    /// </summary>
    private void StartWarm(MultiscaleWarmStart warmStart)
    {
        f = new double[source[0].Count];
        g = new double[target[0].Count];
        candidate = new double[g.Length];
        for (var s = 0; s < f.Length; s++)
        {
            f[s] = warmStart.F[source.Order[s]];
        }

        for (var s = 0; s < g.Length; s++)
        {
            g[s] = warmStart.G[target.Order[s]];
        }

        skippedStages = schedule.Length - 1;
        if (source.LevelCount == 1)
        {
            return;
        }

        var search = new TruncationSearch(source, target, 0, f, g, options.Epsilon, multiscale.Truncation, options.Cost);
        var (newKept, newDropped) = search.Search([.. search.CoarsestPairs()]);
        search.CoverEveryRowAndColumn(newKept);
        kept = newKept;
        dropped = newDropped;
        UsePattern(0);
    }

    public MultiscaleOutput Solve(CancellationToken cancellationToken)
    {
        var converged = Iterate(cancellationToken);
        var refinements = 0;
        long readmitted = 0;
        var neglected = NeglectedMass(out var search, out var masses);
        while (converged && multiscale.Safeguard && neglected > multiscale.NeglectedMassTolerance && refinements < multiscale.MaxRefinements)
        {
            readmitted += Readmit(search, masses, neglected);
            refinements++;
            converged = Iterate(cancellationToken);
            neglected = NeglectedMass(out search, out masses);
        }

        if (multiscale.Safeguard && neglected > multiscale.NeglectedMassTolerance)
        {
            converged = false;
        }

        return Finish(converged, neglected, refinements, readmitted);
    }

    /// <summary>
    /// Runs the schedule from the current state: one iteration per annealing eps, jumping levels when
    /// eps falls below the current level's cluster scale, then iterations at the target eps on the
    /// points until the kept-block column error is below the tolerance (or the cap). Same alternating
    /// update and stopping test as <see cref="SinkhornDriver"/>.
    /// </summary>
    private bool Iterate(CancellationToken cancellationToken)
    {
        while (iterations < options.MaxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var annealing = iterations + skippedStages < schedule.Length - 1;
            var epsilon = annealing ? schedule[iterations + skippedStages] : options.Epsilon;
            while (stage.Level > 0 && (!annealing || epsilon < jumpEpsilon[stage.Level]))
            {
                Jump(epsilon);
            }

            stage.SourceUpdate.Apply(g, epsilon, f);
            stage.TargetUpdate.Apply(f, epsilon, candidate);
            evaluations[stage.Level] += stage.SourceUpdate.EvaluationsPerCall + stage.TargetUpdate.EvaluationsPerCall;
            sourceDual = Weighted(f, source[stage.Level].Weights);
            report = MarginalReport.Measure(target[stage.Level].Weights, g, candidate, epsilon);
            iterations++;
            iterationsPerLevel[stage.Level]++;
            var last = iterations >= options.MaxIterations;
            if (!annealing && (iterations % options.CheckEvery == 0 || last) && report.L1 < options.Tolerance)
            {
                return true;
            }

            if (last)
            {
                break;
            }

            (g, candidate) = (candidate, g);
        }

        return false;
    }

    /// <summary>
    /// Moves from level k to k - 1: extrapolates f and g to the finer entities by one restricted soft
    /// c-transform against the coarse opposite potentials (the current pattern, applied to finer queries),
    /// then searches the new pattern with those potentials, starting from the current kept and dropped
    /// pairs (or from every coarsest pair on the first jump).
    /// </summary>
    private void Jump(double epsilon)
    {
        var coarse = stage.Level;
        var fine = coarse - 1;
        var coarsePattern = coarse == source.LevelCount - 1 ? null : stage.Pattern;
        var extrapolation = MultiscaleStage.Create(source, target, coarse, fine, coarsePattern, options);
        var fineF = new double[source[fine].Count];
        var fineG = new double[target[fine].Count];
        extrapolation.SourceUpdate.Apply(g, epsilon, fineF);
        extrapolation.TargetUpdate.Apply(f, epsilon, fineG);
        evaluations[fine] += extrapolation.SourceUpdate.EvaluationsPerCall + extrapolation.TargetUpdate.EvaluationsPerCall;
        f = fineF;
        g = fineG;
        candidate = new double[fineG.Length];

        var search = new TruncationSearch(source, target, fine, f, g, epsilon, multiscale.Truncation, options.Cost);
        IEnumerable<BlockPair> start = coarsePattern is null
            ? search.CoarsestPairs()
            : kept.Select(p => new BlockPair(coarse + 1, p.Source, p.Target)).Concat(dropped);
        var (newKept, newDropped) = search.Search(start.ToList());
        search.CoverEveryRowAndColumn(newKept);
        kept = newKept;
        dropped = newDropped;
        UsePattern(fine);
    }

    private void UsePattern(int level)
    {
        var pattern = BlockPattern.FromPairs(source[level + 1].Count, target[level + 1].Count, kept);
        kept = [.. pattern.Pairs()];
        stage = MultiscaleStage.Create(source, target, level, level, pattern, options);
        survivingPairs[level] = pattern.PairCount;
    }

    /// <summary>Re-evaluates every dropped pair's mass bound with the current potentials (zero when dense).</summary>
    private double NeglectedMass(out TruncationSearch? search, out double[] masses)
    {
        if (source.LevelCount == 1)
        {
            search = null;
            masses = [];
            return 0;
        }

        search = new TruncationSearch(source, target, 0, f, g, options.Epsilon, multiscale.Truncation, options.Cost);
        var bounds = new double[dropped.Count];
        var total = 0.0;
        for (var k = 0; k < dropped.Count; k++)
        {
            bounds[k] = search.MassBound(dropped[k]);
            total += bounds[k];
        }

        masses = bounds;
        return total;
    }

    /// <summary>
    /// Re-admits the dropped pairs of largest mass bound until the remaining bound is at most half the
    /// tolerance (so the next round has room for the potentials to move): each is split down to the block
    /// level, its children tested again. Returns how many pairs were re-admitted.
    /// </summary>
    private long Readmit(TruncationSearch? search, double[] masses, double neglected)
    {
        ArgumentNullException.ThrowIfNull(search);
        var order = Enumerable.Range(0, dropped.Count).OrderByDescending(k => masses[k]).ToArray();
        var forced = new HashSet<BlockPair>();
        var remaining = neglected;
        foreach (var k in order)
        {
            if (remaining <= 0.5 * multiscale.NeglectedMassTolerance)
            {
                break;
            }

            forced.Add(dropped[k]);
            remaining -= masses[k];
        }

        var (newKept, newDropped) = search.Search(forced, forced);
        kept.AddRange(newKept);
        dropped = [.. dropped.Where(p => !forced.Contains(p)).Concat(newDropped)];
        UsePattern(0);
        return forced.Count;
    }

    private MultiscaleOutput Finish(bool converged, double neglected, int refinements, long readmitted)
    {
        // Cost with row normalisation at the final g, exactly as the dense output evaluates it.
        var meanSquared = new double[f.Length];
        stage.SourceUpdate.MeanSquaredDistance(g, options.Epsilon, meanSquared);
        evaluations[0] += stage.SourceUpdate.EvaluationsPerCall;
        var a = source[0].Weights;
        var cost = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != 0)
            {
                cost += a[i] * options.Cost.Scale() * meanSquared[i];
            }
        }

        // The barycentric map over the kept blocks (one more sparse pass), returned in input order like f.
        var d = problem.Source.Dimension;
        var map = new double[f.Length * d];
        stage.SourceUpdate.BarycentricMap(g, options.Epsilon, map);
        evaluations[0] += stage.SourceUpdate.EvaluationsPerCall;
        var mapInput = new double[map.Length];
        for (var s = 0; s < f.Length; s++)
        {
            map.AsSpan(s * d, d).CopyTo(mapInput.AsSpan(source.Order[s] * d));
        }

        var fInput = new double[f.Length];
        var gInput = new double[g.Length];
        for (var s = 0; s < f.Length; s++)
        {
            fInput[source.Order[s]] = f[s];
        }

        for (var s = 0; s < g.Length; s++)
        {
            gInput[target.Order[s]] = g[s];
        }

        PotentialNormalisation.Balance(fInput, problem.Source.Weights, gInput, problem.Target.Weights);
        var levels = new List<MultiscaleLevelReport>();
        for (var m = 0; m < source.LevelCount; m++)
        {
            var possible = m + 1 < source.LevelCount
                ? (long)source[m + 1].Count * target[m + 1].Count
                : (long)source[m].Count * target[m].Count;
            levels.Add(new MultiscaleLevelReport(m, source[m].Count, target[m].Count, survivingPairs[m], possible, iterationsPerLevel[m], evaluations[m]));
        }

        return new MultiscaleOutput
        {
            F = fInput,
            G = gInput,
            Map = mapInput,
            Epsilon = options.Epsilon,
            TransportCost = cost,
            Objective = sourceDual + report.PotentialMass,
            Dual = sourceDual + report.WeightedPotential,
            MarginalError = report.L1,
            NeglectedMass = neglected,
            Iterations = iterations,
            Converged = converged,
            Refinements = refinements,
            ReadmittedPairs = readmitted,
            Levels = levels,
        };
    }

    private static double Weighted(double[] p, double[] w)
    {
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            if (w[i] != 0)
            {
                sum += w[i] * p[i];
            }
        }

        return sum;
    }
}
