namespace Transport.Numerics.Sampling;

/// <summary>
/// The exact fields of the interpolant X_t = a(t) x0 + b(t) x1 with x0 ~ N(0, I) and x1 ~ target, all derived from
/// the target's denoiser D through the identities of math.md 2.2: v = (a'/a) x + (b' - a' b / a) D and
/// s = (b D - x) / a^2. Requires a(t) &gt; 0, that is t &lt; 1 for the built-in schedules. The asynchronous methods
/// are the one code path; the synchronous ones are conveniences for in-process targets.
/// </summary>
public sealed class InterpolantField : IVelocityField
{
    private readonly IDenoisingTarget? _target;

    /// <summary>Pairs <paramref name="schedule"/> with the in-process <paramref name="target"/>.</summary>
    public InterpolantField(InterpolantSchedule schedule, IDenoisingTarget target)
        : this(schedule, new TargetDenoiser(target ?? throw new InvalidInputException("target", "is missing")))
    {
    }

    /// <summary>Pairs <paramref name="schedule"/> with a (possibly remote) <paramref name="denoiser"/>.</summary>
    public InterpolantField(InterpolantSchedule schedule, IDenoiser denoiser)
    {
        Schedule = schedule ?? throw new InvalidInputException("schedule", "is missing");
        Oracle = denoiser ?? throw new InvalidInputException("denoiser", "is missing");
        Target = (denoiser as TargetDenoiser)?.Target;
        _target = Target;
    }

    /// <summary>The schedule (a, b).</summary>
    public InterpolantSchedule Schedule { get; }

    /// <summary>The denoiser oracle.</summary>
    public IDenoiser Oracle { get; }

    /// <summary>The in-process data distribution, or null when the denoiser is remote.</summary>
    public IDenoisingTarget? Target { get; }

    /// <inheritdoc />
    public int Dimension => Oracle.Dimension;

    /// <summary>Writes D(t, x) for the row-major n x d batch <paramref name="x"/>.</summary>
    public ValueTask DenoiseAsync(double t, ReadOnlyMemory<double> x, Memory<double> denoised, CancellationToken cancellationToken) =>
        Oracle.DenoiseAsync(NoiseCoefficient(t), Schedule.B(t), x, denoised, cancellationToken);

    /// <inheritdoc />
    public async ValueTask VelocityAsync(double t, ReadOnlyMemory<double> x, Memory<double> velocity, CancellationToken cancellationToken)
    {
        var a = NoiseCoefficient(t);
        await Oracle.DenoiseAsync(a, Schedule.B(t), x, velocity, cancellationToken).ConfigureAwait(false);
        VelocityFromDenoised(t, a, x.Span, velocity.Span);
    }

    /// <summary>Writes the score s(t, x) = grad log p_t(x) for the batch <paramref name="x"/>.</summary>
    public async ValueTask ScoreAsync(double t, ReadOnlyMemory<double> x, Memory<double> score, CancellationToken cancellationToken)
    {
        var a = NoiseCoefficient(t);
        var b = Schedule.B(t);
        await Oracle.DenoiseAsync(a, b, x, score, cancellationToken).ConfigureAwait(false);
        ScoreFromDenoised(a, b, x.Span, score.Span);
    }

    /// <summary>Writes D(t, x) for the row-major n x d batch <paramref name="x"/> (in-process targets only).</summary>
    public void Denoiser(double t, ReadOnlySpan<double> x, Span<double> denoised) =>
        LocalTarget.Denoise(NoiseCoefficient(t), Schedule.B(t), x, denoised);

    /// <summary>Writes the velocity v(t, x) of the probability-flow ODE for the batch <paramref name="x"/> (in-process targets only).</summary>
    public void Velocity(double t, ReadOnlySpan<double> x, Span<double> velocity)
    {
        var a = NoiseCoefficient(t);
        LocalTarget.Denoise(a, Schedule.B(t), x, velocity);
        VelocityFromDenoised(t, a, x, velocity);
    }

    /// <summary>Writes the score s(t, x) = grad log p_t(x) for the batch <paramref name="x"/> (in-process targets only).</summary>
    public void Score(double t, ReadOnlySpan<double> x, Span<double> score)
    {
        var a = NoiseCoefficient(t);
        var b = Schedule.B(t);
        LocalTarget.Denoise(a, b, x, score);
        ScoreFromDenoised(a, b, x, score);
    }

    /// <summary>
    /// Turns the denoised values in <paramref name="values"/> into the velocity, in place:
    /// v = (a'/a) x + (b' - a' b / a) D.
    /// </summary>
    public void VelocityFromDenoised(double t, double a, ReadOnlySpan<double> x, Span<double> values)
    {
        var b = Schedule.B(t);
        var da = Schedule.DA(t);
        var db = Schedule.DB(t);
        var onX = da / a;
        var onD = db - (da * b / a);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (onX * x[i]) + (onD * values[i]);
        }
    }

    /// <summary>The noise coefficient a(t), checked positive (the fields are singular where it vanishes).</summary>
    public double NoiseCoefficient(double t)
    {
        var a = Schedule.A(t);
        if (!(a > 0.0))
        {
            throw new InvalidInputException("t", $"the noise coefficient a({t}) = {a} must be positive; stop at 1 - delta");
        }

        return a;
    }

    private static void ScoreFromDenoised(double a, double b, ReadOnlySpan<double> x, Span<double> values)
    {
        var inverseA2 = 1.0 / (a * a);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((b * values[i]) - x[i]) * inverseA2;
        }
    }

    private IDenoisingTarget LocalTarget =>
        _target ?? throw new InvalidOperationException("this field's denoiser is remote: use the asynchronous methods");
}
