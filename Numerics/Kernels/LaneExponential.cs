using System.Numerics;
using System.Runtime.CompilerServices;

namespace Transport.Numerics.Kernels;

/// <summary>
/// exp of every lane, in registers, for any <see cref="ILanes{TVector, T}"/> width, for arguments
/// &lt;= about 88 (float32) / 709 (float64): callers subtract a reference first.
/// <para>
/// exp(x) = 2^n e^r with n = round(x / ln 2), |r| &lt;= ln(2)/2 (ln 2 split in two parts so r is exact).
/// n is rounded by adding a magic constant 1.5 * 2^p + bias, which leaves n + bias in the low mantissa
/// bits, so 2^n is one shift of those bits: no float-to-integer conversion, which AVX2 lacks for
/// float64 (.NET emulates it lane by lane, the reason the old float64 kernel ran at 0.2 of the exp
/// rate on AVX2-only machines). Arguments are clamped at -bias ln 2, where n + bias = 0 makes 2^n
/// exactly +0, so minus infinity and everything below the normal range give 0 without a compare.
/// </para>
/// e^r is the Taylor polynomial: degree 6 in float32 (truncation r^7/7! &lt; 1.3e-7 relative) and
/// degree 11 in float64 (r^12/12! &lt; 7e-15 relative).
/// </summary>
internal static class LaneExponential
{
    /// <summary>log2 e.</summary>
    public const double Log2E = 1.4426950408889634;
    /// <summary>ln 2.</summary>
    public const double Ln2 = 0.6931471805599453;

    // float32: n ln 2 = n Ln2High exactly for |n| < 2^9 (Ln2High has 10 significant bits).
    private const double Ln2HighSingle = 0.693359375;
    private const double Ln2LowSingle = -2.12194440e-4;
    private const double MagicSingle = 12582912.0 + 127.0;
    private const double FloorSingle = -127 * 0.6931471805599453;

    // float64: n ln 2 = n Ln2High exactly for |n| <= 1100.
    private const double Ln2HighDouble = 0.6931471803691238;
    private const double Ln2LowDouble = 1.9082149292705877e-10;
    private const double MagicDouble = 6755399441055744.0 + 1023.0;
    private const double FloorDouble = -1023 * 0.6931471805599453;

    /// <summary>The constants of <see cref="Exp"/> as vectors, built once per pass outside the loops.</summary>
    public static ExpConstants<TVector> Constants<TLanes, TVector, T>()
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var single = typeof(T) == typeof(float);
        ReadOnlySpan<double> singleTerms = [1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0];
        ReadOnlySpan<double> doubleTerms = [1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0];
        var terms = single ? singleTerms : doubleTerms;
        var last = terms.Length - 1;
        return new ExpConstants<TVector>(
            V<TLanes, TVector, T>(single ? FloorSingle : FloorDouble),
            V<TLanes, TVector, T>(single ? MagicSingle : MagicDouble),
            V<TLanes, TVector, T>(Log2E),
            V<TLanes, TVector, T>(single ? -Ln2HighSingle : -Ln2HighDouble),
            V<TLanes, TVector, T>(single ? -Ln2LowSingle : -Ln2LowDouble),
            [
                V<TLanes, TVector, T>(terms[0]), V<TLanes, TVector, T>(terms[1]), V<TLanes, TVector, T>(terms[2]),
                V<TLanes, TVector, T>(terms[3]), V<TLanes, TVector, T>(terms[4]), V<TLanes, TVector, T>(terms[5]),
                V<TLanes, TVector, T>(terms[6]), V<TLanes, TVector, T>(terms[Math.Min(7, last)]), V<TLanes, TVector, T>(terms[Math.Min(8, last)]),
                V<TLanes, TVector, T>(terms[Math.Min(9, last)]), V<TLanes, TVector, T>(terms[Math.Min(10, last)]), V<TLanes, TVector, T>(terms[Math.Min(11, last)]),
            ]);
    }

    /// <summary>e^x per lane (0 for minus infinity and below the normal range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp<TLanes, TVector, T>(TVector x, in ExpConstants<TVector> c)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var clamped = TLanes.Max(x, c.Floor);
        var shifted = TLanes.MultiplyAdd(clamped, c.Log2E, c.Magic);
        var n = TLanes.Subtract(shifted, c.Magic);
        var r = TLanes.MultiplyAdd(n, c.MinusLn2High, clamped);
        r = TLanes.MultiplyAdd(n, c.MinusLn2Low, r);
        var p = TLanes.MultiplyAdd(c.P0, r, c.P1);
        p = TLanes.MultiplyAdd(p, r, c.P2);
        p = TLanes.MultiplyAdd(p, r, c.P3);
        p = TLanes.MultiplyAdd(p, r, c.P4);
        p = TLanes.MultiplyAdd(p, r, c.P5);
        p = TLanes.MultiplyAdd(p, r, c.P6);
        if (typeof(T) == typeof(double))
        {
            p = TLanes.MultiplyAdd(p, r, c.P7);
            p = TLanes.MultiplyAdd(p, r, c.P8);
            p = TLanes.MultiplyAdd(p, r, c.P9);
            p = TLanes.MultiplyAdd(p, r, c.P10);
            p = TLanes.MultiplyAdd(p, r, c.P11);
        }

        return TLanes.Multiply(p, TLanes.ShiftIntoExponent(shifted));
    }

    /// <summary>
    /// Coefficients (degree 0 up) of the degree-5 polynomial closest to 2^r on [-1/2, 1/2] in relative
    /// error (minimax, found by a Remez exchange on 20,001 points for this kernel): 7.5e-8 relative, below
    /// the degree-6 Taylor polynomial's 1.3e-7 with one multiply-add fewer.
    /// </summary>
    private static ReadOnlySpan<double> Base2Terms =>
        [1.0000000716546822, 0.693146967064733, 0.2402211972384865, 0.05550713273543075, 0.009675541334209831, 0.0013276471979286704];

    /// <summary>The constants of <see cref="Exp2"/> (float32 only) as vectors, built once per pass outside the loops.</summary>
    public static Exp2Constants<TVector> Base2Constants<TLanes, TVector, T>()
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        return new Exp2Constants<TVector>(
            V<TLanes, TVector, T>(-127.0),
            V<TLanes, TVector, T>(MagicSingle),
            V<TLanes, TVector, T>(Base2Terms[0]),
            V<TLanes, TVector, T>(Base2Terms[1]),
            V<TLanes, TVector, T>(Base2Terms[2]),
            V<TLanes, TVector, T>(Base2Terms[3]),
            V<TLanes, TVector, T>(Base2Terms[4]),
            V<TLanes, TVector, T>(Base2Terms[5]));
    }

    /// <summary>
    /// 2^x per float32 lane (T must be float; 0 for minus infinity and below -127), for x &lt;= 127: the float32 kernel
    /// scores in base 2 (log-weights and scale pre-multiplied by log2 e), which makes the reduction
    /// r = x - n exact with one subtraction instead of two multiply-adds against a split ln 2, and
    /// drops the multiply by log2 e. The polynomial for 2^r, |r| &lt;= 1/2, is a degree-5 minimax fit
    /// (7.5e-8 relative, see Base2Terms; <see cref="Exp"/>'s Taylor polynomial needs degree 6 for 1.3e-7)
    /// in Horner form (Estrin's shorter chain measured no faster: the loops are bound by the operation
    /// count, and it needs two more).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp2<TLanes, TVector, T>(TVector x, in Exp2Constants<TVector> c)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        AddExp2<TLanes, TVector, T>(x, c, TLanes.Zero);

    /// <summary><paramref name="sum"/> + 2^x per lane: the last multiply of <see cref="Exp2"/> fused with the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector AddExp2<TLanes, TVector, T>(TVector x, in Exp2Constants<TVector> c, TVector sum)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var clamped = TLanes.Max(x, c.Floor);
        var shifted = TLanes.Add(clamped, c.Magic);
        var r = TLanes.Subtract(clamped, TLanes.Subtract(shifted, c.Magic));
        var p = TLanes.MultiplyAdd(c.C5, r, c.C4);
        p = TLanes.MultiplyAdd(p, r, c.C3);
        p = TLanes.MultiplyAdd(p, r, c.C2);
        p = TLanes.MultiplyAdd(p, r, c.C1);
        p = TLanes.MultiplyAdd(p, r, c.C0);
        return TLanes.MultiplyAdd(p, TLanes.ShiftIntoExponent(shifted), sum);
    }

    private static TVector V<TLanes, TVector, T>(double value)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TLanes.Broadcast(T.CreateTruncating(value));
}
