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
    /// fields are singular where a = 0, so stop at 1 - delta). A convenience over <see cref="SamplingDriver"/> with
    /// one in-process block.
    /// </summary>
    public SamplingResult Sample(ReadOnlySpan<double> source, int steps, double end, double start = 0.0)
    {
        var options = new SamplingOptions
        {
            Sampler = Method switch
            {
                SamplerMethod.Euler => SamplerKind.Euler,
                SamplerMethod.Heun => SamplerKind.Heun,
                SamplerMethod.Rk4 => SamplerKind.Rk4,
                _ => SamplerKind.Ddim,
            },
            Steps = steps,
            Start = start,
            End = end,
        };
        return LocalSampling.Run(Field, options, source);
    }
}
