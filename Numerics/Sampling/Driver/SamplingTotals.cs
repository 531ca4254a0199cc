namespace Transport.Numerics.Sampling;

/// <summary>
/// Sums over the particles of one block after a step, combined across blocks and shards by addition in block order.
/// </summary>
/// <param name="KineticEnergy">Sum over the block's particles of the step's quadrature of integral |v|^2 dt.</param>
/// <param name="Particles">Number of particles summed.</param>
public readonly record struct StepTotals(double KineticEnergy, long Particles)
{
    /// <summary>The neutral element.</summary>
    public static StepTotals Zero => default;

    /// <summary>Adds two block totals.</summary>
    public StepTotals Add(StepTotals other) => new(KineticEnergy + other.KineticEnergy, Particles + other.Particles);
}

/// <summary>
/// Sums of squares over the coordinates of one block used by the adaptive step-size control: for the initial step
/// the scaled state and velocity norms, for a proposed step the scaled error norm (in <see cref="First"/>).
/// </summary>
/// <param name="First">The first sum of squares.</param>
/// <param name="Second">The second sum of squares (0 where unused).</param>
/// <param name="Count">Number of coordinates summed.</param>
public readonly record struct NormTotals(double First, double Second, long Count)
{
    /// <summary>Adds two block totals.</summary>
    public NormTotals Add(NormTotals other) => new(First + other.First, Second + other.Second, Count + other.Count);
}
