using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Transport.Numerics.Kernels;

/// <summary>
/// |x - y|^2 = sum_k (x_k - y_k)^2, exact up to rounding at any distance: the low-dimensional path
/// (d &lt;= <see cref="SoftmaxReduction.DotProductThreshold"/>), where a key vector costs d loads and
/// 2d operations per query, below the exponential.
/// </summary>
internal readonly struct DifferenceDistance : ISquaredDistance
{
    public static bool Blocked => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Two<TLanes, TVector, T>(
        in DistanceInput<T> input,
        int query,
        int key,
        out TVector a0,
        out TVector a1,
        out TVector a2,
        out TVector a3,
        out TVector b0,
        out TVector b1,
        out TVector b2,
        out TVector b3)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        One<TLanes, TVector, T>(input, query, key, out a0, out a1, out a2, out a3);
        One<TLanes, TVector, T>(input, query, key + TLanes.Count, out b0, out b1, out b2, out b3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void One<TLanes, TVector, T>(
        in DistanceInput<T> input,
        int query,
        int key,
        out TVector a0,
        out TVector a1,
        out TVector a2,
        out TVector a3)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var d = input.Dimension;
        var padded = input.Padded;
        ref var x = ref MemoryMarshal.GetArrayDataReference(input.Queries);
        ref var y = ref MemoryMarshal.GetArrayDataReference(input.Keys);
        var x0 = query * d;
        a0 = TLanes.Zero;
        a1 = TLanes.Zero;
        a2 = TLanes.Zero;
        a3 = TLanes.Zero;
        for (var k = 0; k < d; k++)
        {
            var yk = TLanes.Load(ref y, (nuint)((k * padded) + key));
            var d0 = TLanes.Subtract(TLanes.Broadcast(Unsafe.Add(ref x, x0 + k)), yk);
            var d1 = TLanes.Subtract(TLanes.Broadcast(Unsafe.Add(ref x, x0 + d + k)), yk);
            var d2 = TLanes.Subtract(TLanes.Broadcast(Unsafe.Add(ref x, x0 + (2 * d) + k)), yk);
            var d3 = TLanes.Subtract(TLanes.Broadcast(Unsafe.Add(ref x, x0 + (3 * d) + k)), yk);
            a0 = TLanes.MultiplyAdd(d0, d0, a0);
            a1 = TLanes.MultiplyAdd(d1, d1, a1);
            a2 = TLanes.MultiplyAdd(d2, d2, a2);
            a3 = TLanes.MultiplyAdd(d3, d3, a3);
        }
    }
}
