namespace Transport.Numerics.Sampling;

/// <summary>The samplers of math.md 2.4.</summary>
public enum SamplerKind
{
    /// <summary>Probability-flow ODE, explicit Euler (order 1, one evaluation per step).</summary>
    Euler,

    /// <summary>Probability-flow ODE, Heun / explicit trapezoid (order 2, two evaluations per step).</summary>
    Heun,

    /// <summary>Probability-flow ODE, classical Runge-Kutta (order 4, four evaluations per step).</summary>
    Rk4,

    /// <summary>Probability-flow ODE, embedded Dormand-Prince 5(4) with step-size control on the whole cloud.</summary>
    Adaptive,

    /// <summary>DDIM with any eta &gt;= 0 (eta = 0 deterministic; eta = 1 the ancestral posterior step).</summary>
    Ddim,

    /// <summary>Euler-Maruyama on the SDE family dX = [v + g^2/2 s] dt + g dW with the ODE's marginals.</summary>
    Sde,
}

/// <summary>How the time points of a fixed-step sampler are laid out on [start, end].</summary>
public enum TimeGridKind
{
    /// <summary>Equal steps in t.</summary>
    Uniform,

    /// <summary>
    /// EDM / Karras et al. spacing: equal steps in sigma^(1/rho) for the noise-to-signal ratio sigma = a / b,
    /// which concentrates the steps near the data end where the fields vary fastest.
    /// </summary>
    Karras,
}

/// <summary>The shape of the SDE diffusion coefficient g(t).</summary>
public enum DiffusionProfile
{
    /// <summary>
    /// g(t) = level x a(t): vanishes at t = 1 together with the noise, and keeps the drift term g^2 s / 2 =
    /// level^2 (b D - x) / 2 bounded where the score is singular.
    /// </summary>
    ProportionalToNoise,

    /// <summary>g(t) = level for t &lt; cutoff and 0 afterwards.</summary>
    Constant,
}

/// <summary>Everything a sampling run needs besides the field and the particles; <see cref="Validate"/> names bad fields.</summary>
public sealed record SamplingOptions
{
    /// <summary>The sampler.</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.Rk4;

    /// <summary>Number of steps of a fixed-step sampler (ignored by the adaptive one).</summary>
    public int Steps { get; init; } = 32;

    /// <summary>Start time, in [0, 1).</summary>
    public double Start { get; init; }

    /// <summary>End time 1 - delta, in (start, 1).</summary>
    public double End { get; init; } = 1.0 - 1e-3;

    /// <summary>The time grid of the fixed-step samplers.</summary>
    public TimeGridKind Grid { get; init; } = TimeGridKind.Uniform;

    /// <summary>The exponent rho of the Karras grid (7 in EDM).</summary>
    public double KarrasRho { get; init; } = 7.0;

    /// <summary>The largest noise-to-signal ratio a / b a Karras grid starts from when a / b is infinite at the start (80 in EDM).</summary>
    public double KarrasMaxRatio { get; init; } = 80.0;

    /// <summary>DDIM's eta: 0 is the deterministic DDIM step, 1 the ancestral (DDPM posterior) step.</summary>
    public double DdimEta { get; init; }

    /// <summary>The level of the SDE diffusion coefficient.</summary>
    public double DiffusionLevel { get; init; } = 1.0;

    /// <summary>The shape of the SDE diffusion coefficient.</summary>
    public DiffusionProfile DiffusionProfile { get; init; } = DiffusionProfile.ProportionalToNoise;

    /// <summary>The cut-off time of <see cref="DiffusionProfile.Constant"/>.</summary>
    public double DiffusionCutoff { get; init; } = 1.0;

    /// <summary>An arbitrary in-process diffusion g(t) that overrides the level and profile (not for clusters).</summary>
    public Func<double, double>? DiffusionFunction { get; init; }

    /// <summary>Annealed Langevin corrector steps after every predictor step (0 = none).</summary>
    public int CorrectorSteps { get; init; }

    /// <summary>
    /// The corrector's signal-to-noise ratio r: each corrector step is an unadjusted Langevin step on p_t with step
    /// size h = 2 (r a(t))^2, i.e. a fixed fraction of the noise variance a^2 of the interpolant.
    /// </summary>
    public double CorrectorSnr { get; init; } = 0.1;

    /// <summary>Whether to finish with the snapping step x &lt;- D(end, x) (one more evaluation).</summary>
    public bool Snap { get; init; }

    /// <summary>Seed of the counter-based noise of the stochastic samplers and correctors.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Smallest relative tolerance of an adaptive run (about 450 ulp of 1). Below it the embedded error estimate is
    /// float64 rounding noise, and the norms scaled by atol + rtol |x| overflow: with --tolerance 1e-300 the initial step
    /// came out NaN and the run failed with "t: time NaN is not in [0, 1]", naming no option the user gave.
    /// </summary>
    public const double MinRelativeTolerance = 1e-13;

    /// <summary>Relative tolerance of the adaptive sampler.</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Absolute tolerance of the adaptive sampler.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-8;

    /// <summary>
    /// Most steps of a fixed-step sampler: its time grid (K + 1 float64 values, 80 MB here) is built whole before the
    /// first step, so a count near int.MaxValue would ask for 16 GB, or overflow, before anything ran.
    /// </summary>
    public const int MaxFixedSteps = 10_000_000;

    /// <summary>The adaptive sampler's cap on step attempts.</summary>
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>Whether the sampler needs the denoiser itself rather than only a velocity field.</summary>
    public bool NeedsDenoiser => Sampler is SamplerKind.Ddim or SamplerKind.Sde || CorrectorSteps > 0 || Snap;

    /// <summary>Velocity (or denoiser) evaluations per particle of one fixed step, correctors excluded.</summary>
    public int EvaluationsPerStep => Sampler switch
    {
        SamplerKind.Heun => 2,
        SamplerKind.Rk4 => 4,
        _ => 1,
    };

    /// <summary>Checks every field, throwing <see cref="InvalidInputException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Sampler))
        {
            throw new InvalidInputException("sampler", $"unknown sampler {Sampler}");
        }

        if (!Enum.IsDefined(Grid))
        {
            throw new InvalidInputException("grid", $"unknown time grid {Grid}");
        }

        if (Sampler != SamplerKind.Adaptive && Steps < 1)
        {
            throw new InvalidInputException("steps", $"step count {Steps} must be at least 1");
        }

        if (Sampler != SamplerKind.Adaptive && Steps > MaxFixedSteps)
        {
            throw new InvalidInputException("steps", $"step count {Steps} is above {MaxFixedSteps}: the time grid and the per-step report are held whole");
        }

        if (!(Start >= 0.0 && Start < 1.0))
        {
            throw new InvalidInputException("start", $"start time {Start} is not in [0, 1)");
        }

        if (!(End > Start && End < 1.0))
        {
            throw new InvalidInputException("end", $"end time {End} must lie in (start, 1); use 1 - delta");
        }

        Positive("karras-rho", KarrasRho);
        Positive("karras-max-ratio", KarrasMaxRatio);
        if (!(DdimEta >= 0.0) || !double.IsFinite(DdimEta))
        {
            throw new InvalidInputException("eta", $"DDIM eta {DdimEta} must be non-negative and finite");
        }

        if (!(DiffusionLevel >= 0.0) || !double.IsFinite(DiffusionLevel))
        {
            throw new InvalidInputException("diffusion", $"level {DiffusionLevel} must be non-negative and finite");
        }

        if (!Enum.IsDefined(DiffusionProfile))
        {
            throw new InvalidInputException("diffusion-profile", $"unknown profile {DiffusionProfile}");
        }

        if (!(DiffusionCutoff > 0.0 && DiffusionCutoff <= 1.0))
        {
            throw new InvalidInputException("diffusion-cutoff", $"cut-off time {DiffusionCutoff} is not in (0, 1]");
        }

        if (CorrectorSteps < 0 || CorrectorSteps > 1000)
        {
            throw new InvalidInputException("corrector-steps", $"{CorrectorSteps} must lie in [0, 1000]");
        }

        Positive("corrector-snr", CorrectorSnr);
        Positive("rtol", RelativeTolerance);
        if (RelativeTolerance < MinRelativeTolerance)
        {
            throw new InvalidInputException("rtol", $"{RelativeTolerance} is below {MinRelativeTolerance}, the resolution float64 steps can be checked to");
        }

        Positive("atol", AbsoluteTolerance);
        if (MaxSteps < 1)
        {
            throw new InvalidInputException("max-steps", $"step cap {MaxSteps} must be at least 1");
        }
    }

    /// <summary>The diffusion coefficient g(t) of the SDE sampler, checked non-negative and finite.</summary>
    public double Diffusion(InterpolantSchedule schedule, double t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var g = DiffusionFunction is not null
            ? DiffusionFunction(t)
            : DiffusionProfile == DiffusionProfile.Constant
                ? (t < DiffusionCutoff ? DiffusionLevel : 0.0)
                : DiffusionLevel * schedule.A(t);
        if (!(g >= 0.0) || !double.IsFinite(g))
        {
            throw new InvalidInputException("diffusion", $"g({t}) = {g} is not a non-negative finite number");
        }

        return g;
    }

    private static void Positive(string field, double value)
    {
        if (!(value > 0.0) || !double.IsFinite(value))
        {
            throw new InvalidInputException(field, $"{value} must be positive and finite");
        }
    }
}
