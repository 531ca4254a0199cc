using Transport.Numerics.Flows.Eulerian;
using System.Globalization;

namespace Transport.Numerics.Flows;

/// <summary>
/// Options of a flow run (time is mean-field time). <see cref="Validate"/> rejects out-of-range values with
/// an <see cref="InvalidInputException"/> naming the run-specification field and the value.
/// </summary>
public sealed record FlowOptions
{
    /// <summary>The integrator (<c>integrator</c>); default RK4.</summary>
    public FlowIntegrator Integrator { get; init; } = FlowIntegrator.Rk4;

    /// <summary>Step size h &gt; 0 (<c>step</c>); the initial step for the adaptive integrator.</summary>
    public required double Step { get; init; }

    /// <summary>Final time &gt;= 0 (<c>t_end</c>). Fixed-step runs shorten their last step to end exactly here.</summary>
    public required double EndTime { get; init; }

    /// <summary>A snapshot is kept every this many steps (<c>snapshot_every</c>), plus the initial and final states; default 1.</summary>
    public int SnapshotEvery { get; init; } = 1;

    /// <summary>Seed of the counter-based noise (<c>seed</c>); default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Relative tolerance of the adaptive integrator (<c>rtol</c>); default 1e-6.</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>
    /// Smallest relative tolerance of an adaptive run (about 450 ulp of 1): below it the embedded error estimate is
    /// float64 rounding noise, and rtol 1e-300 made every step fail until "adaptive step size underflow" at t = 0,
    /// reported as a failure of the run rather than as the input it was.
    /// </summary>
    public const double MinRelativeTolerance = 1e-13;

    /// <summary>Absolute tolerance of the adaptive integrator (<c>atol</c>); default 1e-9.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-9;

    /// <summary>Reduction of the adaptive error over coordinates (<c>error_norm</c>); default RMS.</summary>
    public FlowErrorNorm ErrorNorm { get; init; } = FlowErrorNorm.Rms;

    /// <summary>How steps return to the sphere for spherical models (<c>sphere_step</c>); default renormalise.</summary>
    public FlowSphereStep SphereStep { get; init; } = FlowSphereStep.Renormalise;

    /// <summary>Cap on the number of (accepted) steps (<c>max_steps</c>); default 1,000,000.</summary>
    public int MaxSteps { get; init; } = 1_000_000;

    /// <summary>What to measure of the density at every accepted step (<c>eulerian</c>); null: nothing.</summary>
    public EulerianOptions? Eulerian { get; init; }

    /// <summary>Throws <see cref="InvalidInputException"/> for the first invalid field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Integrator))
        {
            throw new InvalidInputException("integrator", $"unknown integrator {(int)Integrator}");
        }

        if (!double.IsFinite(Step) || Step <= 0)
        {
            throw new InvalidInputException("step", $"must be a finite number > 0, got {Format(Step)}");
        }

        if (!double.IsFinite(EndTime) || EndTime < 0)
        {
            throw new InvalidInputException("t_end", $"must be a finite number >= 0, got {Format(EndTime)}");
        }

        if (SnapshotEvery < 1)
        {
            throw new InvalidInputException("snapshot_every", $"must be at least 1, got {SnapshotEvery}");
        }

        if (!double.IsFinite(RelativeTolerance) || RelativeTolerance <= 0)
        {
            throw new InvalidInputException("rtol", $"must be a finite number > 0, got {Format(RelativeTolerance)}");
        }

        if (RelativeTolerance < MinRelativeTolerance)
        {
            throw new InvalidInputException("rtol", $"must be at least {Format(MinRelativeTolerance)} (float64 resolution), got {Format(RelativeTolerance)}");
        }

        if (!double.IsFinite(AbsoluteTolerance) || AbsoluteTolerance < 0)
        {
            throw new InvalidInputException("atol", $"must be a finite number >= 0, got {Format(AbsoluteTolerance)}");
        }

        if (!Enum.IsDefined(ErrorNorm))
        {
            throw new InvalidInputException("error_norm", $"unknown error norm {(int)ErrorNorm}");
        }

        if (!Enum.IsDefined(SphereStep))
        {
            throw new InvalidInputException("sphere_step", $"unknown sphere step {(int)SphereStep}");
        }

        if (SphereStep == FlowSphereStep.ExponentialMap && Integrator != FlowIntegrator.Euler)
        {
            throw new InvalidInputException("sphere_step", $"exponential-map needs integrator euler, got {FlowNames.Name(Integrator)}");
        }

        if (MaxSteps < 1)
        {
            throw new InvalidInputException("max_steps", $"must be at least 1, got {MaxSteps}");
        }

        if (Integrator != FlowIntegrator.Adaptive)
        {
            var ratio = EndTime / Step;
            if (ratio > MaxSteps)
            {
                throw new InvalidInputException("step", $"t_end {Format(EndTime)} / step {Format(Step)} needs more than max_steps = {MaxSteps} steps");
            }
        }
    }

    /// <summary>
    /// Number of steps of a fixed-step run: t_end/h rounded when it is an integer up to round-off, otherwise
    /// rounded up (the last step is then shorter).
    /// </summary>
    public int FixedStepCount()
    {
        var ratio = EndTime / Step;
        var nearest = Math.Round(ratio);
        return Math.Abs(ratio - nearest) <= 1e-9 * Math.Max(1.0, ratio) ? (int)nearest : (int)Math.Ceiling(ratio);
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
