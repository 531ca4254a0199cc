using Transport.Numerics.Kernels;
using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>Largest entries of each row of an entropic plan, found by streaming over the targets.</summary>
public static class PlanTopK
{
    /// <summary>
    /// For each source i, the k targets with largest P_ij = a_i b_j exp((f_i + g_j - C_ij)/eps), in
    /// decreasing order (ties by lower index). Returns row-major n x k indices and masses.
    /// </summary>
    public static (int[] Indices, double[] Masses) Compute(SinkhornProblem problem, ReadOnlySpan<double> f, ReadOnlySpan<double> g, double epsilon, CostFunction cost, int k)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return ComputeRows(problem, f, g, epsilon, cost, k, [.. Enumerable.Range(0, problem.Source.Count)]);
    }

    /// <summary>
    /// As <see cref="Compute"/> for the sources <paramref name="rows"/> only (e.g. a sample to draw): row r of the result
    /// is source <c>rows[r]</c>; O(|rows| m) work.
    /// </summary>
    public static (int[] Indices, double[] Masses) ComputeRows(SinkhornProblem problem, ReadOnlySpan<double> f, ReadOnlySpan<double> g, double epsilon, CostFunction cost, int k, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(rows);
        var source = problem.Source;
        var target = problem.Target;
        if (k < 1)
        {
            throw new InvalidInputException("k", $"must be at least 1, got {k}");
        }

        k = Math.Min(k, target.Count);
        var indices = new int[rows.Length * k];
        var masses = new double[rows.Length * k];
        var fArray = f.ToArray();
        var gArray = g.ToArray();
        var logB = new double[target.Count];
        for (var j = 0; j < target.Count; j++)
        {
            logB[j] = Math.Log(target.Weights[j]) + (gArray[j] / epsilon);
        }

        Parallel.For(0, rows.Length, KernelParallelism.Options(-1), row =>
        {
            var i = rows[row];
            var bestIndex = new int[k];
            var bestLog = new double[k];
            Array.Fill(bestLog, double.NegativeInfinity);
            Array.Fill(bestIndex, -1);
            var x = source.Point(i);
            for (var j = 0; j < target.Count; j++)
            {
                var logP = logB[j] - (cost.Evaluate(x, target.Point(j)) / epsilon);
                if (logP <= bestLog[k - 1] && bestIndex[k - 1] >= 0)
                {
                    continue;
                }

                // Insertion into the sorted short list (k is small).
                var position = k - 1;
                while (position > 0 && (logP > bestLog[position - 1] || bestIndex[position - 1] < 0))
                {
                    bestLog[position] = bestLog[position - 1];
                    bestIndex[position] = bestIndex[position - 1];
                    position--;
                }

                bestLog[position] = logP;
                bestIndex[position] = j;
            }

            var rowFactor = Math.Log(source.Weights[i]) + (fArray[i] / epsilon);
            for (var r = 0; r < k; r++)
            {
                indices[(row * k) + r] = bestIndex[r];
                masses[(row * k) + r] = Math.Exp(rowFactor + bestLog[r]);
            }
        });

        return (indices, masses);
    }
}
