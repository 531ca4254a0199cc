using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// How one half-step of a Sinkhorn iteration (<see cref="SinkhornRun"/>) moves a potential p toward its soft c-transform T (of the
/// opposite potential): p &lt;- base + w (T - base).
/// <list type="bullet">
/// <item>Relaxed (cross problems): base = p. w = 1 is plain alternating Sinkhorn (p = T exactly); 1 &lt; w &lt; 2
/// is its over-relaxation (<see cref="MultiscaleUpdate"/>, <see cref="RelaxationPolicy"/>).</item>
/// <item>Symmetric (self problems): base = the problem's other potential at the same points, w = 1/2, so
/// f &lt;- (g + T(g)) / 2 and g &lt;- (f + T(f)) / 2: the symmetric averaged update p &lt;- (p + T(p)) / 2 of GeomLoss
/// (math.md 3.3) written in the alternating frame, each half-step one averaged step. Near the fixed point it
/// contracts by (1 - lambda) / 2 &lt;= 1/2 per half-step, lambda in [0, 1] the eigenvalues of the self plan's
/// Markov operator (positive semi-definite for a Gaussian kernel), whereas alternating updates contract by
/// lambda^2 per iteration, close to 1 when eps is small against the point spacing (the self plan is then near
/// the identity): 400 points at eps = 1e-4 D^2 need 26 symmetric steps and more than 10,000 alternating
/// over-relaxed iterations.</item>
/// </list>
/// </summary>
/// <param name="Weight">w.</param>
/// <param name="Symmetric">Whether the base is the other potential of a self problem (true) or p itself.</param>
public readonly record struct SinkhornUpdate(double Weight, bool Symmetric)
{
    /// <summary>p = T exactly.</summary>
    public static SinkhornUpdate Plain => new(1.0, false);

    /// <summary>The symmetric averaged half-step of a self problem: p = (other + T) / 2.</summary>
    public static SinkhornUpdate Averaged => new(0.5, true);

    /// <summary>Whether this is a plain step (p = T exactly).</summary>
    public bool IsPlain => Weight == 1.0;

    /// <summary>The over-relaxed (or plain, w = 1) update of a cross problem.</summary>
    public static SinkhornUpdate Relaxed(MultiscaleUpdate update) => new(update.Relaxation, false);

    /// <summary>
    /// potential_i &lt;- base_i + w (transformed_i - base_i) with base = <paramref name="other"/> when
    /// <see cref="Symmetric"/>, else the potential itself; exactly transformed_i when w = 1.
    /// </summary>
    public void Blend(Span<double> potential, ReadOnlySpan<double> other, ReadOnlySpan<double> transformed)
    {
        var blend = new MultiscaleUpdate(Weight);
        if (!Symmetric)
        {
            blend.Blend(potential, transformed);
            return;
        }

        blend.Blend(potential, other, transformed);
    }
}
