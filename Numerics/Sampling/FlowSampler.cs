namespace Transport.Numerics.Sampling;

/// <summary>The samplers of the probability-flow ODE (math.md 2.4).</summary>
public enum SamplerMethod
{
    /// <summary>Explicit Euler on dx/dt = v (order 1; one evaluation per step).</summary>
    Euler,

    /// <summary>Heun / explicit trapezoid (order 2; two evaluations per step).</summary>
    Heun,

    /// <summary>Classical Runge-Kutta (order 4; four evaluations per step).</summary>
    Rk4,

    /// <summary>
    /// DDIM with eta = 0: x' = b(t') D + a(t') (x - b(t) D) / a(t) with D = D(t, x) (one evaluation per step).
    /// </summary>
    Ddim,
}

/// <summary>The outcome of a sampling run.</summary>
/// <param name="Particles">The final particles, row-major n x d, in the order of the source points.</param>
/// <param name="Evaluations">
/// The number of function evaluations (NFE): how many times the denoiser (hence the velocity) was evaluated on
/// the batch, i.e. per particle.
/// </param>
public sealed record SamplingResult(double[] Particles, int Evaluations);

/// <summary>
/// Transports a batch of particles along the probability-flow ODE of an <see cref="InterpolantField"/> on the
/// uniform time grid t_k = start + k (end - start) / steps.
/// </summary>
public sealed class FlowSampler
{
    /// <summary>Creates a sampler for <paramref name="field"/> with <paramref name="method"/>.</summary>
    public FlowSampler(InterpolantField field, SamplerMethod method)
    {
        Field = field ?? throw new InvalidInputException("field", "is missing");
        if (!Enum.IsDefined(method))
        {
            throw new InvalidInputException("sampler", $"unknown sampler {method}");
        }

        Method = method;
    }

    /// <summary>The field being integrated.</summary>
    public InterpolantField Field { get; }

    /// <summary>The integration method.</summary>
    public SamplerMethod Method { get; }

    /// <summary>
    /// Integrates the row-major n x d batch <paramref name="source"/> (not modified) from <paramref name="start"/> to
    /// <paramref name="end"/> in <paramref name="steps"/> uniform steps. Requires 0 &lt;= start &lt; end &lt; 1 (the
    /// fields are singular where a = 0, so stop at 1 - delta).
    /// </summary>
    public SamplingResult Sample(ReadOnlySpan<double> source, int steps, double end, double start = 0.0)
    {
        if (steps < 1)
        {
            throw new InvalidInputException("steps", $"step count {steps} must be at least 1");
        }

        if (!(start >= 0.0 && start < 1.0))
        {
            throw new InvalidInputException("start", $"start time {start} is not in [0, 1)");
        }

        if (!(end > start && end < 1.0))
        {
            throw new InvalidInputException("end", $"end time {end} must lie in (start, 1); use 1 - delta");
        }

        var d = Field.Dimension;
        if (source.Length == 0 || source.Length % d != 0)
        {
            throw new InvalidInputException("particles", $"length {source.Length} is not a positive multiple of d = {d}");
        }

        foreach (var value in source)
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidInputException("particles", $"contains {value}, not a finite number");
            }
        }

        var x = source.ToArray();
        var work = new Workspace(x.Length, Method);
        var evaluations = 0;
        var h = (end - start) / steps;
        for (var k = 0; k < steps; k++)
        {
            var t = start + (k * h);
            var next = k + 1 == steps ? end : start + ((k + 1) * h);
            evaluations += Step(x, t, next, work);
        }

        return new SamplingResult(x, evaluations);
    }

    private int Step(double[] x, double t, double next, Workspace w)
    {
        var h = next - t;
        switch (Method)
        {
            case SamplerMethod.Euler:
                Field.Velocity(t, x, w.K1);
                Axpy(x, h, w.K1);
                return 1;

            case SamplerMethod.Heun:
                Field.Velocity(t, x, w.K1);
                Combine(w.Stage, x, h, w.K1);
                Field.Velocity(next, w.Stage, w.K2);
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] += 0.5 * h * (w.K1[i] + w.K2[i]);
                }

                return 2;

            case SamplerMethod.Rk4:
                var middle = t + (0.5 * h);
                Field.Velocity(t, x, w.K1);
                Combine(w.Stage, x, 0.5 * h, w.K1);
                Field.Velocity(middle, w.Stage, w.K2);
                Combine(w.Stage, x, 0.5 * h, w.K2);
                Field.Velocity(middle, w.Stage, w.K3);
                Combine(w.Stage, x, h, w.K3);
                Field.Velocity(next, w.Stage, w.K4);
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] += h / 6.0 * (w.K1[i] + (2.0 * w.K2[i]) + (2.0 * w.K3[i]) + w.K4[i]);
                }

                return 4;

            default:
                var schedule = Field.Schedule;
                var a = schedule.A(t);
                var b = schedule.B(t);
                var aNext = schedule.A(next);
                var bNext = schedule.B(next);
                Field.Denoiser(t, x, w.K1);
                for (var i = 0; i < x.Length; i++)
                {
                    var noise = (x[i] - (b * w.K1[i])) / a;
                    x[i] = (bNext * w.K1[i]) + (aNext * noise);
                }

                return 1;
        }
    }

    private static void Axpy(double[] x, double h, double[] k)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += h * k[i];
        }
    }

    private static void Combine(double[] stage, double[] x, double h, double[] k)
    {
        for (var i = 0; i < x.Length; i++)
        {
            stage[i] = x[i] + (h * k[i]);
        }
    }

    private sealed class Workspace
    {
        public Workspace(int length, SamplerMethod method)
        {
            K1 = new double[length];
            var stages = method is SamplerMethod.Heun or SamplerMethod.Rk4;
            Stage = stages ? new double[length] : [];
            K2 = stages ? new double[length] : [];
            K3 = method == SamplerMethod.Rk4 ? new double[length] : [];
            K4 = method == SamplerMethod.Rk4 ? new double[length] : [];
        }

        public double[] K1 { get; }

        public double[] K2 { get; }

        public double[] K3 { get; }

        public double[] K4 { get; }

        public double[] Stage { get; }
    }
}
