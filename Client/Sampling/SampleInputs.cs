using System.Globalization;
using System.Text.Json;
using Transport.Numerics;
using Transport.Numerics.IO;

using Transport.Numerics.Sampling;

using Transport.Numerics.Sampling.Study;

namespace Transport.Client.Sampling;

/// <summary>
/// A validated <c>transport sample</c> invocation: the request, the step counts (one run each), where the outputs go
/// and which cluster to use. <see cref="Load"/> merges the command line over the run specification over the
/// defaults and checks everything (files included) before anything runs; every error is an
/// <see cref="InvalidInputException"/> naming the option and the value.
/// </summary>
/// <param name="Request">The validated request.</param>
/// <param name="Steps">Step counts, ascending (the adaptive sampler's single 0).</param>
/// <param name="Output">Where the outputs go (null for a detached study: <c>transport runs fetch</c> writes them).</param>
/// <param name="Cluster">The <c>--cluster</c>, or null for an embedded silo.</param>
internal sealed record SampleInputs(SampleRequest Request, int[] Steps, OutputDirectory? Output, ClusterEndpoint? Cluster)
{
    /// <summary>Largest particle count n.</summary>
    public const int MaxParticles = SampleRequestChecks.MaxParticles;

    /// <summary>Largest step count.</summary>
    public const int MaxSteps = SampleRequestChecks.MaxSteps;

    /// <summary>Largest number of counts in a sweep.</summary>
    public const int MaxSweep = SampleRequestChecks.MaxSweep;

    /// <summary>Largest shard count (data or particles).</summary>
    public const int MaxShards = SampleRequestChecks.MaxShards;

    /// <summary>Default delta for a data set target: the empirical field is singular at t = 1 (math.md 2.3c).</summary>
    public const double DataDelta = 1e-3;

    /// <summary>Default delta for a Gaussian or mixture target: their fields stay smooth, so stop close to 1.</summary>
    public const double GaussianDelta = 1e-5;

    private static readonly string[] Samplers = SampleRequestChecks.Samplers;
    private static readonly string[] Grids = SampleRequestChecks.Grids;
    private static readonly string[] Couplings = SampleRequestChecks.Couplings;
    private static readonly string[] CouplingSolvers = SampleRequestChecks.CouplingSolvers;

    /// <summary>Merges, reads and validates; <paramref name="demoText"/> resolves a <c>--demo</c> name to its specification text.</summary>
    public static SampleInputs Load(SampleArguments arguments, Func<string, string> demoText)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(demoText);
        if (arguments.Spec is not null && arguments.Demo is not null)
        {
            throw new InvalidInputException("spec", "give at most one of --spec RUN.json or --demo NAME");
        }

        DetachedRuns.CheckArguments(arguments.Detach, arguments.Cluster, arguments.Out, arguments.Force);

        var cluster = arguments.Cluster is null ? null : ClusterEndpoint.Parse(arguments.Cluster, arguments.ClusterId, arguments.ServiceId);
        var spec = arguments.Spec is not null
            ? SampleSpec.Read(SampleTargetLoader.ReadJson(arguments.Spec, "spec"), Path.GetDirectoryName(Path.GetFullPath(arguments.Spec)) ?? ".")
            : arguments.Demo is not null
                ? SampleSpec.Read(ParseDemo(demoText(arguments.Demo)), Directory.GetCurrentDirectory())
                : SampleSpec.Empty;

        var target = LoadTarget(arguments, spec);
        var d = target.Dimension;
        var sampler = Name("sampler", arguments.Sampler ?? spec.Sampler, Samplers, required: true);
        var schedule = Name("schedule", arguments.Schedule ?? spec.Schedule, SampleTargets.ScheduleNames, required: true);
        var grid = Name("grid", arguments.Grid ?? spec.Grid ?? "uniform", Grids, required: false);
        var coupling = Name("coupling", arguments.Coupling ?? spec.Coupling ?? "independent", Couplings, required: false);
        var stepsText = arguments.Steps ?? spec.Steps;
        var steps = stepsText is null
            ? sampler == "adaptive" ? [0] : throw new InvalidInputException("steps", "is required (one count, or a comma list such as 4,8,16,32)")
            : ParseSteps(stepsText);
        if (sampler == "adaptive" && steps.Length > 1)
        {
            throw new InvalidInputException("steps", $"'{stepsText}' is a sweep, but the adaptive sampler chooses its own steps (use --tolerance)");
        }

        var noise = LoadNoise(arguments.Noise ?? spec.Noise, d);
        var countText = arguments.Count ?? spec.Count;
        int count;
        if (countText is null)
        {
            count = noise is null ? throw new InvalidInputException("n", "is required unless --noise gives the source points") : noise.Length / d;
        }
        else
        {
            count = (int)Integer("n", countText, 1, MaxParticles);
            if (noise is not null && noise.Length / d != count)
            {
                throw new InvalidInputException("n", $"is {count}, but --noise holds {noise.Length / d} points");
            }
        }

        var shards = Integer("shards", arguments.Shards ?? spec.Shards ?? "1", 1, MaxShards);
        var particleShards = Integer("particle-shards", arguments.ParticleShards ?? spec.ParticleShards ?? shards.ToString(CultureInfo.InvariantCulture), 1, MaxShards);
        if (particleShards > count)
        {
            throw new InvalidInputException("particle-shards", $"is {particleShards} (default: --shards), more than the {count} particles");
        }

        var delta = arguments.Delta ?? spec.Delta ?? (target.Kind == SampleTarget.Data ? DataDelta : GaussianDelta);
        if (!(delta > 0.0 && delta < 0.5))
        {
            throw new InvalidInputException("delta", $"must be in (0, 0.5), got {Format(delta)}");
        }

        var eta = NonNegative("eta", arguments.Eta ?? spec.Eta ?? 0.0);
        var diffusion = NonNegative("diffusion", arguments.Diffusion ?? spec.Diffusion ?? 1.0);
        var correctorSteps = Integer("corrector-steps", arguments.CorrectorSteps ?? spec.CorrectorSteps ?? "0", 0, SampleRequestChecks.MaxCorrectorSteps);
        var correctorSnr = arguments.CorrectorSnr ?? spec.CorrectorSnr ?? 0.16;
        var tolerance = arguments.Tolerance ?? spec.Tolerance ?? 1e-6;
        var couplingPairs = Integer("coupling-pairs", arguments.CouplingPairs ?? spec.CouplingPairs ?? Math.Clamp(count, 2, 1000).ToString(CultureInfo.InvariantCulture), 2, SampleRequestChecks.MaxCouplingPairs);
        var couplingSolver = Name("coupling-solver", arguments.CouplingSolver ?? spec.CouplingSolver ?? "sinkhorn", CouplingSolvers, required: false);
        var couplingBandwidth = arguments.CouplingBandwidth ?? spec.CouplingBandwidth ?? 0.1;
        var couplingBlur = arguments.CouplingBlur ?? spec.CouplingBlur ?? 0.01;
        var seed = Integer("seed", arguments.Seed ?? spec.Seed ?? "0", long.MinValue, long.MaxValue);
        (double[] Mean, double[] Covariance)? source = (arguments.Source, spec.Source) switch
        {
            ({ } path, _) => SampleTargetLoader.Source(SampleTargetLoader.ReadJson(path, "source"), "source", d),
            (null, { } element) => SampleTargetLoader.Source(element, "source", d),
            _ => null,
        };

        var request = new SampleRequest
        {
            Target = target,
            SourceMean = source?.Mean,
            SourceCovariance = source?.Covariance,
            Schedule = schedule,
            Sampler = sampler,
            Grid = grid,
            Delta = delta,
            Eta = eta,
            Diffusion = diffusion,
            CorrectorSteps = (int)correctorSteps,
            CorrectorSnr = correctorSnr,
            Snap = arguments.Snap || spec.Snap,
            Seed = seed,
            Coupling = coupling,
            Shards = (int)shards,
            ParticleShards = (int)particleShards,
            Tolerance = tolerance,
            CouplingPairs = (int)couplingPairs,
            CouplingSolver = couplingSolver,
            CouplingBandwidth = couplingBandwidth,
            CouplingBlur = couplingBlur,
            Noise = noise,
            Count = count,
        };
        // The typed checks the cluster's study coordinator applies too (ranges, names, combinations, the target).
        SampleRequestChecks.Check(request, steps);
        return new SampleInputs(request, steps, arguments.Detach ? null : OutputDirectory.Validate(arguments.Out!, arguments.Force), cluster);
    }

    /// <summary>Parses <c>--steps</c>: one count or a comma list of distinct counts in 1..<see cref="MaxSteps"/>, returned ascending.</summary>
    public static int[] ParseSteps(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > MaxSweep)
        {
            throw new InvalidInputException("steps", $"'{text}' lists {parts.Length} counts, more than {MaxSweep}");
        }

        var counts = new SortedSet<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                throw new InvalidInputException("steps", $"expected a count or a comma list of counts such as 4,8,16, got '{text}'");
            }

            if (count is < 1 or > MaxSteps)
            {
                throw new InvalidInputException("steps", $"step count {count} in '{text}' must be between 1 and {MaxSteps}");
            }

            if (!counts.Add(count))
            {
                throw new InvalidInputException("steps", $"step count {count} appears twice in '{text}'");
            }
        }

        return [.. counts];
    }

    private static SampleTarget LoadTarget(SampleArguments arguments, SampleSpec spec)
    {
        var weights = arguments.TargetWeights ?? spec.TargetWeights;
        if (arguments.Target is { } path)
        {
            return SampleTargetLoader.Load(path, weights);
        }

        if (spec.TargetPath is { } specPath)
        {
            return SampleTargetLoader.Load(specPath, weights);
        }

        if (spec.TargetInline is { } inline)
        {
            return weights is null
                ? SampleTargetLoader.FromJson(inline, "target")
                : throw new InvalidInputException("target-weights", "applies only to a .npy data set target");
        }

        throw new InvalidInputException("target", "is required: a JSON description (gaussian or mixture) or a .npy data set");
    }

    private static double[]? LoadNoise(string? path, int dimension)
    {
        if (path is null)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException("noise", $"file not found: {path}");
        }

        var (values, rows, columns) = NpyArray.Read(path, "noise").AsMatrix("noise");
        if (columns != dimension)
        {
            throw new InvalidInputException("noise", $"has dimension {columns} ({rows} x {columns} in {path}), but the target has dimension {dimension}");
        }

        if (rows < 1 || rows > MaxParticles)
        {
            throw new InvalidInputException("noise", $"has {rows} points in {path}; expected 1 to {MaxParticles}");
        }

        try
        {
            SampleTargetLoader.Finite(values, columns, "noise");
        }
        catch (InvalidInputException ex)
        {
            throw new InvalidInputException("noise", $"{ex.Message["noise: ".Length..]} (in {path})");
        }

        return values;
    }

    private static string Name(string field, string? value, string[] allowed, bool required)
    {
        if (value is null)
        {
            return required ? throw new InvalidInputException(field, $"is required ({string.Join(", ", allowed)})") : allowed[0];
        }

        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new InvalidInputException(field, $"unknown value '{value}' (expected {string.Join(", ", allowed)})");
    }

    private static long Integer(string field, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new InvalidInputException(field, $"expected an integer, got '{text}'");
        }

        if (value < min || value > max)
        {
            throw new InvalidInputException(field, $"must be between {min} and {max}, got {value}");
        }

        return value;
    }

    private static double NonNegative(string field, double value) =>
        value >= 0.0 && double.IsFinite(value) ? value : throw new InvalidInputException(field, $"must be non-negative and finite, got {Format(value)}");

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static JsonElement ParseDemo(string text)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.Clone();
    }
}
