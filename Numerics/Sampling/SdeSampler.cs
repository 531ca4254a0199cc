using Transport.Numerics.Randomness;

namespace Transport.Numerics.Sampling;

/// <summary>
/// The SDE family with the marginals of the probability-flow ODE (math.md 2.4):
/// dX = [v(t, X) + g(t)^2 / 2 s(t, X)] dt + g(t) dW, for any diffusion g(t) &gt;= 0, discretised with
/// Euler-Maruyama on the uniform grid t_k = start + k (end - start) / steps. The drift comes from one denoiser
/// evaluation per step: v = (a'/a) x + (b' - a' b / a) D and s = (b D - x) / a^2. The Gaussian increment of
/// particle i, component c at step k is <see cref="CounterRandom.Normal"/>(seed, firstId + i, k, 0, c), so the
/// result does not depend on how the particles are split into blocks or shards.
/// </summary>
public sealed class SdeSampler
{
    private readonly Func<double, double> _diffusion;

    /// <summary>Creates the sampler for <paramref name="field"/> with the diffusion coefficient g(t).</summary>
    public SdeSampler(InterpolantField field, Func<double, double> diffusion)
    {
        Field = field ?? throw new InvalidInputException("field", "is missing");
        _diffusion = diffusion ?? throw new InvalidInputException("diffusion", "is missing");
    }

    /// <summary>The field whose marginals are sampled.</summary>
    public InterpolantField Field { get; }

    /// <summary>
    /// A constant diffusion g(t) = <paramref name="level"/> for t &lt; <paramref name="cutoff"/> and 0 afterwards,
    /// so that the noise vanishes near t = 1 where the score is singular.
    /// </summary>
    public static Func<double, double> ConstantDiffusion(double level, double cutoff)
    {
        if (!(level >= 0.0) || !double.IsFinite(level))
        {
            throw new InvalidInputException("diffusion", $"level {level} must be non-negative and finite");
        }

        if (!(cutoff > 0.0 && cutoff <= 1.0))
        {
            throw new InvalidInputException("diffusion-cutoff", $"cut-off time {cutoff} is not in (0, 1]");
        }

        return t => t < cutoff ? level : 0.0;
    }

    /// <summary>
    /// Integrates the row-major n x d batch <paramref name="source"/> (not modified) from <paramref name="start"/> to
    /// <paramref name="end"/> (0 &lt;= start &lt; end &lt; 1) in <paramref name="steps"/> Euler-Maruyama steps, with
    /// noise keyed by <paramref name="seed"/> and the global particle ids firstId, firstId + 1, ...
    /// <see cref="SamplingResult.Evaluations"/> counts denoiser evaluations on the batch (one per step).
    /// </summary>
    public SamplingResult Sample(ReadOnlySpan<double> source, int steps, double end, long seed, long firstId = 0, double start = 0.0)
    {
        // SamplingOptions.Validate and the block sampler check steps, start, end and the particles, naming each field.
        var options = new SamplingOptions
        {
            Sampler = SamplerKind.Sde,
            Steps = steps,
            Start = start,
            End = end,
            Seed = seed,
            DiffusionFunction = _diffusion,
        };
        return LocalSampling.Run(Field, options, source, firstId);
    }
}
