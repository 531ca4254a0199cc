using Transport.Numerics.Geometry;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>The three ways to start a solve: multiscale, dense in process, dense on a backend that holds the points.</summary>
internal sealed partial class SinkhornRun
{
    /// <summary>A multiscale solve of <paramref name="problem"/> (a single level when the hierarchy cannot help).</summary>
    public SinkhornRun(SinkhornProblem problem, SinkhornOptions options, MultiscaleOptions multiscale, MultiscaleWarmStart? warmStart, Func<ISinkhornBackend> pointsFactory, Action<SinkhornProgress>? progress = null, string problemName = "cross")
    {
        this.pointsFactory = pointsFactory;
        selfProblem = ReferenceEquals(problem.Source, problem.Target);
        this.options = options;
        this.multiscale = multiscale;
        var box = BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target));
        var morton = new MortonOrder(box);
        var (sourceCodes, sourceOrder) = morton.Sort(problem.Source.Positions, problem.Source.Count);
        var (targetCodes, targetOrder) = morton.Sort(problem.Target.Positions, problem.Target.Count);
        // The leaf size (given, or the smallest from 8 up whose estimated peak fits the memory budget) fixes the depths.
        var leaves = LeafSizeChoice.Choose(morton, sourceCodes, targetCodes, multiscale, Math.Sqrt(options.Epsilon / options.Cost.Scale()), options.Precision);
        this.multiscale = multiscale with { LeafClusterSize = leaves.LeafClusterSize };
        leafChoice = leaves;
        var depths = leaves.Depths;
        denseReason = LevelDepths.DenseReason(morton, sourceCodes, targetCodes, this.multiscale, depths);
        if (denseReason is not null)
        {
            depths = [];
        }

        source = ClusterHierarchy.Build(problem.Source, morton, sourceCodes, sourceOrder, depths);
        target = ClusterHierarchy.Build(problem.Target, morton, targetCodes, targetOrder, depths);
        sourceCount = problem.Source.Count;
        targetCount = problem.Target.Count;
        levelCount = Source.LevelCount;
        schedule = Prepare(box, warmStart?.Relaxation, warmStart is not null, progress, problemName);
        jumpEpsilon = new double[levelCount];
        evaluations = new long[levelCount];
        iterationsPerLevel = new int[levelCount];
        survivingPairs = new long[levelCount];
        shardPairs = new long[levelCount];
        bytesExchanged = new long[levelCount];
        var top = levelCount - 1;
        f = new double[Source[top].Count];
        g = new double[Target[top].Count];
        candidate = new double[Target[top].Count];
        level = top;

        // One level: the dense problem on the points, handed to the backend at the first iteration. Several: the points
        // and their potentials are held by the point side, which runs the iterations on a backend from the factory.
        stage = top > 0 ? MultiscaleStage.Create(Source, Target, top, top, null, options) : null;
        pointSide = top > 0 ? LocalMultiscalePoints.Create(Source, Target, pointsFactory, options, selfProblem, warmStart) : null;
        survivingPairs[top] = (long)Source[top].Count * Target[top].Count;
        if (warmStart is not null && top == 0)
        {
            f = (double[])warmStart.F.Clone();
            g = (double[])warmStart.G.Clone();
            candidate = new double[g.Length];
            ReorderWarmStart();
        }

        pendingWarmStart = top > 0 && warmStart is not null;
        clusterValues = ClusterValues(source, target);
        NoteResident();
    }

    /// <summary>
    /// A multiscale solve whose points live with <paramref name="points"/> (the shards of a cluster, which sorted them and
    /// built the leaves): the run holds the cluster levels only (<paramref name="source"/> and <paramref name="target"/>
    /// need not hold their points) and asks the points for radii, extrapolation, bounds, iterations and outputs.
    /// </summary>
    /// <param name="source">Source cluster levels (at least one above the points).</param>
    /// <param name="target">Target cluster levels (the same object for a self problem).</param>
    /// <param name="box">The bounding box of both clouds (the annealing starts at its largest cost).</param>
    /// <param name="leafChoice">The leaf size the hierarchies were built with.</param>
    /// <param name="options">Target eps, tolerance, cap, annealing, cost.</param>
    /// <param name="multiscale">Multiscale options (truncation, safeguard).</param>
    /// <param name="points">Where the points and their potentials are.</param>
    /// <param name="selfProblem">One cloud against itself (symmetric patterns and steps).</param>
    /// <param name="warmStart">Null: cold, annealed. Otherwise <paramref name="points"/> holds the warm potentials.</param>
    /// <param name="progress">Progress callback.</param>
    /// <param name="problemName">The problem's name in progress and history.</param>
    public SinkhornRun(ClusterHierarchy source, ClusterHierarchy target, BoundingBox box, LeafSizeChoice leafChoice, SinkhornOptions options, MultiscaleOptions multiscale, IMultiscalePoints points, bool selfProblem, MultiscalePointsWarmStart? warmStart, Action<SinkhornProgress>? progress, string problemName)
    {
        if (source.LevelCount < 2 || target.LevelCount != source.LevelCount)
        {
            throw new ArgumentException($"points kept elsewhere need the same cluster levels on both sides (got {source.LevelCount} and {target.LevelCount} levels)", nameof(source));
        }

        this.options = options;
        this.multiscale = multiscale with { LeafClusterSize = leafChoice.LeafClusterSize };
        this.leafChoice = leafChoice;
        this.selfProblem = selfProblem;
        this.source = source;
        this.target = target;
        pointsFactory = () => points;
        pointSide = points;
        sourceCount = source.PointCount;
        targetCount = target.PointCount;
        levelCount = source.LevelCount;
        schedule = Prepare(box, warmStart?.Relaxation, warmStart is not null, progress, problemName);
        pendingWarmStart = warmStart is not null;
        jumpEpsilon = new double[levelCount];
        evaluations = new long[levelCount];
        iterationsPerLevel = new int[levelCount];
        survivingPairs = new long[levelCount];
        shardPairs = new long[levelCount];
        bytesExchanged = new long[levelCount];
        var top = levelCount - 1;
        f = new double[Source[top].Count];
        g = new double[Target[top].Count];
        candidate = new double[Target[top].Count];
        level = top;
        stage = MultiscaleStage.Create(Source, Target, top, top, null, options);
        survivingPairs[top] = (long)Source[top].Count * Target[top].Count;
        clusterValues = ClusterValues(source, target);
        NoteResident();
    }

    /// <summary>
    /// The dense solve of <paramref name="problem"/>: the same schedule on one level, the points in input order, every
    /// point against every point (no hierarchy, no truncation), on <paramref name="backend"/> (in process by default).
    /// </summary>
    public SinkhornRun(SinkhornProblem problem, SinkhornOptions options, MultiscaleWarmStart? warmStart, Action<SinkhornProgress>? progress, string problemName, ISinkhornBackend? backend = null)
        : this(options, problem.Source.Count, problem.Target.Count, BoundingBox.Of(problem.Source).Union(BoundingBox.Of(problem.Target)), ReferenceEquals(problem.Source, problem.Target), backend ?? new LocalSinkhornBackend(), warmStart?.Relaxation, warmStart is not null, progress, problemName)
    {
        source = ClusterHierarchy.Points(problem.Source);
        target = selfProblem ? source : ClusterHierarchy.Points(problem.Target);
        f = warmStart is null ? new double[sourceCount] : (double[])warmStart.F.Clone();
        g = warmStart is null ? new double[targetCount] : (double[])warmStart.G.Clone();
        candidate = new double[targetCount];
    }

    /// <summary>
    /// The dense solve of points that already live on <paramref name="backend"/> (the shards of a cluster, which hold
    /// the uploaded rows and the potentials to start from): the same schedule on one level, with the points and the
    /// potentials never gathered; the output carries the scalars only (<see cref="MultiscaleOutput.ArraysOnBackend"/>).
    /// </summary>
    /// <param name="options">Target eps, tolerance, cap, annealing, over-relaxation.</param>
    /// <param name="sourceCount">Source points on the backend.</param>
    /// <param name="targetCount">Target points on the backend.</param>
    /// <param name="box">The bounding box of both clouds (the annealing starts at its largest cost).</param>
    /// <param name="selfProblem">One cloud against itself (symmetric averaged steps).</param>
    /// <param name="backend">Where the points, the blocks and the potentials are.</param>
    /// <param name="warm">The backend holds warm potentials: start at the target eps.</param>
    /// <param name="initialRelaxation">A nearby solve's final over-relaxation factor (null: measure it).</param>
    /// <param name="progress">Progress callback.</param>
    /// <param name="problemName">The problem's name in progress and history.</param>
    public SinkhornRun(SinkhornOptions options, int sourceCount, int targetCount, BoundingBox box, bool selfProblem, ISinkhornBackend backend, double? initialRelaxation, bool warm, Action<SinkhornProgress>? progress, string problemName)
    {
        this.options = options;
        this.selfProblem = selfProblem;
        multiscale = new MultiscaleOptions { Levels = 1 };
        this.sourceCount = sourceCount;
        this.targetCount = targetCount;
        levelCount = 1;
        points = backend;
        pointsFactory = () => backend;
        schedule = Prepare(box, initialRelaxation, warm, progress, problemName);
        jumpEpsilon = new double[1];
        evaluations = new long[1];
        iterationsPerLevel = new int[1];
        survivingPairs = [(long)sourceCount * targetCount];
        shardPairs = new long[1];
        bytesExchanged = new long[1];
        f = [];
        g = [];
        candidate = [];
        level = 0;
        stage = null;
    }

    /// <summary>The schedule: annealing from the largest cost of <paramref name="box"/>, relaxation, stopping test.</summary>
    private SinkhornSchedule Prepare(BoundingBox box, double? initialRelaxation, bool warm, Action<SinkhornProgress>? progress, string problemName)
    {
        // One schedule for every solve (SinkhornSchedule): annealing stages, relaxation at the target eps on the points,
        // the stopping test and progress; a warm start begins at the target eps.
        var scheduleOptions = options with { Overrelaxation = multiscale.Overrelaxation ?? options.Overrelaxation };
        return new SinkhornSchedule(scheduleOptions, SinkhornProblem.MaxCost(box, options.Cost), problemName, progress, initialRelaxation, warm, selfProblem);
    }

    /// <summary>
    /// Per level, the eps below which the solve leaves it (GeomLoss's cluster_scale rule: level m is left once the blur
    /// sqrt(eps / s) falls below the largest radius of its clusters, measured on the points, i.e. eps &lt; s r_m^2), and
    /// the warm start's potentials put on the points with the pattern they imply.
    /// </summary>
    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (pointSide is null)
        {
            return;
        }

        var radii = await pointSide.RadiiAsync(cancellationToken);
        for (var m = 1; m < levelCount; m++)
        {
            var radius = Math.Max(radii.Source[m]!.DefaultIfEmpty(0).Max(), radii.Target[m]!.DefaultIfEmpty(0).Max());
            jumpEpsilon[m] = options.Cost.Scale() * radius * radius;
        }

        if (pendingWarmStart)
        {
            pendingWarmStart = false;
            await StartWarmAsync(cancellationToken);
        }
    }

    /// <summary>A one-level warm start: the given potentials (input order) in the points' sorted order.</summary>
    private void ReorderWarmStart()
    {
        var fInput = f;
        var gInput = g;
        f = new double[fInput.Length];
        g = new double[gInput.Length];
        for (var s = 0; s < f.Length; s++)
        {
            f[s] = fInput[Source.Order[s]];
        }

        for (var s = 0; s < g.Length; s++)
        {
            g[s] = gInput[Target.Order[s]];
        }
    }

    /// <summary>
    /// Puts the given potentials on the points, skips the annealing and searches the pattern of the points
    /// level from every coarsest pair with them.
    /// </summary>
    private async Task StartWarmAsync(CancellationToken cancellationToken)
    {
        var side = pointSide!;
        await side.StartAsync(cancellationToken);
        LeaveForThePoints();
        var bounds = await side.BoundsAsync(cancellationToken);
        var search = new TruncationSearch(Source, Target, 0, bounds.Source, bounds.Target, options.Epsilon, multiscale.Truncation, options.Cost) { Symmetric = selfProblem, ImplicitBlockDrops = HasParents(0) };
        var found = search.Search(search.CoarsestPairs());
        search.CoverEveryRowAndColumn(found.Kept);
        kept = found.Kept;
        UsePattern(0, found.Dropped, found.Expanded);
    }
}
