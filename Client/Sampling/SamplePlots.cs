using ScottPlot;

using Transport.Numerics.Sampling;

using Transport.Numerics.Sampling.Study;

namespace Transport.Client.Sampling;

/// <summary>
/// The PNG plots of <c>transport sample</c>: the samples' first two coordinates over the target (a heat map of the
/// target's marginal density on those coordinates for a Gaussian or mixture, the data points for a data set; for
/// d = 1 the transport map x0 -&gt; x), and the flow-map error against NFE on log-log axes for a sweep.
/// </summary>
internal static class SamplePlots
{
    private const int Width = 900;
    private const int Height = 700;
    private const int Cells = 120;

    /// <summary>Writes <c>samples.png</c>.</summary>
    public static void WriteSamples(string directory, SampleRequest request, double[] samples)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(samples);
        var d = request.Dimension;
        var plot = new Plot();
        if (d == 1)
        {
            var noise = request.Noise ?? Numerics.Sampling.SourceNoise.Create(request.Seed, request.Count, 1);
            var map = plot.Add.ScatterPoints(noise, samples);
            map.MarkerSize = 3;
            plot.XLabel("source point x0");
            plot.YLabel("sample x");
            plot.Title($"{request.Target.Kind} target, {request.Sampler}: transport map x0 -> x");
            plot.SavePng(Path.Combine(directory, "samples.png"), Width, Height);
            return;
        }

        var (xs, ys) = Columns(samples, d);
        if (request.Target.Points is { } data)
        {
            var (dx, dy) = Columns(data, d);
            var points = plot.Add.ScatterPoints(dx, dy);
            // Larger, light markers so that samples sitting on data points stay visible on top of them.
            points.MarkerSize = 12;
            points.Color = Colors.Orange.WithAlpha(0.5);
            points.LegendText = "data";
        }
        else
        {
            AddDensity(plot, request.Target, xs, ys);
        }

        var scatter = plot.Add.ScatterPoints(xs, ys);
        scatter.MarkerSize = 3;
        scatter.Color = Colors.Black.WithAlpha(0.7);
        scatter.LegendText = "samples";
        plot.XLabel("x1");
        plot.YLabel("x2");
        plot.Title($"{request.Target.Kind} target, {request.Schedule} schedule, {request.Sampler}");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "samples.png"), Width, Height);
    }

    /// <summary>Writes <c>nfe.png</c>: log10 flow-map error against log10 NFE, one point per run.</summary>
    public static void WriteNfe(string directory, SampleRequest request, IReadOnlyList<SampleRunRecord> runs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(runs);
        // A zero error (exact sampler) has no logarithm; such runs are left out of the plot, not of metrics.json.
        var kept = runs.Where(r => r.Metrics.TryGetValue(SampleMetricsBuilder.FlowMapError, out var e) && e > 0.0 && double.IsFinite(e)).ToArray();
        var plot = new Plot();
        if (kept.Length > 0)
        {
            var x = kept.Select(r => Math.Log10(r.Result.Evaluations)).ToArray();
            var y = kept.Select(r => Math.Log10(r.Metrics[SampleMetricsBuilder.FlowMapError])).ToArray();
            var line = plot.Add.Scatter(x, y);
            line.MarkerSize = 7;
            line.LegendText = "measured";

            // Reference slopes through the first point: error ~ NFE^-1 (first order) and NFE^-2 (second order).
            var span = x.Max() - x.Min();
            foreach (var order in new[] { 1, 2 })
            {
                var reference = plot.Add.Line(x[0], y[0], x[0] + span, y[0] - (order * span));
                reference.LinePattern = LinePattern.Dashed;
                reference.Color = Colors.Gray;
                reference.LegendText = $"slope -{order}";
            }

            plot.ShowLegend();
        }

        plot.XLabel("log10 NFE (denoiser evaluations)");
        plot.YLabel("log10 flow-map error (RMS)");
        plot.Title($"{request.Sampler} on {request.Target.Kind} target, {request.Schedule} schedule");
        plot.SavePng(Path.Combine(directory, "nfe.png"), Width, Height);
    }

    private static void AddDensity(Plot plot, SampleTarget target, double[] xs, double[] ys)
    {
        // The view covers the samples and every component mean, with a margin.
        var xMin = xs.Min();
        var xMax = xs.Max();
        var yMin = ys.Min();
        var yMax = ys.Max();
        foreach (var mean in target.Means)
        {
            xMin = Math.Min(xMin, mean[0]);
            xMax = Math.Max(xMax, mean[0]);
            yMin = Math.Min(yMin, mean[1]);
            yMax = Math.Max(yMax, mean[1]);
        }

        var marginX = 0.1 * Math.Max(xMax - xMin, 1e-6);
        var marginY = 0.1 * Math.Max(yMax - yMin, 1e-6);
        (xMin, xMax, yMin, yMax) = (xMin - marginX, xMax + marginX, yMin - marginY, yMax + marginY);
        var density = new double[Cells, Cells];
        for (var row = 0; row < Cells; row++)
        {
            // Row 0 is drawn at the top.
            var y = yMax - ((row + 0.5) * (yMax - yMin) / Cells);
            for (var column = 0; column < Cells; column++)
            {
                var x = xMin + ((column + 0.5) * (xMax - xMin) / Cells);
                density[row, column] = target.MarginalDensity(x, y);
            }
        }

        var heatmap = plot.Add.Heatmap(density);
        heatmap.Rectangle = new CoordinateRect(xMin, xMax, yMin, yMax);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap).Label = "target density (x1, x2 marginal)";
    }

    private static (double[] X, double[] Y) Columns(double[] points, int d)
    {
        var n = points.Length / d;
        var xs = new double[n];
        var ys = new double[n];
        for (var i = 0; i < n; i++)
        {
            xs[i] = points[i * d];
            ys[i] = points[(i * d) + 1];
        }

        return (xs, ys);
    }
}
