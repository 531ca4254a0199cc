using ScottPlot;

namespace Transport.Client;

/// <summary>Axis scales shared by the console's plots.</summary>
internal static class PlotScales
{
    /// <summary>Labels the vertical axis of <paramref name="plot"/>, which holds log10 values, as powers of ten with log-spaced minor ticks.</summary>
    public static void LogVertical(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = value => $"1e{value:0}",
        };
    }
}
