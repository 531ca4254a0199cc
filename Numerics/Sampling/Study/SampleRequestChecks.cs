using System.Globalization;

namespace Transport.Numerics.Sampling.Study;

/// <summary>
/// The limits and names a <see cref="SampleRequest"/> must respect, and the check of a typed request against them.
/// The console parses its options into a request and checks it here; a study coordinator checks a request built from
/// a spec that any client may have sent, so the two sides refuse the same requests with the same field names.
/// </summary>
public static class SampleRequestChecks
{
    /// <summary>Largest particle count n.</summary>
    public const int MaxParticles = 1_000_000;

    /// <summary>Largest number of points of a data set target.</summary>
    public const int MaxDataPoints = 1_000_000;

    /// <summary>Largest step count.</summary>
    public const int MaxSteps = 100_000;

    /// <summary>Largest number of counts in a sweep.</summary>
    public const int MaxSweep = 32;

    /// <summary>Largest shard count (data or particles).</summary>
    public const int MaxShards = 4096;

    /// <summary>Largest number of coupling pairs (they are replicated on every particle shard).</summary>
    public const int MaxCouplingPairs = 100_000;

    /// <summary>Largest number of annealed Langevin corrector steps per time step.</summary>
    public const int MaxCorrectorSteps = 1000;

    /// <summary>Sampler names.</summary>
    public static readonly string[] Samplers = ["euler", "heun", "rk4", "adaptive", "ddim", "sde"];

    /// <summary>Grid names.</summary>
    public static readonly string[] Grids = ["uniform", "karras"];

    /// <summary>Coupling names.</summary>
    public static readonly string[] Couplings = ["independent", "ot"];

    /// <summary>Coupling solver names.</summary>
    public static readonly string[] CouplingSolvers = ["sinkhorn", "exact"];

    /// <summary>
    /// Checks every field of <paramref name="request"/> and the step counts <paramref name="steps"/> (ascending and
    /// distinct in 1..<see cref="MaxSteps"/>, or the single 0 of the adaptive sampler), and builds the target's
    /// denoiser once so that a malformed target fails here. Throws <see cref="InvalidInputException"/> naming the field.
    /// </summary>
    public static void Check(SampleRequest request, IReadOnlyList<int> steps) => Check(request, steps, buildTarget: true);

    /// <summary>
    /// As <see cref="Check(SampleRequest, IReadOnlyList{int})"/>; without <paramref name="buildTarget"/> the target is
    /// left unchecked (a coordinator checks a spec before its data set has arrived).
    /// </summary>
    public static void Check(SampleRequest request, IReadOnlyList<int> steps, bool buildTarget)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(steps);
        var d = request.Dimension;
        if (d < 1)
        {
            throw new InvalidInputException("target", $"has dimension {d}; it must be at least 1");
        }

        Range("n", request.Count, 1, MaxParticles);
        if (request.Target.Points is { } points)
        {
            Range("target", points.Length / d, 1, MaxDataPoints);
            WithinScale("target", points, d);
        }

        Name("sampler", request.Sampler, Samplers);
        Name("schedule", request.Schedule, SampleTargets.ScheduleNames);
        Name("grid", request.Grid, Grids);
        Name("coupling", request.Coupling, Couplings);
        Name("coupling-solver", request.CouplingSolver, CouplingSolvers);
        CheckSteps(request.Sampler, steps);
        Range("shards", request.Shards, 1, MaxShards);
        Range("particle-shards", request.ParticleShards, 1, Math.Min(MaxShards, request.Count));
        Open("delta", request.Delta, 0.0, 0.5);
        NonNegative("eta", request.Eta);
        if (request.Eta > 0.0 && request.Sampler != "ddim")
        {
            throw new InvalidInputException("eta", $"is {Format(request.Eta)}, but eta applies only to --sampler ddim (got {request.Sampler})");
        }

        NonNegative("diffusion", request.Diffusion);
        Range("corrector-steps", request.CorrectorSteps, 0, MaxCorrectorSteps);
        Positive("corrector-snr", request.CorrectorSnr);
        Open("tolerance", request.Tolerance, 0.0, 1.0);
        if (request.Tolerance < SamplingOptions.MinRelativeTolerance)
        {
            // The adaptive sampler's rtol (and atol): see MinRelativeTolerance for what a smaller one did.
            throw new InvalidInputException("tolerance", $"is {Format(request.Tolerance)}, below {Format(SamplingOptions.MinRelativeTolerance)} (float64 resolution: the adaptive error estimate would be rounding noise)");
        }

        Range("coupling-pairs", request.CouplingPairs, 2, MaxCouplingPairs);
        if (request.Coupling == "ot" && request.CouplingSolver == "exact" && request.CouplingPairs > Coupling.ExactAssignment.MaxSize)
        {
            throw new InvalidInputException("coupling-pairs", $"is {request.CouplingPairs}, over the exact solver's limit of {Coupling.ExactAssignment.MaxSize}; use --coupling-solver sinkhorn");
        }

        Positive("coupling-bandwidth", request.CouplingBandwidth);
        if (!(request.CouplingBlur > 0.0 && request.CouplingBlur <= 1.0))
        {
            throw new InvalidInputException("coupling-blur", $"must be in (0, 1], got {Format(request.CouplingBlur)}");
        }

        if (request.Coupling == "ot" && (request.Sampler is "ddim" or "sde" || request.CorrectorSteps > 0 || request.Snap))
        {
            throw new InvalidInputException("coupling", $"an ot coupling gives a velocity field without a denoiser: use --sampler euler, heun, rk4 or adaptive, without correctors or --snap (got {request.Sampler})");
        }

        if (request.Noise is { } noise && (noise.Length != (long)request.Count * d || !noise.All(double.IsFinite)))
        {
            throw new InvalidInputException("noise", $"must hold {request.Count} x {d} finite values, got {noise.Length} values");
        }

        if (request.Noise is { } source)
        {
            WithinScale("noise", source, d);
        }

        CheckSource(request, d);
        if (buildTarget)
        {
            _ = SampleTargets.Build(request.Target);
        }
    }

    private static void CheckSteps(string sampler, IReadOnlyList<int> steps)
    {
        if (sampler == "adaptive")
        {
            if (steps.Count != 1 || steps[0] != 0)
            {
                throw new InvalidInputException("steps", $"'{string.Join(",", steps)}': the adaptive sampler chooses its own steps (use --tolerance)");
            }

            return;
        }

        if (steps.Count is 0 or > MaxSweep)
        {
            throw new InvalidInputException("steps", $"lists {steps.Count} counts; expected 1 to {MaxSweep}");
        }

        for (var k = 0; k < steps.Count; k++)
        {
            Range("steps", steps[k], 1, MaxSteps);
            if (k > 0 && steps[k] <= steps[k - 1])
            {
                throw new InvalidInputException("steps", $"'{string.Join(",", steps)}' must be distinct counts in ascending order");
            }
        }
    }

    private static void CheckSource(SampleRequest request, int d)
    {
        if (request.SourceMean is null != request.SourceCovariance is null)
        {
            throw new InvalidInputException("source", "needs both a mean and a covariance");
        }

        if (request.SourceMean is { } mean && (mean.Length != d || request.SourceCovariance!.Length != d * d || !mean.Concat(request.SourceCovariance).All(double.IsFinite)))
        {
            throw new InvalidInputException("source", $"must have a finite mean of {d} entries and a finite {d} x {d} covariance");
        }
    }

    /// <summary>Throws for the first coordinate beyond <see cref="SampleTarget.MaxCoordinate"/> (see there why).</summary>
    private static void WithinScale(string field, double[] values, int d)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (Math.Abs(values[i]) > SampleTarget.MaxCoordinate)
            {
                throw new InvalidInputException(field, $"coordinate [{i / d}, {i % d}] is {Format(values[i])}, beyond +-{Format(SampleTarget.MaxCoordinate)} (squared distances would overflow float64)");
            }
        }
    }

    private static void Name(string field, string value, string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new InvalidInputException(field, $"unknown value '{value}' (expected {string.Join(", ", allowed)})");
        }
    }

    private static void Range(string field, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            throw new InvalidInputException(field, $"must be between {min} and {max}, got {value}");
        }
    }

    private static void Open(string field, double value, double low, double high)
    {
        if (!(value > low && value < high))
        {
            throw new InvalidInputException(field, $"must be in ({Format(low)}, {Format(high)}), got {Format(value)}");
        }
    }

    private static void NonNegative(string field, double value)
    {
        if (!(value >= 0.0 && double.IsFinite(value)))
        {
            throw new InvalidInputException(field, $"must be non-negative and finite, got {Format(value)}");
        }
    }

    private static void Positive(string field, double value)
    {
        if (!(value > 0.0 && double.IsFinite(value)))
        {
            throw new InvalidInputException(field, $"must be positive and finite, got {Format(value)}");
        }
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
