using ScottPlot;
using Transport.Numerics.Flows;

namespace Transport.Client.Flows;

/// <summary>
/// The PNG plots of a flow run: particles at several times (2-D, or their projection on the two
/// principal axes of the initial and final clouds; positions over time for 1-D) with the target
/// where there is one, and the energy (or risk) curve.
/// </summary>
internal static class FlowPlots
{
    private const int Width = 900;
    private const int Height = 700;

    /// <summary>Writes <c>particles.png</c> into <paramref name="directory"/>.</summary>
    public static void WriteParticles(string directory, FlowTrajectory trajectory, double[]? target, string title, string targetLabel = "target")
    {
        var plot = new Plot();
        var d = trajectory.Dimension;
        var chosen = ChooseSnapshots(trajectory.Snapshots);
        if (d == 1)
        {
            foreach (var snapshot in chosen)
            {
                var xs = Enumerable.Repeat(snapshot.Time, trajectory.Count).ToArray();
                var points = plot.Add.ScatterPoints(xs, snapshot.Positions);
                points.MarkerSize = 3;
                points.LegendText = $"t = {snapshot.Time:G4}";
            }

            plot.XLabel("time");
            plot.YLabel("x");
        }
        else
        {
            // The identity for 2-D, else the top principal axes of the first and last snapshots.
            var projection = CloudProjection.For(d, int.MaxValue, trajectory.Snapshots[0].Positions, trajectory.FinalPositions);
            if (target is not null)
            {
                var (tx, ty) = Project(target, d, projection);
                var targetPoints = plot.Add.ScatterPoints(tx, ty);
                // A few points (a teacher's neurons) are drawn large, a cloud small.
                targetPoints.MarkerSize = tx.Length <= 50 ? 12 : 3;
                targetPoints.Color = tx.Length <= 50 ? Colors.Black : Colors.Gray.WithAlpha(0.5);
                targetPoints.LegendText = targetLabel;
            }

            foreach (var snapshot in chosen)
            {
                var (xs, ys) = Project(snapshot.Positions, d, projection);
                var points = plot.Add.ScatterPoints(xs, ys);
                points.MarkerSize = 4;
                points.LegendText = $"t = {snapshot.Time:G4}";
            }

            plot.XLabel(d == 2 ? "x1" : "principal axis 1");
            plot.YLabel(d == 2 ? "x2" : "principal axis 2");
            plot.Axes.SquareUnits();
        }

        plot.Title(title);
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "particles.png"), Width, Height);
    }

    /// <summary>Writes <c>energy.png</c>: the energy (or, when the model has none, the kinetic energy) against time.</summary>
    public static void WriteEnergy(string directory, FlowTrajectory trajectory, string energyName)
    {
        var rows = trajectory.Diagnostics;
        var hasEnergy = rows.Any(r => double.IsFinite(r.Energy));
        var times = rows.Select(r => r.Time).ToArray();
        var values = rows.Select(r => hasEnergy ? r.Energy : r.KineticEnergy).ToArray();
        var plot = new Plot();
        var label = hasEnergy ? energyName : "kinetic energy sum a_i |v_i|^2";

        // A positive curve spanning a decade or more is drawn on a log scale.
        var finite = values.Where(double.IsFinite).ToArray();
        var logarithmic = finite.Length > 1 && finite.Min() > 0 && finite.Max() >= 10 * finite.Min();
        var line = plot.Add.Scatter(times, logarithmic ? [.. values.Select(Math.Log10)] : values);
        line.MarkerSize = rows.Count > 200 ? 0 : 3;
        plot.XLabel("time");
        if (logarithmic)
        {
            PlotScales.LogVertical(plot);
            label += " (log scale)";
        }

        plot.YLabel(label);
        plot.Title($"{label} along the flow");
        plot.SavePng(Path.Combine(directory, "energy.png"), Width, Height);
    }

    /// <summary>
    /// Writes <c>clusters.png</c>: the token cluster count against time as a step curve (its plateaus are the
    /// metastable states of math.md TR-4), and beside it 1 - min &lt;x_i, x_j&gt; on a log scale (it reaches 0 as the tokens
    /// reach consensus) when it spans a decade, the minimum inner product on a linear scale otherwise.
    /// </summary>
    public static void WriteClusters(string directory, TokenClusterSeries series, double angle)
    {
        var counted = series.Points.Where(p => p.Clusters is not null).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var counts = multiplot.GetPlot(0);
        if (counted.Length > 0)
        {
            var line = counts.Add.Scatter(counted.Select(p => p.Time).ToArray(), counted.Select(p => (double)p.Clusters!.Value).ToArray());
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = counted.Length > 200 ? 0 : 3;
        }

        counts.XLabel("time");
        counts.YLabel($"clusters (single linkage at {angle:G3} rad)");
        counts.Title("token clusters");

        // 1 - min <x_i, x_j> on a log scale when it spans a decade or more (tokens reaching consensus); otherwise the
        // minimum inner product itself on a linear scale (log ticks would have no label to show).
        var spread = multiplot.GetPlot(1);
        var positive = series.Points.Where(p => 1 - p.MinInnerProduct > 0).ToArray();
        var logs = positive.Select(p => Math.Log10(1 - p.MinInnerProduct)).ToArray();
        if (logs.Length > 1 && logs.Max() - logs.Min() >= 1)
        {
            var gap = spread.Add.Scatter(positive.Select(p => p.Time).ToArray(), logs);
            gap.MarkerSize = positive.Length > 200 ? 0 : 3;
            PlotScales.LogVertical(spread);
            spread.YLabel("1 - min <x_i, x_j> (log scale)");
        }
        else
        {
            var minimum = spread.Add.Scatter(series.Points.Select(p => p.Time).ToArray(), series.Points.Select(p => p.MinInnerProduct).ToArray());
            minimum.MarkerSize = series.Points.Count > 200 ? 0 : 3;
            spread.YLabel("min <x_i, x_j>");
        }

        spread.XLabel("time");
        spread.Title("spread of the tokens");
        multiplot.SavePng(Path.Combine(directory, "clusters.png"), 2 * Width, Height);
    }

    private static List<FlowSnapshot> ChooseSnapshots(IReadOnlyList<FlowSnapshot> snapshots)
    {
        // The first, last and up to two in between.
        var indices = new SortedSet<int> { 0, snapshots.Count - 1, snapshots.Count / 3, 2 * snapshots.Count / 3 };
        return indices.Select(i => snapshots[i]).ToList();
    }

    private static (double[] X, double[] Y) Project(double[] positions, int d, CloudProjection projection)
    {
        var points = Enumerable.Range(0, positions.Length / d).Select(i => projection.Project(positions.AsSpan(i * d, d))).ToArray();
        return ([.. points.Select(p => p.X)], [.. points.Select(p => p.Y)]);
    }
}
