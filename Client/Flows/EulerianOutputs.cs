using ScottPlot;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Eulerian;
using Transport.Numerics.IO;

namespace Transport.Client.Flows;

/// <summary>What the Eulerian outputs of a run say in summary.json and diagnostics.csv.</summary>
/// <param name="Relative">max |R| / max int |F| of the continuity residual (<see cref="ContinuityResidual"/>).</param>
/// <param name="RowResiduals">Per diagnostics row, max over test functions of |R_m(t)| divided by the same scale (NaN for rows without values).</param>
/// <param name="FinalMassInGrid">The final histogram's mass: the share of the particles' mass on the grid.</param>
internal sealed record EulerianSummary(double Relative, double[] RowResiduals, double FinalMassInGrid);

/// <summary>
/// Writes a run's Eulerian diagnostics (<c>eulerian</c>): <c>eulerian_moments.npy</c> (rows x (1 + d + d(d+1)/2): mass,
/// first moments, second moments x_k x_l for k &lt;= l), <c>continuity_residual.npy</c> (rows x modes, the cumulative
/// weak-form residual R_m(t)), <c>eulerian_times.npy</c>, <c>eulerian_histogram.npy</c> and <c>eulerian_density.npy</c>
/// (grid rows x G x G, or x G in 1-D: mass per cell and the Gaussian kernel density at the cell centres, at every snapshot),
/// and <c>density.png</c> (the density at up to four times beside the particles).
/// </summary>
internal static class EulerianOutputs
{
    /// <summary>Writes the files into <paramref name="directory"/>; null when no row holds Eulerian values.</summary>
    public static EulerianSummary? Write(string directory, FlowTrajectory trajectory, EulerianOptions options)
    {
        var rows = trajectory.Diagnostics;
        if (rows.Count == 0 || rows.Any(r => r.Eulerian is null))
        {
            return null;
        }

        var layout = new EulerianLayout(options, trajectory.Dimension);
        var (moments, modes) = (layout.MomentCount, options.Modes);
        var momentValues = new double[rows.Count * moments];
        var phi = new double[rows.Count * modes];
        var flux = new double[rows.Count * modes];
        for (var r = 0; r < rows.Count; r++)
        {
            var sums = rows[r].Eulerian!;
            sums.AsSpan(0, moments).CopyTo(momentValues.AsSpan(r * moments));
            sums.AsSpan(layout.PhiOffset, modes).CopyTo(phi.AsSpan(r * modes));
            sums.AsSpan(layout.FluxOffset, modes).CopyTo(flux.AsSpan(r * modes));
        }

        var (residuals, relative, scale) = ContinuityResidual.Compute([.. rows.Select(r => r.Time)], phi, flux, modes);
        var rowResiduals = new double[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var largest = 0.0;
            for (var m = 0; m < modes; m++)
            {
                largest = Math.Max(largest, Math.Abs(residuals[(r * modes) + m]));
            }

            rowResiduals[r] = scale > 0 ? largest / scale : 0;
        }

        var gridRows = rows.Where(r => r.Eulerian!.Length == layout.Length).ToArray();
        var cells = layout.Cells;
        var histogram = new double[gridRows.Length * cells];
        var density = new double[gridRows.Length * cells];
        for (var g = 0; g < gridRows.Length; g++)
        {
            gridRows[g].Eulerian.AsSpan(layout.HistogramOffset, cells).CopyTo(histogram.AsSpan(g * cells));
            gridRows[g].Eulerian.AsSpan(layout.DensityOffset, cells).CopyTo(density.AsSpan(g * cells));
        }

        int[] gridShape = options.Axes.Length == 1 ? [gridRows.Length, options.Grid] : [gridRows.Length, options.Grid, options.Grid];
        NpyArray.WriteFloat64(Path.Combine(directory, "eulerian_moments.npy"), momentValues, rows.Count, moments);
        NpyArray.WriteFloat64(Path.Combine(directory, "continuity_residual.npy"), residuals, rows.Count, modes);
        NpyArray.WriteFloat64(Path.Combine(directory, "eulerian_times.npy"), [.. gridRows.Select(r => r.Time)], gridRows.Length);
        NpyArray.WriteFloat64(Path.Combine(directory, "eulerian_histogram.npy"), histogram, gridShape);
        NpyArray.WriteFloat64(Path.Combine(directory, "eulerian_density.npy"), density, gridShape);
        if (gridRows.Length > 0)
        {
            WritePlot(Path.Combine(directory, "density.png"), trajectory, options, gridRows, density, cells);
        }

        var finalMass = gridRows.Length == 0 ? double.NaN : histogram.AsSpan((gridRows.Length - 1) * cells, cells).ToArray().Sum();
        return new EulerianSummary(relative, rowResiduals, finalMass);
    }

    /// <summary>The density at up to four snapshot times (first, last, two between), each beside its particles.</summary>
    private static void WritePlot(string path, FlowTrajectory trajectory, EulerianOptions options, FlowStepDiagnostics[] gridRows, double[] density, int cells)
    {
        var chosen = new SortedSet<int> { 0, gridRows.Length / 3, 2 * gridRows.Length / 3, gridRows.Length - 1 }.ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(chosen.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var (grid, d) = (options.Grid, trajectory.Dimension);
        for (var p = 0; p < chosen.Length; p++)
        {
            var row = gridRows[chosen[p]];
            var plot = multiplot.GetPlot(p);
            var values = density.AsSpan(chosen[p] * cells, cells);
            var snapshot = trajectory.Snapshots.FirstOrDefault(s => s.Step == row.Step);
            if (options.Axes.Length == 1)
            {
                var width = (options.Upper[0] - options.Lower[0]) / grid;
                var xs = Enumerable.Range(0, grid).Select(c => options.Lower[0] + ((c + 0.5) * width)).ToArray();
                plot.Add.Scatter(xs, values.ToArray()).MarkerSize = 0;
                plot.XLabel("x");
                plot.YLabel("density");
            }
            else
            {
                // Rows of the heatmap are the second axis, top to bottom.
                var image = new double[grid, grid];
                for (var c0 = 0; c0 < grid; c0++)
                {
                    for (var c1 = 0; c1 < grid; c1++)
                    {
                        image[grid - 1 - c1, c0] = values[(c0 * grid) + c1];
                    }
                }

                var heatmap = plot.Add.Heatmap(image);
                heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
                heatmap.Extent = new CoordinateRect(options.Lower[0], options.Upper[0], options.Lower[1], options.Upper[1]);
                if (snapshot is not null)
                {
                    var chosenPoints = CloudProjection.Spread(trajectory.Count, 1000);
                    var points = plot.Add.ScatterPoints(
                        chosenPoints.Select(i => snapshot.Positions[(i * d) + options.Axes[0]]).ToArray(),
                        chosenPoints.Select(i => snapshot.Positions[(i * d) + options.Axes[1]]).ToArray());
                    points.Color = Colors.White.WithAlpha(0.6);
                    points.MarkerSize = 2;
                }

                plot.XLabel($"x{options.Axes[0] + 1}");
                plot.YLabel($"x{options.Axes[1] + 1}");
                plot.Axes.SquareUnits();
            }

            plot.Title($"t = {row.Time:G4}");
        }

        multiplot.SavePng(path, 450 * chosen.Length, 480);
    }
}
