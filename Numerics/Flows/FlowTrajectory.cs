namespace Transport.Numerics.Flows;

/// <summary>The positions of every particle (row-major, global-id order) after <paramref name="Step"/> steps, at <paramref name="Time"/>.</summary>
/// <param name="Step">Number of accepted steps taken.</param>
/// <param name="Time">Time of the snapshot.</param>
/// <param name="Positions">Positions, n x d row-major.</param>
public sealed record FlowSnapshot(long Step, double Time, double[] Positions);

/// <summary>
/// One diagnostics row: the state after <paramref name="Step"/> accepted steps, at <paramref name="Time"/>, and
/// the step taken from it. The last row describes the final state (step size 0).
/// </summary>
/// <param name="Step">Index of the state (0 = initial).</param>
/// <param name="Time">Its time.</param>
/// <param name="StepSize">Size of the accepted step taken from this state (0 for the final state).</param>
/// <param name="Energy">The model's energy (or risk) at this state; NaN when the model has none.</param>
/// <param name="KineticEnergy">sum_i a_i |v_i|^2 of the first-stage velocity at this state.</param>
/// <param name="RejectedAttempts">Rejected adaptive attempts before the accepted step (0 for fixed-step integrators).</param>
/// <param name="ErrorNorm">Scaled error norm of the accepted adaptive step (NaN for fixed-step integrators and the final row).</param>
public sealed record FlowStepDiagnostics(long Step, double Time, double StepSize, double Energy, double KineticEnergy, int RejectedAttempts, double ErrorNorm)
{
    /// <summary>The density's partial sums at this state (<see cref="Eulerian.EulerianLayout"/>), all blocks added; null unless the run measures them.</summary>
    public double[]? Eulerian { get; init; }
}

/// <summary>The output of <see cref="FlowDriver"/>: snapshots, per-step diagnostics and the final state.</summary>
public sealed class FlowTrajectory
{
    /// <summary>Creates the trajectory.</summary>
    public FlowTrajectory(int count, int dimension, IReadOnlyList<FlowSnapshot> snapshots, IReadOnlyList<FlowStepDiagnostics> diagnostics, long steps, long rejectedSteps, double finalTime)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (snapshots.Count == 0)
        {
            throw new ArgumentException("a trajectory has at least the initial snapshot", nameof(snapshots));
        }

        Count = count;
        Dimension = dimension;
        Snapshots = snapshots;
        Diagnostics = diagnostics;
        Steps = steps;
        RejectedSteps = rejectedSteps;
        FinalTime = finalTime;
    }

    /// <summary>Number of particles.</summary>
    public int Count { get; }

    /// <summary>Dimension of a particle.</summary>
    public int Dimension { get; }

    /// <summary>Snapshots in time order: the initial state, every <c>snapshot_every</c> steps, and the final state.</summary>
    public IReadOnlyList<FlowSnapshot> Snapshots { get; }

    /// <summary>One row per accepted step plus one for the final state.</summary>
    public IReadOnlyList<FlowStepDiagnostics> Diagnostics { get; }

    /// <summary>Number of accepted steps.</summary>
    public long Steps { get; }

    /// <summary>Number of rejected adaptive attempts.</summary>
    public long RejectedSteps { get; }

    /// <summary>Time reached (t_end).</summary>
    public double FinalTime { get; }

    /// <summary>The final positions (n x d, global-id order, which is the input order).</summary>
    public double[] FinalPositions => Snapshots[^1].Positions;

    /// <summary>All snapshots as one array, snapshots x particles x dimension (C order), e.g. for <c>trajectory.npy</c>.</summary>
    public double[] SnapshotArray()
    {
        var size = (long)Count * Dimension;
        var result = new double[checked(Snapshots.Count * size)];
        for (var s = 0; s < Snapshots.Count; s++)
        {
            Snapshots[s].Positions.CopyTo(result, s * size);
        }

        return result;
    }

    /// <summary>
    /// The Benamou-Brenier action of the run, int_0^T sum_i a_i |v_i|^2 dt, by the trapezoid rule over the diagnostics
    /// rows (each row's kinetic energy is that of its state's velocity).
    /// </summary>
    public double Action()
    {
        var action = 0.0;
        for (var r = 1; r < Diagnostics.Count; r++)
        {
            action += 0.5 * (Diagnostics[r].Time - Diagnostics[r - 1].Time) * (Diagnostics[r].KineticEnergy + Diagnostics[r - 1].KineticEnergy);
        }

        return action;
    }
}
