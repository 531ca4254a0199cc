using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// Picks the over-relaxation factor of every iteration of one cross solve (<see cref="SinkhornSchedule"/>, shared by
/// the dense and the multiscale solves).
/// <para>
/// Dense self problems use the symmetric averaged half-steps instead (<see cref="SinkhornUpdate.Averaged"/>): on 400
/// points at eps = 1e-4 D^2 they need 26 steps where alternating over-relaxed ones hit a 10,000 cap. Multiscale self
/// problems take the same symmetric steps.
/// </para>
/// <para>
/// The solve iterates plainly while annealing and on coarse levels. At the target eps it first runs at least
/// <see cref="WarmUp"/> plain iterations, until their contraction rate eta has settled (the early transient gives a
/// rate the asymptotic mode does not have), then over-relaxes with w = 2 / (1 + sqrt(1 - eta)), the optimal factor of
/// successive over-relaxation for a two-block fixed point whose Gauss-Seidel rate is eta (Young's formula; its use for
/// Sinkhorn is studied by Thibault et al. 2017 and Lehmann et al. 2021). Near the solution the error then falls at
/// rate w - 1: at blur 0.01 x diameter this cut the cross iterations on 5000 points from 797 to about 100. Guards:
/// if the error grows tenfold above its best under relaxation, the policy goes back to plain iterations and measures
/// again (after three such restarts relaxation stays off); a relaxed iteration never ends the solve: when it meets the
/// tolerance one plain iteration follows, so the output has f = T(g) and the reported error is that of a plain step.
/// Every ten relaxed iterations the observed rate is compared with w - 1 and w is raised when it falls clearly slower
/// (but still falls).
/// </para>
/// </summary>
internal sealed class RelaxationPolicy
{
    /// <summary>Plain iterations at the target eps used to measure the contraction rate.</summary>
    public const int WarmUp = 6;

    /// <summary>Largest factor used (w -&gt; 2 is the edge of convergence).</summary>
    public const double MaxRelaxation = 1.95;

    /// <summary>Relaxed iterations over which the observed rate is compared with w - 1.</summary>
    private const int AdaptWindow = 10;

    /// <summary>Divergence restarts (back to plain and re-measured) before relaxation is switched off.</summary>
    private const int MaxRestarts = 3;

    private readonly List<double> plainErrors = [];
    private int restarts;
    private readonly List<double> relaxedErrors = [];

    private double relaxation;
    private bool estimated;
    private bool disabled;
    private bool polishing;
    private readonly bool isFixed;
    private double best = double.PositiveInfinity;

    /// <summary>
    /// Creates the policy: <paramref name="fixedRelaxation"/> (the user's choice) is used as given, 1 switching
    /// relaxation off; otherwise <paramref name="initialRelaxation"/> (a warm start's) is the starting factor, still
    /// adapted; otherwise w is measured.
    /// </summary>
    public RelaxationPolicy(double? fixedRelaxation, double? initialRelaxation = null)
    {
        isFixed = fixedRelaxation is not null;
        relaxation = fixedRelaxation ?? initialRelaxation ?? 1.0;
        estimated = fixedRelaxation is not null || initialRelaxation is > 1.0;
    }

    /// <summary>What the policy has measured, for a checkpoint.</summary>
    public RelaxationState Capture() => new([.. plainErrors], [.. relaxedErrors], restarts, relaxation, estimated, disabled, polishing, best);

    /// <summary>Returns to a <see cref="Capture"/>d state (the policy was created with the same options).</summary>
    public void Restore(RelaxationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        plainErrors.Clear();
        plainErrors.AddRange(state.PlainErrors);
        relaxedErrors.Clear();
        relaxedErrors.AddRange(state.RelaxedErrors);
        restarts = state.Restarts;
        relaxation = state.Relaxation;
        estimated = state.Estimated;
        disabled = state.Disabled;
        polishing = state.Polishing;
        best = state.Best;
    }

    /// <summary>The factor in use (1 until estimated, or when switched off).</summary>
    public double Relaxation => disabled ? 1.0 : relaxation;

    /// <summary>How many times the divergence guard sent the policy back to plain iterations.</summary>
    public int Restarts => restarts;

    /// <summary>Whether the guard switched relaxation off.</summary>
    public bool Disabled => disabled;

    /// <summary>The update of the next iteration.</summary>
    public MultiscaleUpdate Choose(bool annealing, int level)
    {
        if (annealing || level > 0 || disabled || polishing || !estimated || relaxation == 1.0)
        {
            return MultiscaleUpdate.Plain;
        }

        return new MultiscaleUpdate(relaxation);
    }

    /// <summary>Records the marginal error an iteration left.</summary>
    public void Observe(bool annealing, int level, MultiscaleUpdate update, double error)
    {
        if (annealing || level > 0)
        {
            return;
        }

        if (update.Relaxation == 1.0)
        {
            if (polishing)
            {
                polishing = false;
                return;
            }

            if (!estimated)
            {
                plainErrors.Add(error);
                if (plainErrors.Count >= WarmUp && (RateSettled() || plainErrors.Count >= MaxWarmUp))
                {
                    Estimate();
                }
            }

            return;
        }

        best = Math.Min(best, error);
        if (!double.IsFinite(error) || error > 10 * best)
        {
            // Diverging: back to plain iterations and measure again (the rate seen so far was a transient's); only
            // after MaxRestarts such restarts is relaxation switched off for the rest of the solve.
            Restart();
            return;
        }

        // Above the optimal w the error falls at exactly w - 1 per iteration. Falling clearly slower than w - 1 (but
        // falling) means w is below the optimum (the warm-up saw the fast early decay, not the slow asymptotic mode):
        // move w halfway to 2 and measure again. A window in which the error does not fall changes nothing: relaxed
        // errors oscillate after a change of w (lowering w on such windows measured worse), and a real divergence is
        // caught by the tenfold guard above and by the schedule's stall guard.
        relaxedErrors.Add(error);
        if (relaxedErrors.Count > AdaptWindow)
        {
            var rate = Math.Pow(relaxedErrors[^1] / relaxedErrors[^(AdaptWindow + 1)], 1.0 / AdaptWindow);
            if (!isFixed && rate < 1 && rate > relaxation - 1 + 0.03 && relaxation < MaxRelaxation)
            {
                relaxation = Math.Min(MaxRelaxation, 0.5 * (relaxation + 2));
            }

            relaxedErrors.Clear();
        }
    }

    /// <summary>
    /// Back to plain iterations, to measure the rate again (a divergence, or a caller's stall guard); after
    /// <see cref="MaxRestarts"/> restarts relaxation is switched off for the rest of the solve.
    /// </summary>
    public void Restart()
    {
        restarts++;
        relaxedErrors.Clear();
        plainErrors.Clear();
        best = double.PositiveInfinity;
        if (isFixed || restarts > MaxRestarts)
        {
            disabled = true;
            return;
        }

        estimated = false;
        relaxation = 1.0;
    }

    /// <summary>Whether an iteration that met the tolerance may end the solve (a relaxed one asks for a plain step first).</summary>
    public bool MayStop(MultiscaleUpdate update)
    {
        if (update.Relaxation == 1.0)
        {
            return true;
        }

        polishing = true;
        return false;
    }

    /// <summary>Most plain iterations spent waiting for the rate to settle.</summary>
    private const int MaxWarmUp = 40;

    /// <summary>
    /// Whether the last plain iterations contract at a steady rate below 1 (the two halves of the last four steps
    /// agree within 0.05): the early transient of a solve, with errors that rise or fall erratically, would give a
    /// rate, and so a w, that the asymptotic mode does not have.
    /// </summary>
    private bool RateSettled()
    {
        var k = plainErrors.Count - 1;
        if (k < 4 || !(plainErrors[k - 4] > 0) || !(plainErrors[k] > 0))
        {
            return false;
        }

        var early = Math.Sqrt(plainErrors[k - 2] / plainErrors[k - 4]);
        var late = Math.Sqrt(plainErrors[k] / plainErrors[k - 2]);
        return early < 1 && late < 1 && Math.Abs(early - late) < 0.05;
    }

    private void Estimate()
    {
        estimated = true;
        var k = plainErrors.Count - 1;
        var span = Math.Min(4, k);
        var first = plainErrors[k - span];
        var last = plainErrors[k];
        var eta = span > 0 && first > 0 && last > 0 ? Math.Pow(last / first, 1.0 / span) : double.NaN;
        relaxation = double.IsFinite(eta) && eta > 0 && eta < 1
            ? Math.Clamp(2 / (1 + Math.Sqrt(1 - eta)), 1.0, MaxRelaxation)
            : 1.0;
    }
}
