using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The schedule of one Sinkhorn solve, shared by every loop that runs one (the dense driver and the multiscale
/// solve, cross and self problems): eps-annealing stage by stage, the update of each iteration (plain or
/// over-relaxed, <see cref="RelaxationPolicy"/>), the convergence test, progress and history. The loops only do
/// the half-steps where their blocks live and report each iteration's marginal error here.
/// <para>
/// Annealing starts at the largest cost and multiplies eps by <see cref="SinkhornOptions.Scaling"/> per stage. A
/// stage ends when its L1 marginal error is at most <see cref="SinkhornOptions.StageTolerance"/> (or the solve's
/// tolerance, when larger) or after <see cref="SinkhornOptions.MaxIterationsPerStage"/> iterations: one iteration per
/// stage (GeomLoss's schedule, <c>MaxIterationsPerStage = 1</c>) leaves the last stage far from its solution at
/// small eps, where plain and relaxed Sinkhorn alike then crawl through a long transient.
/// </para>
/// </summary>
public sealed class SinkhornSchedule
{
    private readonly SinkhornOptions options;
    private readonly double[] epsilons;
    private readonly RelaxationPolicy relaxation;
    private readonly string name;
    private readonly Action<SinkhornProgress>? progress;
    private readonly List<SinkhornProgress> history = [];
    private readonly bool self;
    private int stage;
    private int stageIterations;
    // A step met the tolerance but may not end the solve (not plain): plain steps follow until the next checked one.
    private bool polishNext;

    // The relaxation stall guard (cross problems): relaxed iterations since the last new smallest error.
    private double bestRelaxed = double.PositiveInfinity;
    private int sinceBest;
    private int extraIterations;

    /// <summary>Creates the schedule of a solve named <paramref name="name"/> ("cross", "self-source", "self-target").</summary>
    /// <param name="options">Target eps, tolerance, annealing factor and stage rule, check interval, over-relaxation.</param>
    /// <param name="maxCost">The largest cost over the joint bounding box: where annealing starts.</param>
    /// <param name="name">The problem's name in progress and history.</param>
    /// <param name="progress">Called after every annealing iteration and every checked iteration at the target eps.</param>
    /// <param name="initialRelaxation">A nearby solve's final factor to start adaptive relaxation from (null: measure it).</param>
    /// <param name="warm">Start at the target eps (potentials given by a warm start): no annealing.</param>
    /// <param name="self">A self problem (a cloud against itself): symmetric averaged half-steps instead of relaxed ones.</param>
    public SinkhornSchedule(SinkhornOptions options, double maxCost, string name, Action<SinkhornProgress>? progress, double? initialRelaxation = null, bool warm = false, bool self = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.self = self;
        this.options = options;
        this.name = name;
        this.progress = progress;
        epsilons = EpsilonSchedule.Create(maxCost, options.Epsilon, options.Scaling);
        relaxation = new RelaxationPolicy(options.Overrelaxation, initialRelaxation);
        stage = warm ? epsilons.Length - 1 : 0;
    }

    /// <summary>The schedule's state, for a checkpoint.</summary>
    public SinkhornScheduleState Capture() =>
        new(stage, stageIterations, polishNext, bestRelaxed, sinceBest, extraIterations, Iterations, [.. history], relaxation.Capture());

    /// <summary>Returns to a <see cref="Capture"/>d state (the schedule was created with the same options and cost).</summary>
    public void Restore(SinkhornScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Stage < 0 || state.Stage >= epsilons.Length)
        {
            throw new ArgumentException($"stage {state.Stage} is not one of this schedule's {epsilons.Length}", nameof(state));
        }

        stage = state.Stage;
        stageIterations = state.StageIterations;
        polishNext = state.PolishNext;
        bestRelaxed = state.BestRelaxed;
        sinceBest = state.SinceBest;
        extraIterations = state.ExtraIterations;
        Iterations = state.Iterations;
        history.Clear();
        history.AddRange(state.History);
        relaxation.Restore(state.Relaxation);
    }

    /// <summary>
    /// Whether the next iteration is an annealing one (eps above the target). The last iteration the cap allows never is:
    /// a solve stopped by the cap during annealing would otherwise end with potentials and a marginal error that belong
    /// to an intermediate eps (a small error of an easier problem, reported as the error of the one asked), so its last
    /// iteration is made at the target eps and its output describes that problem.
    /// </summary>
    public bool Annealing => stage < epsilons.Length - 1 && !FinalIteration;

    /// <summary>Whether the next iteration is the last one the cap allows.</summary>
    private bool FinalIteration => Iterations + 1 >= options.MaxIterations + extraIterations;

    /// <summary>The eps of the next iteration.</summary>
    public double Epsilon => Annealing ? epsilons[stage] : options.Epsilon;

    /// <summary>Iterations recorded so far.</summary>
    public int Iterations { get; private set; }

    /// <summary>Whether the iteration cap (plus any <see cref="AllowOneMore"/>) is reached.</summary>
    public bool Exhausted => Iterations >= options.MaxIterations + extraIterations;

    /// <summary>The over-relaxation factor the solve ends with (1: plain, always for self problems).</summary>
    public double Relaxation => self ? 1.0 : relaxation.Relaxation;

    /// <summary>
    /// Relaxed iterations without a new smallest error after which a cross solve falls back to plain iterations for
    /// good. Relaxation at rate w - 1 &lt;= 0.95 sets a new best well within this window (0.95^50 = 0.08) even through
    /// its oscillations; a longer stall means the error sits on a floor that relaxation amplifies (float32 kernels:
    /// about 1e-6, where w = 1.95 kept 200 points at 2e-6 for 10,000 iterations while plain iterations reach 1e-6).
    /// </summary>
    public const int RelaxationStallWindow = 50;

    /// <summary>
    /// The problem changed under the iteration (a multiscale safeguard re-admitted blocks): the error jumps, so the
    /// relaxation stall guard measures afresh from here instead of waiting for the error of the old problem.
    /// </summary>
    public void ProblemChanged()
    {
        bestRelaxed = double.PositiveInfinity;
        sinceBest = 0;
    }

    /// <summary>Whether the last step met the tolerance but was not plain: a plain polish step comes next.</summary>
    public bool PolishPending => polishNext;

    /// <summary>Lets a solve that reached the cap make one more iteration (to describe a changed pattern).</summary>
    public void AllowOneMore() => extraIterations++;

    /// <summary>Every checked iteration at the target eps, in order.</summary>
    public IReadOnlyList<SinkhornProgress> History => history;

    /// <summary>
    /// The update of the next iteration. Self problems: the symmetric averaged half-step (<see cref="SinkhornUpdate.Averaged"/>),
    /// plain on the first iteration (averaging with zero potentials would only halve T(0)) and on the polishing step.
    /// Cross problems: plain while annealing, where the caller cannot relax (<paramref name="relaxable"/> false: a
    /// coarse multiscale level) or after the relaxation stall guard, otherwise the policy's factor. The last iteration the
    /// cap allows is plain for both, so that a capped output also has f = T(g) and reports a plain step's marginal error.
    /// </summary>
    public SinkhornUpdate NextUpdate(bool relaxable = true)
    {
        if (FinalIteration)
        {
            return SinkhornUpdate.Plain;
        }

        if (self)
        {
            return Iterations == 0 || polishNext ? SinkhornUpdate.Plain : SinkhornUpdate.Averaged;
        }

        return polishNext ? SinkhornUpdate.Plain : SinkhornUpdate.Relaxed(relaxation.Choose(Annealing, relaxable ? 0 : 1));
    }

    /// <summary>
    /// Records the iteration just made with <paramref name="update"/> at <see cref="Epsilon"/>, which left
    /// <paramref name="report"/>; reports progress, advances the annealing stage, and returns whether the solve has
    /// converged: at the target eps, on a checked iteration, the L1 error below the tolerance after a plain step (any
    /// other step that meets it asks for one plain step first, so <c>Converged</c> always describes a plain step).
    /// </summary>
    public bool Record(SinkhornUpdate update, MarginalReport report, bool relaxable = true)
    {
        var annealing = Annealing;
        var epsilon = Epsilon;
        Iterations++;
        if (!self && !relaxation.Disabled)
        {
            var restarts = relaxation.Restarts;
            relaxation.Observe(annealing, relaxable ? 0 : 1, new MultiscaleUpdate(update.Weight), report.L1);
            if (relaxation.Restarts != restarts)
            {
                // The policy went back to plain and measures afresh: so does the stall guard.
                ProblemChanged();
            }

            if (!update.IsPlain)
            {
                sinceBest = report.L1 < bestRelaxed ? 0 : sinceBest + 1;
                bestRelaxed = Math.Min(bestRelaxed, report.L1);
                if (sinceBest >= RelaxationStallWindow)
                {
                    // No new best for a whole window: back to plain iterations and measure w afresh (the rate seen so
                    // far may have been a transient's); plain for good once the policy has used up its restarts.
                    relaxation.Restart();
                    ProblemChanged();
                }
            }
        }

        var checkedIteration = Iterations % options.CheckEvery == 0 || Exhausted;
        if (checkedIteration)
        {
            polishNext = false;
        }

        if (annealing || checkedIteration)
        {
            var entry = new SinkhornProgress(name, Iterations, epsilon, report.L1, report.L2);
            if (!annealing)
            {
                history.Add(entry);
            }

            progress?.Invoke(entry);
        }

        if (annealing)
        {
            if (++stageIterations >= options.MaxIterationsPerStage || report.L1 <= Math.Max(options.Tolerance, options.StageTolerance))
            {
                stage++;
                stageIterations = 0;
            }

            return false;
        }

        return checkedIteration && report.L1 < options.Tolerance && MayStop(update);
    }

    private bool MayStop(SinkhornUpdate update)
    {
        bool mayStop;
        if (!self)
        {
            // A disabled policy only ever chose plain steps, which may stop.
            mayStop = relaxation.MayStop(new MultiscaleUpdate(update.Weight));
        }
        else
        {
            mayStop = update.IsPlain;
        }

        polishNext = !mayStop;
        return mayStop;
    }
}
