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
}
