namespace Transport.Numerics.Transport;

/// <summary>
/// The debiasing combination of the Sinkhorn divergence (Feydy et al. 2019; math.md 3.6), written once for
/// every solver that computes the three terms (dense, multiscale, on a cluster, in a flow).
/// </summary>
public static class DebiasedDivergence
{
    /// <summary>
    /// S_eps(a, b) = OT_eps(a, b) - OT_eps(a, a) / 2 - OT_eps(b, b) / 2 from the three values (each the dual
    /// &lt;f, a&gt; + &lt;g, b&gt; of its converged problem). NaN in any input gives NaN.
    /// </summary>
    public static double Combine(double cross, double selfSource, double selfTarget) =>
        cross - (0.5 * selfSource) - (0.5 * selfTarget);
}
