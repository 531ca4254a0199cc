using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The Sinkhorn schedule, independent of where the blocks live and of which problem is solved: the cross
/// problem OT_eps(a, b) and the self problems OT_eps(a, a), OT_eps(b, b) all run this one loop
/// (<see cref="SinkhornTerm"/>). A self problem is the cross problem of a cloud with itself: potentials f_aa
/// and g_aa on the same points, the same half-steps, the same stopping test; only the blend differs
/// (<see cref="SinkhornUpdate"/>).
/// <para>
/// eps-annealing with one iteration per stage, then iterations at the target eps until the L1
/// column-marginal error is below the tolerance or the iteration cap is reached. One iteration is
/// f &lt;- Blend(f, T_b(g)) followed by g* = T_a(f); the column marginal of the state (f, g) is
/// b_j exp((g_j - g*_j)/eps), so measuring it costs nothing extra: when the test passes after a plain
/// step (f = T_b(g)) the driver stops with (f, g), whose rows are exact and whose columns are within the
/// tolerance; otherwise g &lt;- Blend(g, g*).
/// </para>
/// <para>
/// Cross problems are over-relaxed at the target eps (<see cref="RelaxationPolicy"/>: adaptive w from the
/// contraction rate of a few plain iterations, with its guards); self problems use the symmetric averaged
/// half-steps, which contract by at most 1/2 per half-step where alternating ones stall at small eps (see
/// <see cref="SinkhornUpdate"/>). Either way a non-plain iteration that meets the tolerance is followed by a
/// plain one, whose error decides, so <c>Converged</c> always describes a plain step. The first iteration of
/// a self problem is plain (averaging with zero potentials would only halve T(0)).
/// </para>
/// Awaits deliberately keep the caller's scheduler, so a grain can run the schedule on its own
/// activation and the backend's calls stay in grain context.
/// </summary>
public static class SinkhornDriver
{
    /// <summary>
    /// Relaxed iterations without a new smallest error after which a cross solve falls back to plain iterations
    /// for good. Relaxation at rate w - 1 &lt;= 0.95 sets a new best well within this window (0.95^50 = 0.08)
    /// even through its oscillations; a longer stall means the error sits on a floor that relaxation amplifies
    /// (float32 kernels: about 1e-6 here, where w = 1.95 kept 200 points at 2e-6 for 10,000 iterations while
    /// plain iterations reach 1e-6).
    /// </summary>
    public const int StallWindow = 50;

    /// <summary>
    /// Solves <paramref name="term"/> on <paramref name="backend"/> from the potentials it holds (zero, or a
    /// warm start). The summary's <see cref="SinkhornRunSummary.Dual"/> is &lt;f, a&gt; + &lt;g, b&gt;, which is
    /// OT_eps at convergence for the cross and the self problems alike.
    /// </summary>
    /// <param name="backend">Where the blocks live.</param>
    /// <param name="term">The problem to solve.</param>
    /// <param name="options">Target eps, tolerance, cap, annealing factor, check interval, over-relaxation.</param>
    /// <param name="maxCost">The largest cost over the joint bounding box (annealing start).</param>
    /// <param name="progress">Called after every annealing stage and every checked iteration.</param>
    /// <param name="cancellationToken">Stops the loop between half-steps.</param>
    /// <param name="initialRelaxation">
    /// With adaptive relaxation (<see cref="SinkhornOptions.Overrelaxation"/> null), the factor to start from
    /// (typically <see cref="SinkhornRunSummary.Relaxation"/> of an earlier, nearby solve), still adapted; null
    /// measures it from the first plain iterations at the target eps.
    /// </param>
    public static async Task<SinkhornRunSummary> SolveAsync(
        ISinkhornBackend backend,
        SinkhornTerm term,
        SinkhornOptions options,
        double maxCost,
        Action<SinkhornProgress>? progress,
        CancellationToken cancellationToken,
        double? initialRelaxation = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        var name = term.Name();
        var schedule = EpsilonSchedule.Create(maxCost, options.Epsilon, options.Scaling);
        var self = term != SinkhornTerm.Cross;
        var relaxation = new RelaxationPolicy(options.Overrelaxation, initialRelaxation);
        var polishing = false;
        var stalled = false;
        var bestRelaxed = double.PositiveInfinity;
        var sinceBest = 0;
        var evaluationsBefore = backend.KernelEvaluations;
        var history = new List<SinkhornProgress>();
        var iteration = 0;
        var sourceDual = 0.0;
        var report = MarginalReport.Zero;
        var converged = false;
        while (iteration < options.MaxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var annealing = iteration < schedule.Length - 1;
            var epsilon = annealing ? schedule[iteration] : options.Epsilon;
            var update = self
                ? (iteration == 0 || polishing ? SinkhornUpdate.Plain : SinkhornUpdate.Averaged)
                : stalled ? SinkhornUpdate.Plain : SinkhornUpdate.Relaxed(relaxation.Choose(annealing, level: 0));
            sourceDual = await backend.UpdateSourceAsync(term, epsilon, update, cancellationToken);
            report = await backend.CheckTargetAsync(term, epsilon, cancellationToken);
            iteration++;
            if (!self && !stalled)
            {
                relaxation.Observe(annealing, level: 0, new MultiscaleUpdate(update.Weight), report.L1);
                if (!update.IsPlain)
                {
                    sinceBest = report.L1 < bestRelaxed ? 0 : sinceBest + 1;
                    bestRelaxed = Math.Min(bestRelaxed, report.L1);
                    stalled = sinceBest >= StallWindow;
                }
            }

            polishing = false;
            var last = iteration >= options.MaxIterations;
            if (!annealing && (iteration % options.CheckEvery == 0 || last))
            {
                var entry = new SinkhornProgress(name, iteration, epsilon, report.L1, report.L2);
                history.Add(entry);
                progress?.Invoke(entry);
                if (report.L1 < options.Tolerance && MayStop(update))
                {
                    converged = true;
                    break;
                }
            }
            else if (annealing)
            {
                progress?.Invoke(new SinkhornProgress(name, iteration, epsilon, report.L1, report.L2));
            }

            if (last)
            {
                break;
            }

            await backend.CommitTargetAsync(term, update, cancellationToken);
        }

        var dual = sourceDual + report.WeightedPotential;
        var objective = sourceDual + report.PotentialMass;
        return new SinkhornRunSummary(iteration, converged, report.L1, report.L2, dual, objective, history, backend.KernelEvaluations - evaluationsBefore)
        {
            Relaxation = self || stalled ? 1.0 : relaxation.Relaxation,
        };

        // A plain step may end the solve; any other asks for a plain step first (its error decides).
        bool MayStop(SinkhornUpdate update)
        {
            if (!self && !stalled)
            {
                return relaxation.MayStop(new MultiscaleUpdate(update.Weight));
            }

            polishing = !update.IsPlain;
            return update.IsPlain;
        }
    }
}
