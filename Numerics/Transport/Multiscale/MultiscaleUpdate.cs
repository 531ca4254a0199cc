namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// How one iteration on the points moves the potentials towards their soft c-transforms: f &lt;- f + w (T(g) - f)
/// at once, then the candidate T(f) is taken against the new f, and at commit g &lt;- g + w (T(f) - g). With
/// w = 1 this is plain alternating Sinkhorn; 1 &lt; w &lt; 2 is its over-relaxation (successive over-relaxation of
/// the alternating fixed point, which keeps the fixed point and, near it, contracts at rate w - 1 with the best
/// w instead of plain Sinkhorn's rate close to 1 at small eps). See <see cref="RelaxationPolicy"/>.
/// </summary>
/// <param name="Relaxation">w in [1, 2).</param>
public readonly record struct MultiscaleUpdate(double Relaxation)
{
    /// <summary>Plain alternating Sinkhorn.</summary>
    public static MultiscaleUpdate Plain => new(1.0);

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
