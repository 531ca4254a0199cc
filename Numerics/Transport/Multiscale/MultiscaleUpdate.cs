namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// How one iteration on the points moves the potentials towards their soft c-transforms.
/// <para>
/// Alternating (the default): f &lt;- f + w (T(g) - f) at once, then the candidate T(f) is taken against the new f,
/// and at commit g &lt;- g + w (T(f) - g). With w = 1 this is plain Sinkhorn; 1 &lt; w &lt; 2 is its over-relaxation
/// (successive over-relaxation of the alternating fixed point, which keeps the fixed point and, near it,
/// contracts at rate w - 1 with the best w instead of plain Sinkhorn's rate close to 1 at small eps).
/// </para>
/// <para>
/// Simultaneous: both transforms read the committed potentials, T(g) and T(f) of the same state, and both are
/// blended at commit. With w = 1/2 on a self problem (a cloud against itself, f = g) this is the symmetric
/// averaged iteration p &lt;- (p + T(p)) / 2 of the dense self solve, which converges in a few tens of iterations
/// where the alternating one oscillates for hundreds.
/// </para>
/// </summary>
/// <param name="Relaxation">w in (0, 2).</param>
/// <param name="Simultaneous">Whether the source update waits for the commit.</param>
public readonly record struct MultiscaleUpdate(double Relaxation, bool Simultaneous)
{
    /// <summary>Plain alternating Sinkhorn.</summary>
    public static MultiscaleUpdate Plain => new(1.0, false);

    /// <summary>The symmetric averaged update of a self problem.</summary>
    public static MultiscaleUpdate SymmetricAverage => new(0.5, true);

    /// <summary>old + w (transformed - old), exactly transformed when w = 1 (plain Sinkhorn keeps its arithmetic).</summary>
    public double Blend(double old, double transformed) =>
        Relaxation == 1.0 ? transformed : old + (Relaxation * (transformed - old));

    /// <summary>destination_i = Blend(old_i, transformed_i); <paramref name="destination"/> may be either input.</summary>
    public void Blend(Span<double> destination, ReadOnlySpan<double> old, ReadOnlySpan<double> transformed)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Blend(old[i], transformed[i]);
        }
    }

    /// <summary>Blends <paramref name="transformed"/> into <paramref name="potential"/> in place.</summary>
    public void Blend(Span<double> potential, ReadOnlySpan<double> transformed)
    {
        for (var i = 0; i < potential.Length; i++)
        {
            potential[i] = Blend(potential[i], transformed[i]);
        }
    }
}
