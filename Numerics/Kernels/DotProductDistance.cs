using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Transport.Numerics.Kernels;

/// <summary>
/// |x - y|^2 = |x|^2 + |y|^2 - 2 &lt;x, y&gt; (clamped at zero): the high-dimensional path, a small
/// matrix-multiply micro-kernel. <see cref="Two"/> blocks 4 queries x 2 key vectors in registers: per
/// coordinate 2 key loads and 4 query broadcasts feed 8 fused multiply-adds, so the loop is bound by
/// the multiply-adds rather than by loads (4 x 1 needs 5 loads per 4 multiply-adds).
/// </summary>
internal readonly struct DotProductDistance : ISquaredDistance
{
    public static bool Blocked => true;

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
        // The coordinate loop steps references (one query pointer, one key pointer) instead of
        // forming k x padded + key and query x d + k per coordinate: index arithmetic there costs more
        // issue slots than the eight multiply-adds it feeds.
        var d = input.Dimension;
        var stride = (nint)input.Padded;
        var width = (nint)TLanes.Count;
        var d1 = (nint)d;
        var d2 = 2 * d1;
        var d3 = 3 * d1;
        ref var x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input.Queries), (nint)query * d1);
        ref var y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input.Keys), (nint)key);
        a0 = TLanes.Zero;
        a1 = TLanes.Zero;
        a2 = TLanes.Zero;
        a3 = TLanes.Zero;
        b0 = TLanes.Zero;
        b1 = TLanes.Zero;
        b2 = TLanes.Zero;
        b3 = TLanes.Zero;
        for (var k = d; k > 0; k--)
        {
            var ya = TLanes.Load(ref y, 0);
            var yb = TLanes.Load(ref Unsafe.Add(ref y, width), 0);
            var x0k = TLanes.Broadcast(x);
            a0 = TLanes.MultiplyAdd(x0k, ya, a0);
            b0 = TLanes.MultiplyAdd(x0k, yb, b0);
            var x1k = TLanes.Broadcast(Unsafe.Add(ref x, d1));
            a1 = TLanes.MultiplyAdd(x1k, ya, a1);
            b1 = TLanes.MultiplyAdd(x1k, yb, b1);
            var x2k = TLanes.Broadcast(Unsafe.Add(ref x, d2));
            a2 = TLanes.MultiplyAdd(x2k, ya, a2);
            b2 = TLanes.MultiplyAdd(x2k, yb, b2);
            var x3k = TLanes.Broadcast(Unsafe.Add(ref x, d3));
            a3 = TLanes.MultiplyAdd(x3k, ya, a3);
            b3 = TLanes.MultiplyAdd(x3k, yb, b3);
            x = ref Unsafe.Add(ref x, 1);
            y = ref Unsafe.Add(ref y, stride);
        }

        ref var yn = ref MemoryMarshal.GetArrayDataReference(input.KeyNorms);
        var na = TLanes.Load(ref yn, (nuint)key);
        var nb = TLanes.Load(ref yn, (nuint)(key + width));
        a0 = Finish<TLanes, TVector, T>(a0, na, input.QueryNorms[query]);
        a1 = Finish<TLanes, TVector, T>(a1, na, input.QueryNorms[query + 1]);
        a2 = Finish<TLanes, TVector, T>(a2, na, input.QueryNorms[query + 2]);
        a3 = Finish<TLanes, TVector, T>(a3, na, input.QueryNorms[query + 3]);
        b0 = Finish<TLanes, TVector, T>(b0, nb, input.QueryNorms[query]);
        b1 = Finish<TLanes, TVector, T>(b1, nb, input.QueryNorms[query + 1]);
        b2 = Finish<TLanes, TVector, T>(b2, nb, input.QueryNorms[query + 2]);
        b3 = Finish<TLanes, TVector, T>(b3, nb, input.QueryNorms[query + 3]);
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
        var stride = (nint)input.Padded;
        var d1 = (nint)d;
        var d2 = 2 * d1;
        var d3 = 3 * d1;
        ref var x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input.Queries), (nint)query * d1);
        ref var y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input.Keys), (nint)key);
        a0 = TLanes.Zero;
        a1 = TLanes.Zero;
        a2 = TLanes.Zero;
        a3 = TLanes.Zero;
        for (var k = d; k > 0; k--)
        {
            var yk = TLanes.Load(ref y, 0);
            a0 = TLanes.MultiplyAdd(TLanes.Broadcast(x), yk, a0);
            a1 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x, d1)), yk, a1);
            a2 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x, d2)), yk, a2);
            a3 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x, d3)), yk, a3);
            x = ref Unsafe.Add(ref x, 1);
            y = ref Unsafe.Add(ref y, stride);
        }

        ref var yn = ref MemoryMarshal.GetArrayDataReference(input.KeyNorms);
        var norms = TLanes.Load(ref yn, (nuint)key);
        a0 = Finish<TLanes, TVector, T>(a0, norms, input.QueryNorms[query]);
        a1 = Finish<TLanes, TVector, T>(a1, norms, input.QueryNorms[query + 1]);
        a2 = Finish<TLanes, TVector, T>(a2, norms, input.QueryNorms[query + 2]);
        a3 = Finish<TLanes, TVector, T>(a3, norms, input.QueryNorms[query + 3]);
    }

    /// <summary>max(|x|^2 + |y|^2 - 2 dot, 0): rounding can make the cancellation slightly negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Finish<TLanes, TVector, T>(TVector dot, TVector keyNorms, double queryNorm)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var sum = TLanes.Add(TLanes.Broadcast(T.CreateTruncating(queryNorm)), keyNorms);
        var squared = TLanes.MultiplyAdd(TLanes.Broadcast(T.CreateTruncating(-2.0)), dot, sum);
        return TLanes.Max(squared, TLanes.Zero);
    }
}
