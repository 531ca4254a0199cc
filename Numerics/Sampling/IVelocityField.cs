namespace Transport.Numerics.Sampling;

/// <summary>
/// A time-dependent velocity field v(t, x) on batches of particles: what the probability-flow ODE samplers
/// integrate. <see cref="InterpolantField"/> is one (independent coupling, from a denoiser); the field of a coupled
/// interpolant is another.
/// </summary>
public interface IVelocityField
{
    /// <summary>The dimension of the particles.</summary>
    int Dimension { get; }

    /// <summary>The interpolant schedule (a, b) the field belongs to; fixed-step time grids are laid out on it.</summary>
    InterpolantSchedule Schedule { get; }

    /// <summary>Writes v(t, x) for the row-major n x d batch <paramref name="x"/> into <paramref name="velocity"/>.</summary>
    ValueTask VelocityAsync(double t, ReadOnlyMemory<double> x, Memory<double> velocity, CancellationToken cancellationToken);
}
