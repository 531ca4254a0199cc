using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// The inner loops of the reduction in a single pass over a tile row: e_j = exp(s_j - m), summed (and
/// optionally written back for weighted sums), and dot products against key values. A separate
/// subtract, exp and sum would read the row three times; fusing them leaves the exponential as the
/// only real cost per pair. These loops are ours rather than the library's for a second reason: their
/// summation order is fixed, so results are bitwise reproducible. (The library's precompiled code runs
/// first and is later replaced by code for wider vectors, which sums lanes in another order.)
/// </summary>
internal static class FusedExponential
{
    // exp(x) = 2^n e^r with n = round(x / ln 2) and |r| <= ln(2)/2; ln 2 split in two parts
    // (Cody-Waite) so that r is exact to float precision.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    // Below this, exp underflows the normal float range: flush to 0 (this also maps -inf to 0).
    private const float MinArgument = -87.33654f;

    // float64: ln 2 split so that n * Ln2HighDouble is exact for |n| <= 1100.
    private const double Log2EDouble = 1.4426950408889634;
    private const double Ln2HighDouble = 0.6931471803691238;
    private const double Ln2LowDouble = 1.9082149292705877e-10;
    private const double MinArgumentDouble = -708.39;

    /// <summary>
    /// Returns sum_j exp(row_j - max) over <paramref name="row"/> (length a multiple of the vector width),
    /// exponentials in <typeparamref name="T"/> lanes, returned in float64; writes the exponentials back
    /// when <paramref name="store"/>. Per-term relative error about 2e-7 in float32 (degree-6 polynomial,
    /// r^7/7! &lt; 1.3e-7) and a few ulp in float64 (degree 13, r^14/14! &lt; 5e-18), |r| &lt;= 0.347.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumExp<T>(Span<T> row, T max, bool store)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ref var s = ref MemoryMarshal.GetReference(row);
        var width = Vector256<T>.Count;
        var shift = Vector256.Create(max);
        var acc0 = Vector256<T>.Zero;
        var acc1 = Vector256<T>.Zero;
        var j = 0;
        for (; j + (2 * width) <= row.Length; j += 2 * width)
        {
            var e0 = Exp(Vector256.LoadUnsafe(ref s, (nuint)j) - shift);
            var e1 = Exp(Vector256.LoadUnsafe(ref s, (nuint)(j + width)) - shift);
            acc0 += e0;
            acc1 += e1;
            if (store)
            {
                e0.StoreUnsafe(ref s, (nuint)j);
                e1.StoreUnsafe(ref s, (nuint)(j + width));
            }
        }

        for (; j < row.Length; j += width)
        {
            var e = Exp(Vector256.LoadUnsafe(ref s, (nuint)j) - shift);
            acc0 += e;
            if (store)
            {
                e.StoreUnsafe(ref s, (nuint)j);
            }
        }

        return HorizontalSum(acc0 + acc1);
    }

    /// <summary>exp of each lane in <typeparamref name="T"/> (the JIT removes the type test per instantiation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Exp(x.AsSingle()).As<float, T>()
            : Exp(x.AsDouble()).As<double, T>();

    /// <summary>Sum of the lanes in float64, in lane order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HorizontalSum<T>(Vector256<T> v)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var sum = 0.0;
        for (var lane = 0; lane < Vector256<T>.Count; lane++)
        {
            sum += double.CreateTruncating(v.GetElement(lane));
        }

        return sum;
    }

    /// <summary>sum_j a_j b_j over rows of equal length (a multiple of the vector width), in a fixed order, returned in float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ref var x = ref MemoryMarshal.GetReference(a);
        ref var y = ref MemoryMarshal.GetReference(b);
        var width = Vector256<T>.Count;
        var acc0 = Vector256<T>.Zero;
        var acc1 = Vector256<T>.Zero;
        var j = 0;
        for (; j + (2 * width) <= a.Length; j += 2 * width)
        {
            acc0 = VectorMath.MultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)j), Vector256.LoadUnsafe(ref y, (nuint)j), acc0);
            acc1 = VectorMath.MultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)(j + width)), Vector256.LoadUnsafe(ref y, (nuint)(j + width)), acc1);
        }

        for (; j < a.Length; j += width)
        {
            acc0 = VectorMath.MultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)j), Vector256.LoadUnsafe(ref y, (nuint)j), acc0);
        }

        return HorizontalSum(acc0 + acc1);
    }

    /// <summary>float64 exp of each lane for arguments &lt;= 0; below -708.39 (the normal range) the result is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> x)
    {
        var underflow = Vector256.LessThan(x, Vector256.Create(MinArgumentDouble));
        var clamped = Vector256.Max(x, Vector256.Create(MinArgumentDouble));
        var n = Vector256.Round(clamped * Vector256.Create(Log2EDouble));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2HighDouble), clamped);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2LowDouble), r);
        var p = Vector256.Create(1.0 / 6227020800.0);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 479001600.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 39916800.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 3628800.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 362880.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 40320.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 5040.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 720.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 120.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 24.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 6.0));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt64(n) + Vector256.Create(1023L), 52).AsDouble();
        return Vector256.ConditionalSelect(underflow, Vector256<double>.Zero, p * scale);
    }

    /// <summary>exp of each lane for arguments &lt;= 0 (larger arguments are not clamped: callers subtract the maximum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var underflow = Vector256.LessThan(x, Vector256.Create(MinArgument));
        var clamped = Vector256.Max(x, Vector256.Create(MinArgument));
        var n = Vector256.Round(clamped * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), clamped);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.Create(1f / 720f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(underflow, Vector256<float>.Zero, p * scale);
    }
}
