using System.Globalization;
using System.Text.Json;
using Transport.Numerics;
using Transport.Numerics.IO;


namespace Transport.Client.Sampling;

/// <summary>
/// A <c>transport sample</c> run specification (<c>--spec RUN.json</c> or <c>--demo NAME</c>): a JSON object whose
/// keys are the option names without dashes (<c>target</c>, <c>schedule</c>, <c>sampler</c>, <c>steps</c>, <c>n</c>,
/// <c>delta</c>, <c>particle-shards</c>, ...). <c>target</c> and <c>source</c> are a file path (relative to the
/// specification's folder) or an inline description; <c>steps</c> is a count, an array of counts or a comma list.
/// Options on the command line override the specification. Unknown keys are errors.
/// </summary>
internal sealed record SampleSpec
{
    /// <summary>No specification: every value comes from the command line or the defaults.</summary>
    public static readonly SampleSpec Empty = new();

    /// <summary>Target file path, resolved.</summary>
    public string? TargetPath { get; init; }

    /// <summary>Inline target description.</summary>
    public JsonElement? TargetInline { get; init; }

    /// <summary>Data-set weights path, resolved.</summary>
    public string? TargetWeights { get; init; }

    /// <summary>Noise path, resolved.</summary>
    public string? Noise { get; init; }

    /// <summary>Gaussian source description (inline or read from its file).</summary>
    public JsonElement? Source { get; init; }

    /// <summary>Schedule name.</summary>
    public string? Schedule { get; init; }

    /// <summary>Sampler name.</summary>
    public string? Sampler { get; init; }

    /// <summary>Grid name.</summary>
    public string? Grid { get; init; }

    /// <summary>Coupling name.</summary>
    public string? Coupling { get; init; }

    /// <summary>Step counts as the command line would spell them.</summary>
    public string? Steps { get; init; }

    /// <summary>Particle count as text.</summary>
    public string? Count { get; init; }

    /// <summary>Seed as text.</summary>
    public string? Seed { get; init; }

    /// <summary>Shards as text.</summary>
    public string? Shards { get; init; }

    /// <summary>Particle shards as text.</summary>
    public string? ParticleShards { get; init; }

    /// <summary>Corrector steps as text.</summary>
    public string? CorrectorSteps { get; init; }

    /// <summary>Delta.</summary>
    public double? Delta { get; init; }

    /// <summary>Eta.</summary>
    public double? Eta { get; init; }

    /// <summary>Diffusion level.</summary>
    public double? Diffusion { get; init; }

    /// <summary>Corrector signal-to-noise ratio.</summary>
    public double? CorrectorSnr { get; init; }

    /// <summary>Adaptive tolerance.</summary>
    public double? Tolerance { get; init; }

    /// <summary><c>coupling-pairs</c>.</summary>
    public string? CouplingPairs { get; init; }

    /// <summary><c>coupling-solver</c>.</summary>
    public string? CouplingSolver { get; init; }

    /// <summary><c>coupling-bandwidth</c>.</summary>
    public double? CouplingBandwidth { get; init; }

    /// <summary><c>coupling-blur</c>.</summary>
    public double? CouplingBlur { get; init; }

    /// <summary>Snap the final points.</summary>
    public bool Snap { get; init; }

    /// <summary>Reads the specification object <paramref name="root"/>; paths resolve against <paramref name="folder"/>.</summary>
    public static SampleSpec Read(JsonElement root, string folder)
    {
        var spec = new JsonSpecReader(root, string.Empty);
        var target = Property(root, "target");
        var source = Property(root, "source");
        var result = new SampleSpec
        {
            TargetPath = target is { ValueKind: JsonValueKind.String } ? Resolve(folder, target.Value.GetString()!) : null,
            TargetInline = target is { ValueKind: JsonValueKind.Object } ? target : null,
            TargetWeights = PathOf(spec, "target-weights", folder),
            Noise = PathOf(spec, "noise", folder),
            Source = source switch
            {
                { ValueKind: JsonValueKind.String } path => SampleTargetLoader.ReadJson(Resolve(folder, path.GetString()!), "source"),
                { ValueKind: JsonValueKind.Object } inline => inline,
                null => null,
                { } other => throw new InvalidInputException("source", $"expected a file path or a description object, got {other.ValueKind}"),
            },
            Schedule = spec.OptionalString("schedule"),
            Sampler = spec.OptionalString("sampler"),
            Grid = spec.OptionalString("grid"),
            Coupling = spec.OptionalString("coupling"),
            Steps = StepsText(Property(root, "steps")),
            Count = IntegerText(spec, "n"),
            Seed = IntegerText(spec, "seed"),
            Shards = IntegerText(spec, "shards"),
            ParticleShards = IntegerText(spec, "particle-shards"),
            CorrectorSteps = IntegerText(spec, "corrector-steps"),
            Delta = OptionalNumber(spec, "delta"),
            Eta = OptionalNumber(spec, "eta"),
            Diffusion = OptionalNumber(spec, "diffusion"),
            CorrectorSnr = OptionalNumber(spec, "corrector-snr"),
            Tolerance = OptionalNumber(spec, "tolerance"),
            CouplingPairs = IntegerText(spec, "coupling-pairs"),
            CouplingSolver = spec.OptionalString("coupling-solver"),
            CouplingBandwidth = OptionalNumber(spec, "coupling-bandwidth"),
            CouplingBlur = OptionalNumber(spec, "coupling-blur"),
            Snap = spec.Boolean("snap", false),
        };
        if (target is { ValueKind: not (JsonValueKind.String or JsonValueKind.Object) } bad)
        {
            throw new InvalidInputException("target", $"expected a file path or a description object, got {bad.ValueKind}");
        }

        // target, source and steps were read from the raw element; mark them so that RejectUnknown accepts them.
        _ = spec.Has("target");
        _ = spec.Has("source");
        _ = spec.Has("steps");
        spec.RejectUnknown();
        return result;
    }

    private static JsonElement? Property(JsonElement root, string key) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(key, out var value) ? value : null;

    private static string Resolve(string folder, string path) => Path.IsPathRooted(path) ? path : Path.Combine(folder, path);

    private static string? PathOf(JsonSpecReader spec, string key, string folder) =>
        spec.OptionalString(key) is { } path ? Resolve(folder, path) : null;

    private static double? OptionalNumber(JsonSpecReader spec, string key) => spec.Has(key) ? spec.Number(key) : null;

    private static string? IntegerText(JsonSpecReader spec, string key) =>
        spec.Has(key) ? spec.Integer(key).ToString(CultureInfo.InvariantCulture) : null;

    private static string? StepsText(JsonElement? steps) => steps switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Number } number => number.GetRawText(),
        { ValueKind: JsonValueKind.Array } list => string.Join(",", list.EnumerateArray().Select(item => item.GetRawText())),
        { } other => throw new InvalidInputException("steps", $"expected a count, an array of counts or a comma list, got {other.ValueKind}"),
    };
}
