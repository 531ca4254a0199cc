using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Transport.Bench;

/// <summary>
/// Register-resident float32 exp for arguments in (-inf, 88]: x = k ln2 + r with |r| &lt;= ln2/2 (two-part
/// ln2), e^r by its degree-6 Taylor polynomial (truncation error below 1.2e-7 relative), 2^k added to the
/// exponent bits. Arguments below -86 are clamped (result about 4e-38 instead of a smaller number).
/// </summary>
internal static class FastExp
{
    private const float Log2E = 1.44269504f;
    private const float Ln2High = 0.693145751953125f;
    private const float Ln2Low = 1.428606765330187e-6f;
    private const float RoundMagic = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Max(x, Vector256.Create(-86f));
        var big = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        var k = big - Vector256.Create(RoundMagic);
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1f / 720f), r, Vector256.Create(1f / 120f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        return (p.AsInt32() + Vector256.ShiftLeft(big.AsInt32(), 23)).AsSingle();
    }

    /// <summary>The same algorithm on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Max(x, Vector512.Create(-86f));
        var big = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        var k = big - Vector512.Create(RoundMagic);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2High), x);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 720f), r, Vector512.Create(1f / 120f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        return (p.AsInt32() + Vector512.ShiftLeft(big.AsInt32(), 23)).AsSingle();
    }
}
