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
        var source = problem.Source;
        var target = problem.Target;
        if (k < 1)
        {
            throw new InvalidInputException("k", $"must be at least 1, got {k}");
        }

        k = Math.Min(k, target.Count);
        var indices = new int[source.Count * k];
        var masses = new double[source.Count * k];
        var fArray = f.ToArray();
        var gArray = g.ToArray();
        var logB = new double[target.Count];
        for (var j = 0; j < target.Count; j++)
        {
            logB[j] = Math.Log(target.Weights[j]) + (gArray[j] / epsilon);
        }

        Parallel.For(0, source.Count, KernelParallelism.Options(-1), i =>
        {
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
                indices[(i * k) + r] = bestIndex[r];
                masses[(i * k) + r] = Math.Exp(rowFactor + bestLog[r]);
            }
        });

        return (indices, masses);
    }
}
