using ScottPlot;
using Transport.Numerics.Geometry;

namespace Transport.Client.References;

/// <summary>
/// <c>interpolation.png</c>: the interpolated cloud at every time (at most <see cref="MaxPoints"/> points, evenly spaced)
/// over the target; 2-D as is, d &gt; 2 on the two principal axes of the source and the target, 1-D as time against x.
/// </summary>
internal static class InterpolationPlot
{
    /// <summary>Points drawn per time at most.</summary>
    public const int MaxPoints = 2000;

    /// <summary>Writes the plot to <paramref name="path"/>.</summary>
    public static void Write(string path, PointCloud source, PointCloud target, double[] interpolation, double[] times, double epsilon)
    {
        var (n, d) = (source.Count, source.Dimension);
        var chosen = CloudProjection.Spread(n, MaxPoints);
        var projection = CloudProjection.For(source, target, MaxPoints);
        var plot = new Plot();
        if (d > 1)
        {
            var targetPoints = CloudProjection.Spread(target.Count, MaxPoints).Select(j => projection.Project(target.Point(j))).ToArray();
            var cloud = plot.Add.ScatterPoints(targetPoints.Select(p => p.X).ToArray(), targetPoints.Select(p => p.Y).ToArray());
            cloud.Color = Colors.Gray.WithAlpha(0.35);
            cloud.MarkerSize = 3;
            cloud.LegendText = "target";
        }

        var palette = new ScottPlot.Colormaps.Viridis();
        for (var s = 0; s < times.Length; s++)
        {
            var offset = s * n * d;
            var points = chosen.Select(i => d == 1 ? new Coordinates(times[s], interpolation[offset + i]) : projection.Project(interpolation.AsSpan(offset + (i * d), d))).ToArray();
            var scatter = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            scatter.Color = palette.GetColor(times.Length == 1 ? 0 : (double)s / (times.Length - 1)).WithAlpha(0.8);
            scatter.MarkerSize = chosen.Length > 500 ? 2 : 4;
            scatter.LegendText = $"t = {times[s]:G3}";
        }

        plot.XLabel(d == 1 ? "t" : d == 2 ? "x1" : "principal axis 1");
        plot.YLabel(d == 1 ? "x" : d == 2 ? "x2" : "principal axis 2");
        if (d > 1)
        {
            plot.Axes.SquareUnits();
        }

        plot.Title($"Displacement interpolation through the barycentric map (eps {epsilon:G3})");
        plot.ShowLegend();
        plot.SavePng(path, 900, 800);
    }
}
