using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>Generic helpers over <see cref="Vector256{T}"/> that the BCL only offers per element type.</summary>
internal static class VectorMath
{
    /// <summary>a * b + c with one rounding (the JIT removes the type test for each instantiation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        return (a * b) + c;
    }

    /// <summary>The largest lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T HorizontalMax<T>(Vector256<T> v)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var max = v.GetElement(0);
        for (var lane = 1; lane < Vector256<T>.Count; lane++)
        {
            var e = v.GetElement(lane);
            if (e > max)
            {
                max = e;
            }
        }

        return max;
    }

    /// <summary>
    /// Squared distances from four consecutive queries (row-major at <paramref name="x0"/>) to one
    /// vector of keys (coordinate-major, stride <paramref name="padded"/>, first key at <paramref name="key"/>).
    /// Every key vector is loaded once and used for the four queries (register blocking).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SquaredDistances4<T>(
        ref T x,
        int x0,
        int d,
        ref T y,
        int padded,
        int key,
        out Vector256<T> acc0,
        out Vector256<T> acc1,
        out Vector256<T> acc2,
        out Vector256<T> acc3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        acc0 = Vector256<T>.Zero;
        acc1 = Vector256<T>.Zero;
        acc2 = Vector256<T>.Zero;
        acc3 = Vector256<T>.Zero;
        for (var k = 0; k < d; k++)
        {
            var yk = Vector256.LoadUnsafe(ref y, (nuint)((k * padded) + key));
            var d0 = Vector256.Create(Unsafe.Add(ref x, x0 + k)) - yk;
            var d1 = Vector256.Create(Unsafe.Add(ref x, x0 + d + k)) - yk;
            var d2 = Vector256.Create(Unsafe.Add(ref x, x0 + (2 * d) + k)) - yk;
            var d3 = Vector256.Create(Unsafe.Add(ref x, x0 + (3 * d) + k)) - yk;
            acc0 = MultiplyAdd(d0, d0, acc0);
            acc1 = MultiplyAdd(d1, d1, acc1);
            acc2 = MultiplyAdd(d2, d2, acc2);
            acc3 = MultiplyAdd(d3, d3, acc3);
        }
    }
}
