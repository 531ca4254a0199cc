using Transport.Numerics.Flows.Eulerian;

namespace Transport.Grains.Interfaces;

/// <summary>The wire form of <see cref="EulerianOptions"/> in a flow job's spec.</summary>
/// <param name="Grid">Cells per axis.</param>
/// <param name="Axes">The grid's coordinates.</param>
/// <param name="Lower">The grid's lower corner.</param>
/// <param name="Upper">The grid's upper corner.</param>
/// <param name="Bandwidth">The density estimate's bandwidth (0: two cells).</param>
/// <param name="Modes">Test functions of the continuity residual.</param>
/// <param name="Seed">Their seed.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.EulerianSpec")]
public sealed record EulerianSpec(
    [property: Id(0)] int Grid,
    [property: Id(1)] int[] Axes,
    [property: Id(2)] double[] Lower,
    [property: Id(3)] double[] Upper,
    [property: Id(4)] double Bandwidth,
    [property: Id(5)] int Modes,
    [property: Id(6)] long Seed)
{
    /// <summary>The spec of <paramref name="options"/> (null for null).</summary>
    public static EulerianSpec? From(EulerianOptions? options) => options is null
        ? null
        : new EulerianSpec(options.Grid, [.. options.Axes], [.. options.Lower], [.. options.Upper], options.Bandwidth, options.Modes, options.Seed);

    /// <summary>The engine's options (validated where the dimension is known).</summary>
    public EulerianOptions ToOptions() => new()
    {
        Grid = Grid,
        Axes = [.. Axes ?? []],
        Lower = [.. Lower ?? []],
        Upper = [.. Upper ?? []],
        Bandwidth = Bandwidth,
        Modes = Modes,
        Seed = Seed,
    };
}
