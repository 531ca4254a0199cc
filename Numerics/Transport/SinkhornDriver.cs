namespace Transport.Numerics.Transport;

/// <summary>
/// The Sinkhorn schedule, independent of where the blocks live and of which problem is solved: the cross
/// problem OT_eps(a, b) and the self problems OT_eps(a, a), OT_eps(b, b) all run this one loop
/// (<see cref="SinkhornTerm"/>). A self problem is the cross problem of a cloud with itself: potentials f_aa
/// and g_aa on the same points, the same half-steps, the same stopping test; only the blend differs
/// (<see cref="SinkhornUpdate"/>).
/// <para>
/// The schedule (eps-annealing stages, the update of every iteration, the stopping test, progress) is
/// <see cref="SinkhornSchedule"/>, shared with the multiscale solve; this loop only makes the half-steps on the
/// backend. Iterations at the target eps go on until the L1 column-marginal error is below the tolerance or the
/// iteration cap is reached. One iteration is
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
        var schedule = new SinkhornSchedule(options, maxCost, term.Name(), progress, initialRelaxation, self: term != SinkhornTerm.Cross);
        var evaluationsBefore = backend.KernelEvaluations;
        var sourceDual = 0.0;
        var report = MarginalReport.Zero;
        var converged = false;
        while (!schedule.Exhausted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var epsilon = schedule.Epsilon;
            var update = schedule.NextUpdate();
            sourceDual = await backend.UpdateSourceAsync(term, epsilon, update, cancellationToken);
            report = await backend.CheckTargetAsync(term, epsilon, cancellationToken);
            if (schedule.Record(update, report))
            {
                converged = true;
                break;
            }

            if (schedule.Exhausted)
            {
                break;
            }

            await backend.CommitTargetAsync(term, update, cancellationToken);
        }

        var dual = sourceDual + report.WeightedPotential;
        var objective = sourceDual + report.PotentialMass;
        return new SinkhornRunSummary(schedule.Iterations, converged, report.L1, report.L2, dual, objective, schedule.History, backend.KernelEvaluations - evaluationsBefore)
        {
            Relaxation = schedule.Relaxation,
        };
    }
}
