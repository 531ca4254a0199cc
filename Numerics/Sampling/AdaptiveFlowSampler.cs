namespace Transport.Numerics.Sampling;

/// <summary>The outcome of an adaptive sampling run.</summary>
/// <param name="Particles">The final particles, row-major n x d, in the order of the source points.</param>
/// <param name="Evaluations">The number of velocity evaluations on the batch (NFE), rejected steps included.</param>
/// <param name="AcceptedSteps">The number of accepted steps.</param>
/// <param name="RejectedSteps">The number of rejected step attempts.</param>
public sealed record AdaptiveSamplingResult(double[] Particles, int Evaluations, int AcceptedSteps, int RejectedSteps);

/// <summary>
/// Integrates the probability-flow ODE dx/dt = v(t, x) of an <see cref="InterpolantField"/> with the embedded
/// Dormand-Prince 5(4) pair (math.md 2.4, "adaptive solver"): the fifth-order solution is propagated, the
/// difference to the fourth-order one estimates the local error, and the step size is chosen so that the
/// root-mean-square of e_i / (atol + rtol max(|x_i|, |x_i'|)) over the whole batch stays below one. The last
/// stage of an accepted step is the first stage of the next (FSAL), so an accepted step costs six velocity
/// evaluations. The whole batch shares one time grid, so the denoiser is always evaluated on the full batch.
/// </summary>
public sealed class AdaptiveFlowSampler
{
    /// <summary>
    /// Creates the sampler for <paramref name="field"/> with relative and absolute tolerances (both positive and
    /// finite) and a cap on the number of step attempts.
    /// </summary>
    public AdaptiveFlowSampler(InterpolantField field, double relativeTolerance, double absoluteTolerance, int maxSteps = 100_000)
    {
        Field = field ?? throw new InvalidInputException("field", "is missing");
        if (!(relativeTolerance > 0.0) || !double.IsFinite(relativeTolerance))
        {
            throw new InvalidInputException("rtol", $"relative tolerance {relativeTolerance} must be positive and finite");
        }

        if (!(absoluteTolerance > 0.0) || !double.IsFinite(absoluteTolerance))
        {
            throw new InvalidInputException("atol", $"absolute tolerance {absoluteTolerance} must be positive and finite");
        }

        if (maxSteps < 1)
        {
            throw new InvalidInputException("max-steps", $"step cap {maxSteps} must be at least 1");
        }

        RelativeTolerance = relativeTolerance;
        AbsoluteTolerance = absoluteTolerance;
        MaxSteps = maxSteps;
    }

    /// <summary>The field being integrated.</summary>
    public InterpolantField Field { get; }

    /// <summary>The relative tolerance rtol.</summary>
    public double RelativeTolerance { get; }

    /// <summary>The absolute tolerance atol.</summary>
    public double AbsoluteTolerance { get; }

    /// <summary>The maximum number of step attempts (accepted plus rejected).</summary>
    public int MaxSteps { get; }

    /// <summary>
    /// Integrates the row-major n x d batch <paramref name="source"/> (not modified) from <paramref name="start"/> to
    /// <paramref name="end"/>, 0 &lt;= start &lt; end &lt; 1. Throws <see cref="InvalidOperationException"/> when the
    /// step cap is reached or the step size underflows.
    /// </summary>
    public AdaptiveSamplingResult Sample(ReadOnlySpan<double> source, double end, double start = 0.0)
    {
        // SamplingOptions.Validate and the block sampler check steps, start, end and the particles, naming each field.
        var options = new SamplingOptions
        {
            Sampler = SamplerKind.Adaptive,
            Start = start,
            End = end,
            RelativeTolerance = RelativeTolerance,
            AbsoluteTolerance = AbsoluteTolerance,
            MaxSteps = MaxSteps,
        };
        var backend = new LocalSamplingBackend(Field, options, source);
        var report = SamplingDriver.RunAsync(backend, options, Field.Schedule).GetAwaiter().GetResult();
        return new AdaptiveSamplingResult(backend.Positions(), report.Evaluations, report.Steps, report.RejectedSteps);
    }
}
