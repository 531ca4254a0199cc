namespace Transport.Numerics.Flows.Eulerian;

/// <summary>
/// One block's Eulerian partial (<see cref="EulerianLayout"/>): weighted sums over its particles, which blocks, shards
/// and silos add. The kernel density uses a Gaussian of bandwidth h cut at 4 h (the neglected mass is below 1e-3 of a
/// particle's: exp(-8)).
/// </summary>
public static class EulerianPartial
{
    /// <summary>
    /// Adds the block's sums to <paramref name="partial"/> (length <see cref="EulerianLayout.Length"/>, or
    /// <see cref="EulerianLayout.HistogramOffset"/> for the moments and test functions without the grids): positions and
    /// velocities row-major n x d, weights n, <paramref name="diffusionSquared"/> = g(t)^2 of the model's noise (0 for a
    /// deterministic flow).
    /// </summary>
    public static void Accumulate(EulerianLayout layout, ReadOnlySpan<double> positions, ReadOnlySpan<double> weights, ReadOnlySpan<double> velocities, double diffusionSquared, Span<double> partial)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var d = layout.Dimension;
        var n = weights.Length;
        if (positions.Length != n * d || velocities.Length != n * d || (partial.Length != layout.Length && partial.Length != layout.HistogramOffset))
        {
            throw new ArgumentException("positions, velocities and the partial must match the layout");
        }

        var options = layout.Options;
        var modes = options.Modes;
        var frequencies = layout.Frequencies;
        var phases = layout.Phases;
        var grid = options.Grid;
        var axes = options.Axes;
        var twoAxes = axes.Length == 2;
        var cellWidth0 = (options.Upper[0] - options.Lower[0]) / grid;
        var cellWidth1 = twoAxes ? (options.Upper[1] - options.Lower[1]) / grid : 1.0;
        var h = options.EffectiveBandwidth;
        var reach = 4 * h;
        var norm = twoAxes ? 1 / (2 * Math.PI * h * h) : 1 / (Math.Sqrt(2 * Math.PI) * h);
        for (var i = 0; i < n; i++)
        {
            var a = weights[i];
            var x = positions.Slice(i * d, d);
            var v = velocities.Slice(i * d, d);

            // Moments.
            partial[0] += a;
            var second = 1 + d;
            for (var k = 0; k < d; k++)
            {
                partial[1 + k] += a * x[k];
                for (var l = k; l < d; l++)
                {
                    partial[second++] += a * x[k] * x[l];
                }
            }

            // Test functions phi = cos(w . x + theta): grad phi = -sin(.) w, lap phi = -|w|^2 cos(.).
            for (var m = 0; m < modes; m++)
            {
                var w = frequencies.AsSpan(m * d, d);
                double phase = phases[m], wv = 0, ww = 0;
                for (var k = 0; k < d; k++)
                {
                    phase += w[k] * x[k];
                    wv += w[k] * v[k];
                    ww += w[k] * w[k];
                }

                var (sin, cos) = Math.SinCos(phase);
                partial[layout.PhiOffset + m] += a * cos;
                partial[layout.FluxOffset + m] += a * ((-sin * wv) - (0.5 * diffusionSquared * ww * cos));
            }

            if (partial.Length == layout.HistogramOffset)
            {
                continue;
            }

            // The grid: mass per cell and the kernel density at the cell centres within reach.
            var p0 = x[axes[0]];
            var p1 = twoAxes ? x[axes[1]] : 0.0;
            var c0 = (int)Math.Floor((p0 - options.Lower[0]) / cellWidth0);
            var c1 = twoAxes ? (int)Math.Floor((p1 - options.Lower[1]) / cellWidth1) : 0;
            if (c0 >= 0 && c0 < grid && c1 >= 0 && c1 < grid)
            {
                partial[layout.HistogramOffset + (twoAxes ? (c0 * grid) + c1 : c0)] += a;
            }

            var (from0, to0) = Window(p0, options.Lower[0], cellWidth0, reach, grid);
            var (from1, to1) = twoAxes ? Window(p1, options.Lower[1], cellWidth1, reach, grid) : (0, 0);
            for (var g0 = from0; g0 <= to0; g0++)
            {
                var u0 = (options.Lower[0] + ((g0 + 0.5) * cellWidth0) - p0) / h;
                for (var g1 = from1; g1 <= to1; g1++)
                {
                    var u1 = twoAxes ? (options.Lower[1] + ((g1 + 0.5) * cellWidth1) - p1) / h : 0.0;
                    var squared = (u0 * u0) + (u1 * u1);
                    if (squared <= 16)
                    {
                        partial[layout.DensityOffset + (twoAxes ? (g0 * grid) + g1 : g0)] += a * norm * Math.Exp(-0.5 * squared);
                    }
                }
            }
        }
    }

    /// <summary>The cells whose centres lie within <paramref name="reach"/> of <paramref name="p"/> (an empty range when none).</summary>
    private static (int From, int To) Window(double p, double lower, double width, double reach, int grid)
    {
        var from = (int)Math.Ceiling(((p - reach - lower) / width) - 0.5);
        var to = (int)Math.Floor(((p + reach - lower) / width) - 0.5);
        return (Math.Max(from, 0), Math.Min(to, grid - 1));
    }
}
