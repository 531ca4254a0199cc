using System.Globalization;
using System.Text.Json.Nodes;
using Transport.Numerics;
using Transport.Numerics.Flows.Eulerian;
using Transport.Numerics.IO;

namespace Transport.Client.Flows;

/// <summary>
/// The <c>eulerian</c> key of a flow specification, <c>{"grid": G, "axes": [i, j], "lower": [..], "upper": [..],
/// "bandwidth": h, "modes": M, "seed": S}</c> (every field optional), and <c>transport flow --eulerian GRID</c>, which
/// writes <c>"eulerian": {"grid": GRID}</c> into the specification. Without <c>lower</c> and <c>upper</c> the grid spans the
/// initial cloud's and the target's bounding box on its axes, widened by a quarter of its extent on each side.
/// </summary>
internal static class EulerianSpecReader
{
    /// <summary>Default cells per axis.</summary>
    public const int DefaultGrid = 64;

    /// <summary>Returns <paramref name="json"/> with <c>"eulerian": {"grid": <paramref name="grid"/>}</c> (unchanged without it).</summary>
    public static string Apply(string json, int? grid)
    {
        if (grid is null)
        {
            return json;
        }

        var spec = SpecText.Parse(json);

        var eulerian = spec["eulerian"] as JsonObject ?? [];
        eulerian["grid"] = grid.Value;
        spec["eulerian"] = eulerian;
        return spec.ToJsonString();
    }

    /// <summary>The options of <paramref name="spec"/>'s <c>eulerian</c> object for clouds <paramref name="clouds"/> (row-major, dimension <paramref name="d"/>); null when absent.</summary>
    public static EulerianOptions? Read(JsonSpecReader spec, int d, long seed, params double[]?[] clouds)
    {
        var eulerian = spec.Object("eulerian");
        if (eulerian is null)
        {
            return null;
        }

        var grid = (int)eulerian.Integer("grid", DefaultGrid, 2, EulerianOptions.MaxGrid);
        var axes = eulerian.Vector("axes") is { } given ? Axes(given) : d == 1 ? [0] : [0, 1];
        var lower = eulerian.Vector("lower");
        var upper = eulerian.Vector("upper");
        var options = new EulerianOptions
        {
            Grid = grid,
            Axes = axes,
            Lower = lower ?? [],
            Upper = upper ?? [],
            Bandwidth = eulerian.Number("bandwidth", 0, 0),
            Modes = (int)eulerian.Integer("modes", 16, 1, EulerianOptions.MaxModes),
            Seed = eulerian.Integer("seed", seed),
        };
        eulerian.RejectUnknown();
        if ((lower is null) != (upper is null))
        {
            throw new InvalidInputException(lower is null ? "eulerian.lower" : "eulerian.upper", "give both lower and upper, or neither (the clouds' box, widened)");
        }

        if (lower is null && axes.All(a => a >= 0 && a < d))
        {
            var (low, high) = Box(axes, d, clouds);
            options = options with { Lower = low, Upper = high };
        }

        options.Validate(d);
        return options;
    }

    private static int[] Axes(double[] values)
    {
        var axes = new int[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            if (values[k] != Math.Floor(values[k]) || values[k] < 0 || values[k] > int.MaxValue)
            {
                throw new InvalidInputException("eulerian.axes", $"entry {k} is {values[k].ToString("R", CultureInfo.InvariantCulture)}; axes are coordinate indices");
            }

            axes[k] = (int)values[k];
        }

        return axes;
    }

    /// <summary>The clouds' bounding box on <paramref name="axes"/>, widened by a quarter of its extent (at least 1e-6) each side.</summary>
    private static (double[] Lower, double[] Upper) Box(int[] axes, int d, double[]?[] clouds)
    {
        var lower = Enumerable.Repeat(double.PositiveInfinity, axes.Length).ToArray();
        var upper = Enumerable.Repeat(double.NegativeInfinity, axes.Length).ToArray();
        foreach (var cloud in clouds.Where(c => c is not null))
        {
            for (var i = 0; i < cloud!.Length / d; i++)
            {
                for (var k = 0; k < axes.Length; k++)
                {
                    var value = cloud[(i * d) + axes[k]];
                    (lower[k], upper[k]) = (Math.Min(lower[k], value), Math.Max(upper[k], value));
                }
            }
        }

        for (var k = 0; k < axes.Length; k++)
        {
            var margin = Math.Max(0.25 * (upper[k] - lower[k]), 1e-6);
            (lower[k], upper[k]) = (lower[k] - margin, upper[k] + margin);
        }

        return (lower, upper);
    }
}
