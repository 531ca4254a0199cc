namespace Transport.Numerics.Kernels;

/// <summary>
/// The broadcast constants of <see cref="LaneExponential.Exp"/>: hoisted out of the key loops so the
/// inlined exponential is only arithmetic. P0.. are the Taylor coefficients from the highest degree
/// down (7 used in float32, 12 in float64).
/// </summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal readonly struct ExpConstants<TVector>
    where TVector : unmanaged
{
    public ExpConstants(TVector floor, TVector magic, TVector log2E, TVector minusLn2High, TVector minusLn2Low, ReadOnlySpan<TVector> p)
    {
        Floor = floor;
        Magic = magic;
        Log2E = log2E;
        MinusLn2High = minusLn2High;
        MinusLn2Low = minusLn2Low;
        P0 = p[0];
        P1 = p[1];
        P2 = p[2];
        P3 = p[3];
        P4 = p[4];
        P5 = p[5];
        P6 = p[6];
        P7 = p[7];
        P8 = p[8];
        P9 = p[9];
        P10 = p[10];
        P11 = p[11];
    }

    public TVector Floor { get; }

    public TVector Magic { get; }

    public TVector Log2E { get; }

    public TVector MinusLn2High { get; }

    public TVector MinusLn2Low { get; }

    public TVector P0 { get; }

    public TVector P1 { get; }

    public TVector P2 { get; }

    public TVector P3 { get; }

    public TVector P4 { get; }

    public TVector P5 { get; }

    public TVector P6 { get; }

    public TVector P7 { get; }

    public TVector P8 { get; }

    public TVector P9 { get; }

    public TVector P10 { get; }

    public TVector P11 { get; }
}
