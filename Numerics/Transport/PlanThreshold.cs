using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport;

/// <summary>
/// The entries of an entropic plan above a mass, P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps) &gt; t, found by streaming
/// over the pairs (the plan is never formed) and returned as a sparse COO triple in row-major order. The plan's masses sum
/// to 1, so there are fewer than 1 / t entries: a threshold bounds the output.
/// </summary>
public static class PlanThreshold
{
    /// <summary>The smallest threshold accepted: at most 10^7 entries.</summary>
    public const double MinThreshold = 1e-7;

    /// <summary>
    /// The pairs with P_ij &gt; <paramref name="threshold"/> as (rows, columns, masses), sorted by row then column.
    /// <paramref name="threshold"/> must be finite and at least <see cref="MinThreshold"/> (field <c>plan-threshold</c>).
    /// </summary>
    public static (int[] Rows, int[] Columns, double[] Masses) Compute(SinkhornProblem problem, ReadOnlySpan<double> f, ReadOnlySpan<double> g, double epsilon, CostFunction cost, double threshold)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Check(threshold);
        var source = problem.Source;
        var target = problem.Target;
        var fArray = f.ToArray();
        var logB = new double[target.Count];
        for (var j = 0; j < target.Count; j++)
        {
            logB[j] = Math.Log(target.Weights[j]) + (g[j] / epsilon);
        }

        var logThreshold = Math.Log(threshold);
        var perRow = new List<(int Column, double Mass)>?[source.Count];
        Parallel.For(0, source.Count, KernelParallelism.Options(-1), i =>
        {
            // log P_ij > log t  <=>  log b_j + g_j / eps - C_ij / eps > log t - log a_i - f_i / eps.
            var bound = logThreshold - Math.Log(source.Weights[i]) - (fArray[i] / epsilon);
            var rowFactor = Math.Log(source.Weights[i]) + (fArray[i] / epsilon);
            var x = source.Point(i);
            List<(int, double)>? entries = null;
            for (var j = 0; j < target.Count; j++)
            {
                var score = logB[j] - (cost.Evaluate(x, target.Point(j)) / epsilon);
                if (score > bound)
                {
                    (entries ??= []).Add((j, Math.Exp(rowFactor + score)));
                }
            }

            perRow[i] = entries;
        });

        var count = perRow.Sum(entries => entries?.Count ?? 0);
        var (rows, columns, masses) = (new int[count], new int[count], new double[count]);
        var next = 0;
        for (var i = 0; i < source.Count; i++)
        {
            foreach (var (column, mass) in perRow[i] ?? [])
            {
                (rows[next], columns[next], masses[next]) = (i, column, mass);
                next++;
            }
        }

        return (rows, columns, masses);
    }

    /// <summary>Throws an <see cref="InvalidInputException"/> for <c>plan-threshold</c> unless it is finite and at least <see cref="MinThreshold"/>.</summary>
    public static void Check(double threshold)
    {
        if (!(double.IsFinite(threshold) && threshold >= MinThreshold))
        {
            throw new InvalidInputException("plan-threshold", $"must be a finite mass of at least {MinThreshold:G} (the plan's masses sum to 1, so at most 10^7 entries lie above it), got {threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }
}
