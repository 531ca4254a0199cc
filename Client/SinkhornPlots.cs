using ScottPlot;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Client;

/// <summary>
/// The PNG plots of a Sinkhorn run. <c>convergence.png</c>: the L1 marginal error of every checked iteration of each
/// problem (cross, and with the divergence the two self problems) on a log scale. <c>plan.png</c>: the clouds (at most
/// <see cref="MaxPoints"/> of each, evenly spaced in input order), the barycentric map x -&gt; T(x) as arrows and the
/// three heaviest plan entries of <see cref="MaxRows"/> source points as lines whose opacity follows their mass; in 2-D
/// as is, in d &gt; 2 projected on the two principal axes of both clouds, in 1-D as a diagram (source at height 0,
/// target at height 1).
/// </summary>
internal static class SinkhornPlots
{
    /// <summary>Points of each cloud drawn at most.</summary>
    public const int MaxPoints = 2000;

    /// <summary>Source points whose map arrow and plan entries are drawn at most.</summary>
    public const int MaxRows = 80;

    private const int Width = 900;
    private const int Height = 800;
    private const int EntriesPerRow = 3;

    /// <summary>Writes <c>convergence.png</c>.</summary>
    public static void WriteConvergence(string directory, IReadOnlyList<SinkhornHistoryPoint> history, double tolerance)
    {
        var plot = new Plot();
        foreach (var problem in history.Select(p => p.Problem).Distinct())
        {
            // A zero error has no logarithm: left out of the plot (history.json keeps it).
            var points = history.Where(p => p.Problem == problem && p.MarginalError > 0).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => (double)p.Iteration).ToArray(), points.Select(p => Math.Log10(p.MarginalError)).ToArray());
            line.MarkerSize = points.Length > 200 ? 0 : 3;
            line.LegendText = problem;
        }

        var target = plot.Add.HorizontalLine(Math.Log10(tolerance));
        target.LinePattern = LinePattern.Dashed;
        target.Color = Colors.Gray;
        target.LegendText = "tolerance";
        PlotScales.LogVertical(plot);
        plot.XLabel("iteration");
        plot.YLabel("L1 marginal error (log scale)");
        plot.Title("Sinkhorn convergence");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "convergence.png"), Width, Height);
    }

    /// <summary>Writes <c>plan.png</c>.</summary>
    public static void WritePlan(string directory, SinkhornRunFacts facts, SinkhornRunOutput run, PointCloud source, PointCloud target)
    {
        var d = source.Dimension;
        var rows = CloudProjection.Spread(source.Count, MaxRows);
        var (indices, masses) = PlanTopK.ComputeRows(new SinkhornProblem(source, target), run.F, run.G, facts.Options.Epsilon, facts.Options.Cost, EntriesPerRow, rows);
        var perRow = Math.Min(EntriesPerRow, target.Count);
        var heaviest = masses.DefaultIfEmpty(0).Max();
        var projection = CloudProjection.For(source, target, MaxPoints);
        var plot = new Plot();

        // Plan entries first, so that the points and arrows lie on top.
        for (var r = 0; r < rows.Length; r++)
        {
            for (var e = 0; e < perRow; e++)
            {
                var mass = masses[(r * perRow) + e];
                if (!(mass > 0) || heaviest <= 0)
                {
                    continue;
                }

                var from = Place(source.Point(rows[r]), projection, 0);
                var to = Place(target.Point(indices[(r * perRow) + e]), projection, 1);
                var line = plot.Add.Line(from, to);
                line.Color = Colors.RoyalBlue.WithAlpha(0.15 + (0.75 * mass / heaviest));
                line.LineWidth = 1.5f;
            }
        }

        AddCloud(plot, source, projection, 0, Colors.OrangeRed, "source");
        AddCloud(plot, target, projection, 1, Colors.SeaGreen, "target");
        foreach (var i in rows)
        {
            var from = Place(source.Point(i), projection, 0);
            var to = Place(run.Map.AsSpan(i * d, d), projection, 1);
            var arrow = plot.Add.Arrow(from, to);
            arrow.ArrowFillColor = Colors.Black.WithAlpha(0.7);
            arrow.ArrowLineColor = Colors.Black.WithAlpha(0.7);
            arrow.ArrowWidth = 1;
            arrow.ArrowheadWidth = 6;
            arrow.ArrowheadLength = 9;
        }

        plot.XLabel(d == 1 ? "x" : d == 2 ? "x1" : "principal axis 1");
        plot.YLabel(d == 1 ? "source (0) -> target (1)" : d == 2 ? "x2" : "principal axis 2");
        if (d > 1)
        {
            plot.Axes.SquareUnits();
        }

        plot.Title($"Sinkhorn plan (eps {facts.Options.Epsilon:G3}): map arrows and the {perRow} heaviest entries of {rows.Length} source points");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "plan.png"), Width, Height);
    }

    private static void AddCloud(Plot plot, PointCloud cloud, CloudProjection projection, int side, Color color, string label)
    {
        var chosen = CloudProjection.Spread(cloud.Count, MaxPoints);
        var points = chosen.Select(i => Place(cloud.Point(i), projection, side)).ToArray();
        var scatter = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        scatter.Color = color.WithAlpha(0.7);
        scatter.MarkerSize = chosen.Length > 500 ? 2 : 4;
        scatter.LegendText = chosen.Length < cloud.Count ? $"{label} ({chosen.Length} of {cloud.Count})" : label;
    }

    /// <summary>On the page: 1-D at height <paramref name="side"/> (0 source, 1 target), otherwise projected.</summary>
    private static Coordinates Place(ReadOnlySpan<double> point, CloudProjection projection, int side) =>
        point.Length == 1 ? new Coordinates(point[0], side) : projection.Project(point);
}
