namespace Transport.Numerics.Sampling;

/// <summary>
/// The exact fields of the interpolant X_t = a(t) x0 + b(t) x1 with x0 ~ N(0, I) and x1 ~ target, all derived from
/// the target's denoiser D through the identities of math.md 2.2: v = (a'/a) x + (b' - a' b / a) D and
/// s = (b D - x) / a^2. Requires a(t) &gt; 0, that is t &lt; 1 for the built-in schedules.
/// </summary>
public sealed class InterpolantField
{
    /// <summary>Pairs <paramref name="schedule"/> with <paramref name="target"/>.</summary>
    public InterpolantField(InterpolantSchedule schedule, IDenoisingTarget target)
    {
        Schedule = schedule ?? throw new InvalidInputException("schedule", "is missing");
        Target = target ?? throw new InvalidInputException("target", "is missing");
    }

    /// <summary>The schedule (a, b).</summary>
    public InterpolantSchedule Schedule { get; }

    /// <summary>The data distribution.</summary>
    public IDenoisingTarget Target { get; }

    /// <summary>The dimension of the particles.</summary>
    public int Dimension => Target.Dimension;

    /// <summary>Writes D(t, x) for the row-major n x d batch <paramref name="x"/>.</summary>
    public void Denoiser(double t, ReadOnlySpan<double> x, Span<double> denoised) =>
        Target.Denoise(NoiseCoefficient(t), Schedule.B(t), x, denoised);

    /// <summary>Writes the velocity v(t, x) of the probability-flow ODE for the batch <paramref name="x"/>.</summary>
    public void Velocity(double t, ReadOnlySpan<double> x, Span<double> velocity)
    {
        var a = NoiseCoefficient(t);
        var b = Schedule.B(t);
        var da = Schedule.DA(t);
        var db = Schedule.DB(t);
        Target.Denoise(a, b, x, velocity);
        var onX = da / a;
        var onD = db - (da * b / a);
        for (var i = 0; i < velocity.Length; i++)
        {
            velocity[i] = (onX * x[i]) + (onD * velocity[i]);
        }
    }

    /// <summary>Writes the score s(t, x) = grad log p_t(x) for the batch <paramref name="x"/>.</summary>
    public void Score(double t, ReadOnlySpan<double> x, Span<double> score)
    {
        var a = NoiseCoefficient(t);
        var b = Schedule.B(t);
        Target.Denoise(a, b, x, score);
        var inverseA2 = 1.0 / (a * a);
        for (var i = 0; i < score.Length; i++)
        {
            score[i] = ((b * score[i]) - x[i]) * inverseA2;
        }
    }

    private double NoiseCoefficient(double t)
    {
        var a = Schedule.A(t);
        if (!(a > 0.0))
        {
            throw new InvalidInputException("t", $"the noise coefficient a({t}) = {a} must be positive; stop at 1 - delta");
        }

        return a;
    }
}
