using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Transport;

namespace Transport.Client;

/// <summary>What a run the console waited for adds to its outputs: the clouds it solved (for the plan) and the plan entries asked for.</summary>
/// <param name="Source">The source cloud, weights normalised.</param>
/// <param name="Target">The target cloud.</param>
/// <param name="Request">The plan entries to write.</param>
internal sealed record SinkhornPlanOutputs(PointCloud Source, PointCloud Target, PlanRequest Request);

/// <summary>
/// Writes the plan entries a run asked for, computed in this process from the downloaded potentials as
/// P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps) (streamed over the pairs: the plan is never formed):
/// <c>plan_topk_indices.npy</c> (int64) and <c>plan_topk_masses.npy</c>, n x K, each row by decreasing mass
/// (<c>--plan-topk</c>); <c>plan_rows.npy</c>, <c>plan_cols.npy</c> (int64) and <c>plan_values.npy</c>, every entry above
/// the mass in row-major order (<c>--plan-threshold</c>).
/// </summary>
internal static class SinkhornPlanFiles
{
    /// <summary>Writes the requested files into <paramref name="directory"/>.</summary>
    public static void Write(string directory, SinkhornRunFacts facts, SinkhornRunOutput run, SinkhornPlanOutputs outputs)
    {
        var problem = new SinkhornProblem(outputs.Source, outputs.Target);
        var (epsilon, cost) = (facts.Options.Epsilon, facts.Options.Cost);
        if (outputs.Request.TopK is { } k)
        {
            var (indices, masses) = PlanTopK.Compute(problem, run.F, run.G, epsilon, cost, k);
            var columns = Math.Min(k, outputs.Target.Count);
            NpyArray.WriteInt64(Path.Combine(directory, "plan_topk_indices.npy"), indices, outputs.Source.Count, columns);
            NpyArray.WriteFloat64(Path.Combine(directory, "plan_topk_masses.npy"), masses, outputs.Source.Count, columns);
        }

        if (outputs.Request.Threshold is { } threshold)
        {
            var (rows, cols, values) = PlanThreshold.Compute(problem, run.F, run.G, epsilon, cost, threshold);
            NpyArray.WriteInt64(Path.Combine(directory, "plan_rows.npy"), rows, rows.Length);
            NpyArray.WriteInt64(Path.Combine(directory, "plan_cols.npy"), cols, cols.Length);
            NpyArray.WriteFloat64(Path.Combine(directory, "plan_values.npy"), values, values.Length);
        }
    }
}
