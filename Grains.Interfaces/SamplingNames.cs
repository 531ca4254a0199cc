using Transport.Numerics;
using Transport.Numerics.Sampling;

namespace Transport.Grains.Interfaces;

/// <summary>
/// The names a <see cref="SamplingJobSpec"/> (and a run specification) uses for the engine's enums, both ways.
/// Unknown names raise <see cref="InvalidInputException"/> naming the field and listing the known names.
/// </summary>
public static class SamplingNames
{
    /// <summary>The target kinds: <c>gaussian</c>, <c>mixture</c>, <c>empirical</c>.</summary>
    public static IReadOnlyList<string> Targets { get; } = ["gaussian", "mixture", "empirical", "pairs"];

    /// <summary>The schedules: <c>linear</c>, <c>trig</c>, <c>vp</c>.</summary>
    public static IReadOnlyList<string> Schedules { get; } = ["linear", "trig", "vp"];

    /// <summary>Parses a sampler name (<c>euler</c>, <c>heun</c>, <c>rk4</c>, <c>adaptive</c>, <c>ddim</c>, <c>sde</c>).</summary>
    public static SamplerKind ParseSampler(string? text) => text switch
    {
        "euler" => SamplerKind.Euler,
        "heun" => SamplerKind.Heun,
        "rk4" => SamplerKind.Rk4,
        "adaptive" => SamplerKind.Adaptive,
        "ddim" => SamplerKind.Ddim,
        "sde" => SamplerKind.Sde,
        _ => throw Unknown("sampler", text, "euler, heun, rk4, adaptive, ddim, sde"),
    };

    /// <summary>Parses a time grid name (<c>uniform</c>, <c>karras</c>).</summary>
    public static TimeGridKind ParseGrid(string? text) => text switch
    {
        "uniform" => TimeGridKind.Uniform,
        "karras" => TimeGridKind.Karras,
        _ => throw Unknown("grid", text, "uniform, karras"),
    };

    /// <summary>Parses a diffusion profile name (<c>noise</c>: proportional to a(t); <c>constant</c>).</summary>
    public static DiffusionProfile ParseDiffusionProfile(string? text) => text switch
    {
        "noise" => DiffusionProfile.ProportionalToNoise,
        "constant" => DiffusionProfile.Constant,
        _ => throw Unknown("diffusion-profile", text, "noise, constant"),
    };

    /// <summary>Checks a target kind name.</summary>
    public static string CheckTarget(string? text) =>
        text is not null && Targets.Contains(text) ? text : throw Unknown("target", text, string.Join(", ", Targets));

    /// <summary>Checks a schedule name.</summary>
    public static string CheckSchedule(string? text) =>
        text is not null && Schedules.Contains(text) ? text : throw Unknown("schedule", text, string.Join(", ", Schedules));

    /// <summary>The name of a sampler.</summary>
    public static string Name(SamplerKind sampler) => sampler.ToString().ToLowerInvariant();

    /// <summary>The name of a time grid.</summary>
    public static string Name(TimeGridKind grid) => grid.ToString().ToLowerInvariant();

    /// <summary>The name of a diffusion profile.</summary>
    public static string Name(DiffusionProfile profile) => profile == DiffusionProfile.Constant ? "constant" : "noise";

    private static InvalidInputException Unknown(string field, string? text, string known) =>
        new(field, $"unknown {field} '{text}'; known: {known}");
}
