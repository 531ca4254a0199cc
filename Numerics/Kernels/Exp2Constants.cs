namespace Transport.Numerics.Kernels;

/// <summary>
/// The broadcast constants of <see cref="LaneExponential.Exp2"/>: the clamp, the rounding constant and
/// the coefficients C0..C5 of the polynomial for 2^r from degree 0 up.
/// </summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal readonly struct Exp2Constants<TVector>(TVector floor, TVector magic, TVector c0, TVector c1, TVector c2, TVector c3, TVector c4, TVector c5)
    where TVector : unmanaged
{
    public TVector Floor { get; } = floor;

    public TVector Magic { get; } = magic;

    public TVector C0 { get; } = c0;

    public TVector C1 { get; } = c1;

    public TVector C2 { get; } = c2;

    public TVector C3 { get; } = c3;

    public TVector C4 { get; } = c4;

    public TVector C5 { get; } = c5;
}
