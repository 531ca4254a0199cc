namespace Transport.Numerics.Transport;

/// <summary>
/// The Sinkhorn schedule, independent of where the blocks live: eps-annealing with one iteration per
/// stage, then alternating iterations at the target eps until the L1 column-marginal error is below the
/// tolerance or the iteration cap is reached.
/// <para>
/// One iteration is f = T_b(g) followed by g* = T_a(f). The column marginal of the state (f, g) is
/// b_j exp((g_j - g*_j)/eps), so measuring it costs nothing extra: when the test passes the driver
/// stops with (f, g), whose rows are exact and whose columns are within the tolerance; otherwise g = g*.
/// </para>
/// Awaits deliberately keep the caller's scheduler, so a grain can run the schedule on its own
/// activation and the backend's calls stay in grain context.
/// </summary>
public static class SinkhornDriver
{
    /// <summary>Solves the cross problem OT_eps(a, b).</summary>
    public static async Task<SinkhornRunSummary> SolveCrossAsync(
        ISinkhornBackend backend,
        SinkhornOptions options,
        double maxCost,
        Action<SinkhornProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        var schedule = EpsilonSchedule.Create(maxCost, options.Epsilon, options.Scaling);
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
            sourceDual = await backend.UpdateSourceAsync(epsilon, cancellationToken);
            report = await backend.CheckTargetAsync(epsilon, cancellationToken);
            iteration++;
            var last = iteration >= options.MaxIterations;
            if (!annealing && (iteration % options.CheckEvery == 0 || last))
            {
                var entry = new SinkhornProgress("cross", iteration, epsilon, report.L1, report.L2);
                history.Add(entry);
                progress?.Invoke(entry);
                if (report.L1 < options.Tolerance)
                {
                    converged = true;
                    break;
                }
            }
            else if (annealing)
            {
                progress?.Invoke(new SinkhornProgress("cross", iteration, epsilon, report.L1, report.L2));
            }

            if (last)
            {
                break;
            }

            await backend.CommitTargetAsync(cancellationToken);
        }

        var dual = sourceDual + report.WeightedPotential;
        var objective = sourceDual + report.PotentialMass;
        return new SinkhornRunSummary(iteration, converged, report.L1, report.L2, dual, objective, history, backend.KernelEvaluations - evaluationsBefore);
    }

    /// <summary>
    /// Solves the self problem OT_eps(a, a) of one cloud with the symmetric averaged update
    /// p = (p + T(p))/2, then one final full update p = T(p) at the target eps (GeomLoss's last
    /// extrapolation). The first step replaces p = 0 by T(0).
    /// </summary>
    public static async Task<SinkhornRunSummary> SolveSelfAsync(
        ISinkhornBackend backend,
        CloudSide side,
        SinkhornOptions options,
        double maxCost,
        Action<SinkhornProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        var name = side == CloudSide.Source ? "self-source" : "self-target";
        var schedule = EpsilonSchedule.Create(maxCost, options.Epsilon, options.Scaling);
        var evaluationsBefore = backend.KernelEvaluations;
        var history = new List<SinkhornProgress>();
        var iteration = 0;
        var converged = false;
        var report = MarginalReport.Zero;
        while (iteration < options.MaxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var annealing = iteration < schedule.Length - 1;
            var epsilon = annealing ? schedule[iteration] : options.Epsilon;
            var mode = iteration == 0 ? SelfUpdate.Replace : SelfUpdate.Average;
            report = await backend.SelfStepAsync(side, epsilon, mode, cancellationToken);
            iteration++;
            if (!annealing && iteration > 1)
            {
                var entry = new SinkhornProgress(name, iteration, epsilon, report.L1, report.L2);
                if (iteration % options.CheckEvery == 0)
                {
                    history.Add(entry);
                    progress?.Invoke(entry);
                }

                if (report.L1 < options.Tolerance)
                {
                    converged = true;
                    break;
                }
            }
        }

        // Final extrapolation at the target eps: the output is T(p), whose marginal error the last
        // report bounds (it measured the state being transformed).
        cancellationToken.ThrowIfCancellationRequested();
        var final = await backend.SelfStepAsync(side, options.Epsilon, SelfUpdate.Replace, cancellationToken);
        var value = 2 * final.WeightedPotential;
        history.Add(new SinkhornProgress(name, iteration, options.Epsilon, final.L1, final.L2));
        return new SinkhornRunSummary(iteration, converged, final.L1, final.L2, value, value, history, backend.KernelEvaluations - evaluationsBefore);
    }
}
