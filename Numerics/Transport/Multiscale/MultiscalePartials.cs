namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The per-row sums of a multiscale solve on the points, shared by the in-process backend and the shards so that
/// both run the same arithmetic. A distributed run sums the shards' partials in shard order: only the summation
/// order differs from the in-process run (about 1e-15 relative).
/// </summary>
public static class MultiscalePartials
{
    /// <summary>sum_i w_i p_i over the rows with w_i != 0 (a zero-weight row may carry an infinite potential).</summary>
    public static double Weighted(ReadOnlySpan<double> potential, ReadOnlySpan<double> weights)
    {
        var sum = 0.0;
        for (var i = 0; i < potential.Length; i++)
        {
            if (weights[i] != 0)
            {
                sum += weights[i] * potential[i];
            }
        }

        return sum;
    }

    /// <summary>The transport cost share sum_i a_i s meanSquared_i over the rows with a_i != 0 (s = the cost's scale).</summary>
    public static double Cost(ReadOnlySpan<double> weights, ReadOnlySpan<double> meanSquared, double scale)
    {
        var cost = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] != 0)
            {
                cost += weights[i] * scale * meanSquared[i];
            }
        }

        return cost;
    }
}
