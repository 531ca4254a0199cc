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
    private const double Safety = 0.9;
    private const double MinFactor = 0.2;
    private const double MaxFactor = 5.0;

    private static readonly double[] C = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];

    private static readonly double[][] A =
    [
        [],
        [1.0 / 5.0],
        [3.0 / 40.0, 9.0 / 40.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
        [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0],
        [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0],
        [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
    ];

    /// <summary>Fifth-order weights minus the embedded fourth-order weights.</summary>
    private static readonly double[] E =
    [
        71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0,
    ];

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

        var length = source.Length;
        var x = source.ToArray();
        var next = new double[length];
        var stage = new double[length];
        var k = new double[7][];
        for (var s = 0; s < k.Length; s++)
        {
            k[s] = new double[length];
        }

        Field.Velocity(start, x, k[0]);
        var evaluations = 1;
        var accepted = 0;
        var rejected = 0;
        var t = start;
        var h = InitialStep(x, k[0], end - start);
        while (t < end)
        {
            if (accepted + rejected >= MaxSteps)
            {
                throw new InvalidOperationException($"adaptive sampler: {MaxSteps} step attempts reached at t = {t}");
            }

            var last = t + h >= end;
            if (last)
            {
                h = end - t;
            }

            for (var s = 1; s < 7; s++)
            {
                var row = A[s];
                var target = s == 6 ? next : stage;
                for (var i = 0; i < length; i++)
                {
                    var sum = 0.0;
                    for (var r = 0; r < row.Length; r++)
                    {
                        sum += row[r] * k[r][i];
                    }

                    target[i] = x[i] + (h * sum);
                }

                Field.Velocity(last && s >= 5 ? end : t + (C[s] * h), target, k[s]);
                evaluations++;
            }

            var error = ErrorNorm(x, next, k, h);
            if (error <= 1.0)
            {
                t = last ? end : t + h;
                (x, next) = (next, x);
                (k[0], k[6]) = (k[6], k[0]);
                accepted++;
            }
            else
            {
                rejected++;
            }

            var factor = error == 0.0 ? MaxFactor : Math.Clamp(Safety * Math.Pow(error, -0.2), MinFactor, MaxFactor);
            if (error > 1.0)
            {
                factor = Math.Min(factor, 1.0);
            }

            h *= factor;
            if (t < end && !(h > 1e-14 * Math.Max(1.0, Math.Abs(t))))
            {
                throw new InvalidOperationException($"adaptive sampler: step size {h} underflows at t = {t}");
            }
        }

        return new AdaptiveSamplingResult(x, evaluations, accepted, rejected);
    }

    private double InitialStep(double[] x, double[] velocity, double span)
    {
        // Hairer-Norsett-Wanner heuristic: a step that moves the state by about 1% of its scaled size.
        var stateNorm = 0.0;
        var velocityNorm = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var scale = AbsoluteTolerance + (RelativeTolerance * Math.Abs(x[i]));
            stateNorm += (x[i] / scale) * (x[i] / scale);
            velocityNorm += (velocity[i] / scale) * (velocity[i] / scale);
        }

        stateNorm = Math.Sqrt(stateNorm / x.Length);
        velocityNorm = Math.Sqrt(velocityNorm / x.Length);
        var h = stateNorm < 1e-5 || velocityNorm < 1e-5 ? 1e-6 : 0.01 * stateNorm / velocityNorm;
        return Math.Min(h, span);
    }

    private double ErrorNorm(double[] x, double[] next, double[][] k, double h)
    {
        var total = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var estimate = 0.0;
            for (var s = 0; s < E.Length; s++)
            {
                estimate += E[s] * k[s][i];
            }

            var scale = AbsoluteTolerance + (RelativeTolerance * Math.Max(Math.Abs(x[i]), Math.Abs(next[i])));
            var ratio = h * estimate / scale;
            total += ratio * ratio;
        }

        return Math.Sqrt(total / x.Length);
    }
}
