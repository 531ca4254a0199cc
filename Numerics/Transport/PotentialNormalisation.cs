namespace Transport.Numerics.Transport;

/// <summary>
/// Dual potentials are unique only up to (f + c, g - c). Outputs fix c so that &lt;f, a&gt; = &lt;g, b&gt;,
/// which makes them comparable across runs, shard layouts and annealing schedules.
/// </summary>
public static class PotentialNormalisation
{
    /// <summary>The shift c to subtract from f and add to g: (&lt;f, a&gt; - &lt;g, b&gt;) / 2.</summary>
    public static double Shift(double weightedSource, double weightedTarget) => 0.5 * (weightedSource - weightedTarget);

    /// <summary>Applies the balancing shift in place.</summary>
    public static void Balance(Span<double> f, ReadOnlySpan<double> a, Span<double> g, ReadOnlySpan<double> b)
    {
        var shift = Shift(Weighted(f, a), Weighted(g, b));
        for (var i = 0; i < f.Length; i++)
        {
            f[i] -= shift;
        }

        for (var j = 0; j < g.Length; j++)
        {
            g[j] += shift;
        }
    }

    private static double Weighted(ReadOnlySpan<double> p, ReadOnlySpan<double> w)
    {
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            if (w[i] != 0)
            {
                sum += p[i] * w[i];
            }
        }

        return sum;
    }
}
