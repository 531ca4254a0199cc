using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Sampling;
using Transport.Numerics.Sampling.Coupling;

namespace Transport.Grains;

/// <summary>
/// Turns a <see cref="SamplingJobSpec"/> into the engine's objects: the options, the schedule and (for the inline
/// kinds) the target. The coordinator calls <see cref="Validate"/> once; particle shards rebuild the same objects
/// from the validated spec. Every failure is an <see cref="InvalidInputException"/> naming the field.
/// </summary>
public static class SamplingModel
{
    /// <summary>Largest number of inline target values (mean, covariances, weights, means).</summary>
    public const int MaxTargetValues = 1 << 20;

    /// <summary>Largest dimension of an inline Gaussian or mixture (its covariances are d x d).</summary>
    public const int MaxInlineDimension = 1024;

    /// <summary>Checks every field of <paramref name="spec"/> and returns the engine's options.</summary>
    public static SamplingOptions Validate(SamplingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var kind = SamplingNames.CheckTarget(spec.Target);
        CheckGiven(spec);
        if (spec.Dimension < 1)
        {
            throw new InvalidInputException("dimension", $"must be positive, got {spec.Dimension}");
        }

        if (spec.Count < 1)
        {
            throw new InvalidInputException("particles", $"no particles (n = {spec.Count})");
        }

        UploadChecks.CheckSize("particles", spec.Count, spec.Dimension);
        UploadChecks.CheckShards("particle-shards", spec.ParticleShards);
        _ = Schedule(spec);
        var options = spec.ToOptions();
        options.Validate();
        if (kind == "empirical")
        {
            if (spec.DataCount < 1)
            {
                throw new InvalidInputException("data", $"an empirical target needs data points (count {spec.DataCount})");
            }

            UploadChecks.CheckSize("data", spec.DataCount, spec.Dimension);
            UploadChecks.CheckShards("data-shards", spec.DataShards);
            if (spec.Mean.Length + spec.Covariance.Length + spec.MixtureWeights.Length + spec.MixtureMeans.Length + spec.MixtureCovariances.Length > 0)
            {
                throw new InvalidInputException("target", "an empirical target takes its data by upload, not inline parameters");
            }
        }
        else if (kind == "pairs")
        {
            _ = PairsField(spec);
            if (options.NeedsDenoiser)
            {
                throw new InvalidInputException("sampler", $"{spec.Sampler} (or correctors/snapping) needs a denoiser; a coupled (pairs) field has only a velocity: use euler, heun, rk4 or adaptive");
            }
        }
        else
        {
            _ = InlineTarget(spec);
        }

        return options;
    }

    /// <summary>The schedule named by the spec (<c>linear</c>, <c>trig</c>, <c>vp</c>).</summary>
    public static InterpolantSchedule Schedule(SamplingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return SamplingNames.CheckSchedule(spec.Schedule) switch
        {
            "linear" => new LinearSchedule(),
            "trig" => new TrigonometricSchedule(),
            _ => new VpSdeSchedule(),
        };
    }

    /// <summary>The inline target (<c>gaussian</c> or <c>mixture</c>) built from the spec's small parameter lists.</summary>
    public static IDenoisingTarget InlineTarget(SamplingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var d = spec.Dimension;
        if (d > MaxInlineDimension)
        {
            throw new InvalidInputException("dimension", $"an inline {spec.Target} target is limited to d <= {MaxInlineDimension}, got {d}");
        }

        var values = (long)spec.Mean.Length + spec.Covariance.Length + spec.MixtureWeights.Length + spec.MixtureMeans.Length + spec.MixtureCovariances.Length;
        if (values > MaxTargetValues)
        {
            throw new InvalidInputException("target", $"{values} inline parameters exceed the limit of {MaxTargetValues}; use an empirical target");
        }

        if (spec.DataCount != 0)
        {
            throw new InvalidInputException("data", $"a {spec.Target} target takes no data points (count {spec.DataCount})");
        }

        if (spec.Target == "gaussian")
        {
            CheckLength("mean", spec.Mean, d);
            CheckLength("covariance", spec.Covariance, (long)d * d);
            return new GaussianTarget(spec.Mean, Square("covariance", spec.Covariance, 0, d));
        }

        var k = spec.MixtureWeights.Length;
        if (k < 1)
        {
            throw new InvalidInputException("weights", "a mixture needs at least one component weight");
        }

        CheckLength("means", spec.MixtureMeans, (long)k * d);
        CheckLength("covariances", spec.MixtureCovariances, (long)k * d * d);
        var means = new IReadOnlyList<double>[k];
        var covariances = new double[k][,];
        for (var c = 0; c < k; c++)
        {
            means[c] = spec.MixtureMeans.AsSpan(c * d, d).ToArray();
            covariances[c] = Square($"covariances[{c}]", spec.MixtureCovariances, c * d * d, d);
        }

        return new GaussianMixtureTarget(spec.MixtureWeights, means, covariances);
    }

    /// <summary>The coupled-pairs velocity field of a <c>pairs</c> spec (pairs replicated inline).</summary>
    public static CoupledPairsField PairsField(SamplingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var values = (long)spec.PairSources.Length + spec.PairTargets.Length;
        if (values > MaxTargetValues)
        {
            throw new InvalidInputException("pairs", $"{values} pair values exceed the limit of {MaxTargetValues}; use fewer coupling pairs");
        }

        if (spec.DataCount != 0)
        {
            throw new InvalidInputException("data", $"a pairs target takes no data points (count {spec.DataCount})");
        }

        foreach (var value in spec.PairSources.Concat(spec.PairTargets))
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidInputException("pairs", $"contains {value}, not a finite number");
            }
        }

        return new CoupledPairsField(spec.PairSources, spec.PairTargets, spec.Dimension, spec.PairBandwidth, Schedule(spec));
    }

    /// <summary>The inline lists, each of which a client must send (empty when unused): every check below reads their lengths.</summary>
    private static void CheckGiven(SamplingJobSpec spec)
    {
        (string Field, double[]? Values)[] lists =
        [
            ("mean", spec.Mean), ("covariance", spec.Covariance), ("weights", spec.MixtureWeights), ("means", spec.MixtureMeans),
            ("covariances", spec.MixtureCovariances), ("pairs", spec.PairSources), ("pairs", spec.PairTargets),
        ];
        foreach (var (field, values) in lists)
        {
            if (values is null)
            {
                throw new InvalidInputException(field, "is null; send an empty list when the target does not use it");
            }
        }
    }

    private static void CheckLength(string field, double[] values, long expected)
    {
        if (values.Length != expected)
        {
            throw new InvalidInputException(field, $"has {values.Length} entries, expected {expected}");
        }
    }

    private static double[,] Square(string field, double[] values, int offset, int d)
    {
        // The caller checked the length of the whole list; this copies one d x d block of it.
        var matrix = new double[d, d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                matrix[i, j] = values[offset + (i * d) + j];
            }
        }

        return matrix;
    }
}
