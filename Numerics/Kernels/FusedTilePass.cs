using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Transport.Numerics.Kernels;

/// <summary>
/// One pass of four queries over a range of keys with everything in registers: scores
/// s = h_j - scale |x_i - y_j|^2, their maximum, and (with accumulate) e = exp(s - r_i) against the
/// query's reference r_i, summed, multiplied into the weighted value sums and the distance moment. No
/// score ever goes to memory; the exponential is the only real cost per pair.
/// <para>
/// The key loop exists twice, each copy with four inlined exponentials: more copies in one method
/// exceed what the JIT inlines into a single method, and an exponential left as a call costs more
/// than it computes.
/// </para>
/// </summary>
internal static class FusedTilePass
{
    /// <summary>
    /// Adds the pass's sums (in float64, lanes in order) into <paramref name="tileSum"/> and
    /// <paramref name="tileExtras"/> (per query <see cref="ReductionInput{T}.ExtrasPerQuery"/> entries)
    /// and raises <paramref name="tileMax"/> to the maximum score; keys <paramref name="start"/> to
    /// <paramref name="end"/> (a multiple of the width apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TLanes, TVector, T, TDistance>(
        in ReductionInput<T> input,
        int query,
        int start,
        int end,
        ReadOnlySpan<double> refs,
        bool accumulate,
        Span<double> tileMax,
        Span<double> tileSum,
        Span<double> tileExtras,
        Span<T> distanceCache,
        int tileStart,
        bool cached)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        var perQuery = input.ExtrasPerQuery;

        // Weighted sums and the moment stay in L1 (one vector per query and component): their update
        // is a multiply-add per component, and there may be more components than registers.
        Span<TVector> extras = perQuery <= 64 ? stackalloc TVector[4 * perQuery] : new TVector[4 * perQuery];
        extras.Clear();
        if (!TDistance.Blocked && LowDimensionPass.Handles(input))
        {
            LowDimensionPass.Run<TLanes, TVector, T>(input, query, start, end, refs, accumulate, tileMax, tileSum);
            return;
        }

        if (TDistance.Blocked && LowDimensionPass.HandlesCached(input))
        {
            if (!cached)
            {
                FillCache<TLanes, TVector, T, TDistance>(input, query, start, end, distanceCache, tileStart);
            }

            LowDimensionPass.RunCached<TLanes, TVector, T>(input, distanceCache, tileStart, start, end, refs, accumulate, tileMax, tileSum);
            return;
        }

        Span<TVector> state = stackalloc TVector[8];
        if (TDistance.Blocked)
        {
            Blocked<TLanes, TVector, T, TDistance>(input, query, start, end, refs, accumulate, state, extras, distanceCache, tileStart, cached);
        }
        else
        {
            InRegisters<TLanes, TVector, T, TDistance>(input, query, start, end, refs, accumulate, state, extras);
        }

        for (var r = 0; r < 4; r++)
        {
            // float32 tracks the maximum relative to the reference (see Step); float64 the score itself.
            var passMax = double.CreateTruncating(TLanes.MaxAcross(state[r])) + (Split<T>() ? refs[r] : 0.0);
            tileMax[r] = Math.Max(tileMax[r], passMax);
            if (accumulate)
            {
                tileSum[r] += TLanes.SumAcross(state[4 + r]);
            }
        }

        if (accumulate)
        {
            for (var e = 0; e < extras.Length; e++)
            {
                tileExtras[e] += TLanes.SumAcross(extras[e]);
            }
        }
    }

    /// <summary>Key loop for <see cref="ISquaredDistance.One"/>: distances straight from registers into the steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InRegisters<TLanes, TVector, T, TDistance>(
        in ReductionInput<T> input, int query, int start, int end, ReadOnlySpan<double> refs, bool accumulate, Span<TVector> state, Span<TVector> extras)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        var width = TLanes.Count;
        var c = LaneExponential.Constants<TLanes, TVector, T>();
        var negScale = TLanes.Broadcast(input.NegativeScale);
        ref var h = ref MemoryMarshal.GetArrayDataReference(input.LogWeights);
        ref var low = ref MemoryMarshal.GetArrayDataReference(input.LogWeightResiduals);
        var r0 = TLanes.Broadcast(T.CreateTruncating(refs[0]));
        var r1 = TLanes.Broadcast(T.CreateTruncating(refs[1]));
        var r2 = TLanes.Broadcast(T.CreateTruncating(refs[2]));
        var r3 = TLanes.Broadcast(T.CreateTruncating(refs[3]));
        var max0 = TLanes.Broadcast(T.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        var sum0 = TLanes.Zero;
        var sum1 = sum0;
        var sum2 = sum0;
        var sum3 = sum0;
        for (var j = start; j < end; j += width)
        {
            TDistance.One<TLanes, TVector, T>(input.Distances, query, j, out var a0, out var a1, out var a2, out var a3);
            var hj = TLanes.Load(ref h, (nuint)j);
            var lj = Split<T>() ? TLanes.Load(ref low, (nuint)j) : TLanes.Zero;
            Step<TLanes, TVector, T>(input, c, j, a0, hj, lj, negScale, r0, ref max0, ref sum0, extras, 0, accumulate);
            Step<TLanes, TVector, T>(input, c, j, a1, hj, lj, negScale, r1, ref max1, ref sum1, extras, 1, accumulate);
            Step<TLanes, TVector, T>(input, c, j, a2, hj, lj, negScale, r2, ref max2, ref sum2, extras, 2, accumulate);
            Step<TLanes, TVector, T>(input, c, j, a3, hj, lj, negScale, r3, ref max3, ref sum3, extras, 3, accumulate);
        }

        Save(state, max0, max1, max2, max3, sum0, sum1, sum2, sum3);
    }

    /// <summary>
    /// Key loop for <see cref="ISquaredDistance.Two"/>: two key vectors' distances land in the tile's
    /// distance cache (4 rows of <see cref="SoftmaxReduction.TileSize"/>, row r at r x TileSize + key -
    /// <paramref name="tileStart"/>, L1-resident; cheap next to a high-dimensional dot product) and one
    /// copy of the steps walks them. With <paramref name="cached"/> an earlier pass over the same tile
    /// and queries (the max-only pass, or the pass before a reference raise) already filled the cache,
    /// so no dot product is recomputed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked<TLanes, TVector, T, TDistance>(
        in ReductionInput<T> input,
        int query,
        int start,
        int end,
        ReadOnlySpan<double> refs,
        bool accumulate,
        Span<TVector> state,
        Span<TVector> extras,
        Span<T> distanceCache,
        int tileStart,
        bool cached)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        var width = TLanes.Count;
        var c = LaneExponential.Constants<TLanes, TVector, T>();
        var negScale = TLanes.Broadcast(input.NegativeScale);
        ref var h = ref MemoryMarshal.GetArrayDataReference(input.LogWeights);
        ref var low = ref MemoryMarshal.GetArrayDataReference(input.LogWeightResiduals);
        var r0 = TLanes.Broadcast(T.CreateTruncating(refs[0]));
        var r1 = TLanes.Broadcast(T.CreateTruncating(refs[1]));
        var r2 = TLanes.Broadcast(T.CreateTruncating(refs[2]));
        var r3 = TLanes.Broadcast(T.CreateTruncating(refs[3]));
        var max0 = TLanes.Broadcast(T.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        var sum0 = TLanes.Zero;
        var sum1 = sum0;
        var sum2 = sum0;
        var sum3 = sum0;
        const int row = SoftmaxReduction.TileSize;
        ref var cache = ref MemoryMarshal.GetReference(distanceCache);
        if (!cached)
        {
            FillCache<TLanes, TVector, T, TDistance>(input, query, start, end, distanceCache, tileStart);
        }

        for (var j = start; j < end; j += width)
        {
            var hj = TLanes.Load(ref h, (nuint)j);
            var lj = Split<T>() ? TLanes.Load(ref low, (nuint)j) : TLanes.Zero;
            var local = (nuint)(j - tileStart);
            Step<TLanes, TVector, T>(input, c, j, TLanes.Load(ref cache, local), hj, lj, negScale, r0, ref max0, ref sum0, extras, 0, accumulate);
            Step<TLanes, TVector, T>(input, c, j, TLanes.Load(ref cache, local + row), hj, lj, negScale, r1, ref max1, ref sum1, extras, 1, accumulate);
            Step<TLanes, TVector, T>(input, c, j, TLanes.Load(ref cache, local + (2 * row)), hj, lj, negScale, r2, ref max2, ref sum2, extras, 2, accumulate);
            Step<TLanes, TVector, T>(input, c, j, TLanes.Load(ref cache, local + (3 * row)), hj, lj, negScale, r3, ref max3, ref sum3, extras, 3, accumulate);
        }

        Save(state, max0, max1, max2, max3, sum0, sum1, sum2, sum3);
    }

    /// <summary>
    /// Fills the distance cache of the tile (row r at r x <see cref="SoftmaxReduction.TileSize"/> + key -
    /// <paramref name="tileStart"/>) for the four queries from <paramref name="query"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FillCache<TLanes, TVector, T, TDistance>(in ReductionInput<T> input, int query, int start, int end, Span<T> distanceCache, int tileStart)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        var width = TLanes.Count;
        const int row = SoftmaxReduction.TileSize;
        ref var cache = ref MemoryMarshal.GetReference(distanceCache);
        for (var j = start; j < end;)
        {
            ref var slot = ref Unsafe.Add(ref cache, j - tileStart);
            if (j + (2 * width) <= end)
            {
                // Out locals, stored afterwards: out arguments into the cache would keep the
                // accumulators in memory through the whole coordinate loop.
                TDistance.Two<TLanes, TVector, T>(input.Distances, query, j, out var a0, out var a1, out var a2, out var a3, out var b0, out var b1, out var b2, out var b3);
                Store(ref slot, a0);
                Store(ref Unsafe.Add(ref slot, row), a1);
                Store(ref Unsafe.Add(ref slot, 2 * row), a2);
                Store(ref Unsafe.Add(ref slot, 3 * row), a3);
                Store(ref Unsafe.Add(ref slot, width), b0);
                Store(ref Unsafe.Add(ref slot, row + width), b1);
                Store(ref Unsafe.Add(ref slot, (2 * row) + width), b2);
                Store(ref Unsafe.Add(ref slot, (3 * row) + width), b3);
                j += 2 * width;
            }
            else
            {
                TDistance.One<TLanes, TVector, T>(input.Distances, query, j, out var a0, out var a1, out var a2, out var a3);
                Store(ref slot, a0);
                Store(ref Unsafe.Add(ref slot, row), a1);
                Store(ref Unsafe.Add(ref slot, 2 * row), a2);
                Store(ref Unsafe.Add(ref slot, 3 * row), a3);
                j += width;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TVector, T>(ref T destination, TVector value)
        where TVector : unmanaged
        where T : unmanaged =>
        Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref destination), value);

    private static void Save<TVector>(Span<TVector> state, TVector max0, TVector max1, TVector max2, TVector max3, TVector sum0, TVector sum1, TVector sum2, TVector sum3)
        where TVector : unmanaged
    {
        state[0] = max0;
        state[1] = max1;
        state[2] = max2;
        state[3] = max3;
        state[4] = sum0;
        state[5] = sum1;
        state[6] = sum2;
        state[7] = sum3;
    }

    /// <summary>
    /// Whether scores are formed around the float64 reference (float32): h_j arrives as a float32 value plus
    /// its float32 residual, the reference is a float32 value, so (h_j - r) + residual is computed from the
    /// float64 quantities with one rounding at the magnitude of the difference, not of h_j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Split<T>() => typeof(T) == typeof(float);

    /// <summary>
    /// One key vector for one query: score, maximum, and the exponential's contributions.
    /// <para>
    /// float64: s = h - scale d, the maximum of s, e = exp(s - r). float32: t = ((h - r) + residual) -
    /// scale d, the maximum of t (the caller adds r back in float64), e = exp(t). The float32 form keeps
    /// the rounding of a log-weight of magnitude 1/eps (2^-24 of it, 1e-4 at |h| ~ 2000) out of the
    /// exponent: the values that enter the exponential are differences near 0 formed before rounding.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TLanes, TVector, T>(
        in ReductionInput<T> input,
        in ExpConstants<TVector> c,
        int key,
        TVector distance,
        TVector h,
        TVector residual,
        TVector negScale,
        TVector reference,
        ref TVector max,
        ref TVector sum,
        Span<TVector> extras,
        int row,
        bool accumulate)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector score;
        if (Split<T>())
        {
            score = TLanes.MultiplyAdd(negScale, distance, TLanes.Add(TLanes.Subtract(h, reference), residual));
        }
        else
        {
            score = TLanes.MultiplyAdd(negScale, distance, h);
        }

        max = TLanes.Max(max, score);
        if (!accumulate)
        {
            return;
        }

        var e = LaneExponential.Exp<TLanes, TVector, T>(Split<T>() ? score : TLanes.Subtract(score, reference), c);
        sum = TLanes.Add(sum, e);
        if (extras.Length > 0)
        {
            AddExtras<TLanes, TVector, T>(input, key, e, distance, extras, row);
        }
    }

    /// <summary>u += e v_j per value component, w += e |x - y_j|^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddExtras<TLanes, TVector, T>(in ReductionInput<T> input, int key, TVector e, TVector distance, Span<TVector> extras, int row)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var perQuery = input.ExtrasPerQuery;
        ref var slot = ref Unsafe.Add(ref MemoryMarshal.GetReference(extras), row * perQuery);
        ref var v = ref MemoryMarshal.GetArrayDataReference(input.Values);
        var padded = input.Distances.Padded;
        for (var k = 0; k < input.ValueDimension; k++)
        {
            ref var u = ref Unsafe.Add(ref slot, k);
            u = TLanes.MultiplyAdd(e, TLanes.Load(ref v, (nuint)((k * padded) + key)), u);
        }

        if (input.WithMoment)
        {
            ref var w = ref Unsafe.Add(ref slot, perQuery - 1);
            w = TLanes.MultiplyAdd(e, distance, w);
        }
    }
}
