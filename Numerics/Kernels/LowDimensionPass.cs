using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Transport.Numerics.Kernels;

/// <summary>A dimension known when the kernel is compiled: the JIT unrolls the coordinates and drops the unused ones.</summary>
internal interface IFixedDimension
{
    /// <summary>d.</summary>
    static abstract int Value { get; }
}

/// <summary>d = 1.</summary>
internal readonly struct Dimension1 : IFixedDimension
{
    public static int Value => 1;
}

/// <summary>d = 2.</summary>
internal readonly struct Dimension2 : IFixedDimension
{
    public static int Value => 2;
}

/// <summary>d = 3.</summary>
internal readonly struct Dimension3 : IFixedDimension
{
    public static int Value => 3;
}

/// <summary>
/// The float32 tile pass of <see cref="FusedTilePass"/> for the commonest case, d &lt;= 3 with no weighted sums
/// and no moment (the log-sum-exp of a Sinkhorn half-step), written without anything the general pass needs per
/// key: the coordinates are unrolled for the fixed dimension, one query walks the tile at a time (with
/// d &lt;= 3 a key vector costs few loads, so sharing them across queries gains little, while one query
/// needs few registers: AVX2 has 16, and the general pass spills its sums), the maximum-only and the
/// summing loops are separate methods (no per-key branch on the pass kind or loop over extras), and tiles are
/// <see cref="TileSize"/> keys long (the per query and tile set-up spread over more keys). The same
/// loops over the tile's cached squared distances (<see cref="RunCached{TLanes, TVector, T}"/>) are the
/// exponential part of the float32 dot-product path (d &gt; 8), whose general steps kept the sums in memory.
/// <para>
/// float32 scores in base 2: t = ((h_j log2 e - r') + residual) - scale log2 e |x - y_j|^2 with the
/// log-weights pre-multiplied in float64 (<see cref="ReductionInput{T}.Base2LogWeights"/>) and the reference
/// r' = r log2 e rounded to float32, so the exponential is <see cref="LaneExponential.Exp2"/>: no multiply
/// by log2 e, an exact one-subtraction argument reduction and a degree-5 polynomial (21 vector operations
/// per key vector and query in all, against 24 for the natural-base form). The pass hands back the maximum
/// and the sum in natural units against the caller's reference (the sum is rescaled by exp(r' ln 2 - r), a
/// factor within 1e-4 of 1 computed in float64). float64 keeps the general pass.
/// </para>
/// </summary>
internal static class LowDimensionPass
{
    /// <summary>The largest dimension handled.</summary>
    public const int MaxDimension = 3;

    /// <summary>Keys per tile of the coordinate pass (<see cref="SoftmaxReduction.TileSize"/> elsewhere).</summary>
    public const int TileSize = 2048;

    /// <summary>Whether the pass runs for T (float32 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Base2<T>() => typeof(T) == typeof(float);

    /// <summary>Whether the input is scored in base 2 (float32 without weighted sums or moment): the base-2 log-weights exist.</summary>
    public static bool UsesBase2<T>(in ReductionInput<T> input)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Base2<T>() && input.ExtrasPerQuery == 0;

    /// <summary>Whether <see cref="Run{TLanes, TVector, T}"/> handles the input: base 2 and d &lt;= 3.</summary>
    public static bool Handles<T>(in ReductionInput<T> input)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        UsesBase2(input) && input.Distances.Dimension <= MaxDimension;

    /// <summary>
    /// Whether <see cref="RunCached{TLanes, TVector, T}"/> handles the input: base 2 (any d; the caller
    /// fills the distance cache, as the dot-product path does).
    /// </summary>
    public static bool HandlesCached<T>(in ReductionInput<T> input)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        UsesBase2(input);

    /// <summary>
    /// <see cref="Run{TLanes, TVector, T}"/> with the squared distances read from the tile's distance cache
    /// (row r at r x <see cref="SoftmaxReduction.TileSize"/> + key - <paramref name="tileStart"/>) instead of
    /// formed from coordinates: the exponential part of the dot-product path, one query at a time with
    /// nothing spilled.
    /// </summary>
    public static void RunCached<TLanes, TVector, T>(in ReductionInput<T> input, Span<T> distanceCache, int tileStart, int start, int end, ReadOnlySpan<double> refs, bool accumulate, Span<double> tileMax, Span<double> tileSum)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var c = LaneExponential.Base2Constants<TLanes, TVector, T>();
        for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
        {
            ref var row = ref Unsafe.Add(ref MemoryMarshal.GetReference(distanceCache), r * SoftmaxReduction.TileSize);
            var reference = T.CreateTruncating(refs[r] * LaneExponential.Log2E);
            var offset = double.CreateTruncating(reference);
            TVector max;
            if (accumulate)
            {
                CachedSums<TLanes, TVector, T>(input, ref row, tileStart, TLanes.Broadcast(reference), start, end, c, out max, out var sum);
                tileSum[r] += TLanes.SumAcross(sum) * Rescale((offset * LaneExponential.Ln2) - refs[r]);
            }
            else
            {
                max = CachedMaxima<TLanes, TVector, T>(input, ref row, tileStart, TLanes.Broadcast(reference), start, end);
            }

            tileMax[r] = Math.Max(tileMax[r], (offset + double.CreateTruncating(TLanes.MaxAcross(max))) * LaneExponential.Ln2);
        }
    }

    /// <summary>
    /// Raises <paramref name="tileMax"/> to the maximum score and adds the sum of exp(score - ref) into
    /// <paramref name="tileSum"/> (with <paramref name="accumulate"/>) for the four queries from
    /// <paramref name="query"/> over keys <paramref name="start"/> to <paramref name="end"/>.
    /// </summary>
    public static void Run<TLanes, TVector, T>(in ReductionInput<T> input, int query, int start, int end, ReadOnlySpan<double> refs, bool accumulate, Span<double> tileMax, Span<double> tileSum)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (input.Distances.Dimension)
        {
            case 1:
                Run<TLanes, TVector, T, Dimension1>(input, query, start, end, refs, accumulate, tileMax, tileSum);
                break;
            case 2:
                Run<TLanes, TVector, T, Dimension2>(input, query, start, end, refs, accumulate, tileMax, tileSum);
                break;
            default:
                Run<TLanes, TVector, T, Dimension3>(input, query, start, end, refs, accumulate, tileMax, tileSum);
                break;
        }
    }

    private static void Run<TLanes, TVector, T, TDim>(in ReductionInput<T> input, int query, int start, int end, ReadOnlySpan<double> refs, bool accumulate, Span<double> tileMax, Span<double> tileSum)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDim : IFixedDimension
    {
        var c = LaneExponential.Base2Constants<TLanes, TVector, T>();
        for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
        {
            var i = query + r;
            var x0 = Coordinate<TLanes, TVector, T, TDim>(input, i, 0);
            var x1 = Coordinate<TLanes, TVector, T, TDim>(input, i, 1);
            var x2 = Coordinate<TLanes, TVector, T, TDim>(input, i, 2);

            // The reference in base 2, rounded to float32; the scores are relative to it.
            var reference = T.CreateTruncating(refs[r] * LaneExponential.Log2E);
            var offset = double.CreateTruncating(reference);
            TVector max;
            if (accumulate)
            {
                Sums<TLanes, TVector, T, TDim>(input, x0, x1, x2, TLanes.Broadcast(reference), start, end, c, out max, out var sum);
                tileSum[r] += TLanes.SumAcross(sum) * Rescale((offset * LaneExponential.Ln2) - refs[r]);
            }
            else
            {
                max = Maxima<TLanes, TVector, T, TDim>(input, x0, x1, x2, TLanes.Broadcast(reference), start, end);
            }

            tileMax[r] = Math.Max(tileMax[r], (offset + double.CreateTruncating(TLanes.MaxAcross(max))) * LaneExponential.Ln2);
        }
    }

    /// <summary>
    /// e^delta for the difference between the base-2 reference and the caller's: a rounding of r log2 e, so
    /// tiny unless r is huge; the cubic Taylor polynomial is exact in float64 below 1e-4 (delta^4/24 &lt;
    /// 5e-18) and saves a call of Math.Exp per query and tile.
    /// </summary>
    private static double Rescale(double delta) =>
        Math.Abs(delta) < 1e-4 ? 1.0 + (delta * (1.0 + (delta * (0.5 + (delta / 6.0))))) : Math.Exp(delta);

    /// <summary>Coordinate <paramref name="k"/> of query <paramref name="query"/> in every lane (zero past d).</summary>
    private static TVector Coordinate<TLanes, TVector, T, TDim>(in ReductionInput<T> input, int query, int k)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDim : IFixedDimension =>
        k < TDim.Value ? TLanes.Broadcast(input.Distances.Queries[(query * TDim.Value) + k]) : TLanes.Zero;

    /// <summary>The maximum-only pass for one query: distances, scores and their maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TVector Maxima<TLanes, TVector, T, TDim>(in ReductionInput<T> input, TVector x0, TVector x1, TVector x2, TVector reference, int start, int end)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDim : IFixedDimension
    {
        var width = TLanes.Count;
        var stride = (nuint)input.Distances.Padded;
        var negScale = TLanes.Broadcast(input.Base2NegativeScale);
        ref var y = ref MemoryMarshal.GetArrayDataReference(input.Distances.Keys);
        ref var h = ref MemoryMarshal.GetArrayDataReference(input.Base2LogWeights);
        ref var low = ref MemoryMarshal.GetArrayDataReference(input.Base2Residuals);
        var max = TLanes.Broadcast(T.NegativeInfinity);
        for (var j = start; j < end; j += width)
        {
            max = TLanes.Max(max, Score<TLanes, TVector, T, TDim>(ref y, ref h, ref low, (nuint)j, stride, x0, x1, x2, reference, negScale));
        }

        return max;
    }

    /// <summary>The summing pass for one query: scores relative to the reference, their maximum and the sum of their powers of 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sums<TLanes, TVector, T, TDim>(in ReductionInput<T> input, TVector x0, TVector x1, TVector x2, TVector reference, int start, int end, in Exp2Constants<TVector> c, out TVector max, out TVector sum)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDim : IFixedDimension
    {
        var width = TLanes.Count;
        var stride = (nuint)input.Distances.Padded;
        var negScale = TLanes.Broadcast(input.Base2NegativeScale);
        ref var y = ref MemoryMarshal.GetArrayDataReference(input.Distances.Keys);
        ref var h = ref MemoryMarshal.GetArrayDataReference(input.Base2LogWeights);
        ref var low = ref MemoryMarshal.GetArrayDataReference(input.Base2Residuals);
        var maxA = TLanes.Broadcast(T.NegativeInfinity);
        var maxB = maxA;
        var sumA = TLanes.Zero;
        var sumB = sumA;
        var j = start;
        for (; j + (3 * width) < end; j += 4 * width)
        {
            var a = Score<TLanes, TVector, T, TDim>(ref y, ref h, ref low, (nuint)j, stride, x0, x1, x2, reference, negScale);
            var b = Score<TLanes, TVector, T, TDim>(ref y, ref h, ref low, (nuint)(j + width), stride, x0, x1, x2, reference, negScale);
            var e = Score<TLanes, TVector, T, TDim>(ref y, ref h, ref low, (nuint)(j + (2 * width)), stride, x0, x1, x2, reference, negScale);
            var f = Score<TLanes, TVector, T, TDim>(ref y, ref h, ref low, (nuint)(j + (3 * width)), stride, x0, x1, x2, reference, negScale);
            maxA = TLanes.Max(maxA, TLanes.Max(a, e));
            maxB = TLanes.Max(maxB, TLanes.Max(b, f));
            sumA = LaneExponential.AddExp2<TLanes, TVector, T>(e, c, LaneExponential.AddExp2<TLanes, TVector, T>(a, c, sumA));
            sumB = LaneExponential.AddExp2<TLanes, TVector, T>(f, c, LaneExponential.AddExp2<TLanes, TVector, T>(b, c, sumB));
        }

        for (; j < end; j += width)
        {
            var a = Score<TLanes, TVector, T, TDim>(ref y, ref h, ref low, (nuint)j, stride, x0, x1, x2, reference, negScale);
            maxA = TLanes.Max(maxA, a);
            sumA = LaneExponential.AddExp2<TLanes, TVector, T>(a, c, sumA);
        }

        max = TLanes.Max(maxA, maxB);
        sum = TLanes.Add(sumA, sumB);
    }

    /// <summary>The maximum-only pass over cached distances (<paramref name="row"/> indexed by key - <paramref name="tileStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TVector CachedMaxima<TLanes, TVector, T>(in ReductionInput<T> input, ref T row, int tileStart, TVector reference, int start, int end)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var width = TLanes.Count;
        var negScale = TLanes.Broadcast(input.Base2NegativeScale);
        ref var h = ref MemoryMarshal.GetArrayDataReference(input.Base2LogWeights);
        ref var low = ref MemoryMarshal.GetArrayDataReference(input.Base2Residuals);
        var max = TLanes.Broadcast(T.NegativeInfinity);
        for (var j = start; j < end; j += width)
        {
            max = TLanes.Max(max, CachedScore<TLanes, TVector, T>(ref row, ref h, ref low, (nuint)j, (nuint)(j - tileStart), reference, negScale));
        }

        return max;
    }

    /// <summary>The summing pass over cached distances (<paramref name="row"/> indexed by key - <paramref name="tileStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CachedSums<TLanes, TVector, T>(in ReductionInput<T> input, ref T row, int tileStart, TVector reference, int start, int end, in Exp2Constants<TVector> c, out TVector max, out TVector sum)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var width = TLanes.Count;
        var negScale = TLanes.Broadcast(input.Base2NegativeScale);
        ref var h = ref MemoryMarshal.GetArrayDataReference(input.Base2LogWeights);
        ref var low = ref MemoryMarshal.GetArrayDataReference(input.Base2Residuals);
        var maxA = TLanes.Broadcast(T.NegativeInfinity);
        var maxB = maxA;
        var sumA = TLanes.Zero;
        var sumB = sumA;
        var j = start;
        for (; j + (3 * width) < end; j += 4 * width)
        {
            var a = CachedScore<TLanes, TVector, T>(ref row, ref h, ref low, (nuint)j, (nuint)(j - tileStart), reference, negScale);
            var b = CachedScore<TLanes, TVector, T>(ref row, ref h, ref low, (nuint)(j + width), (nuint)(j + width - tileStart), reference, negScale);
            var e = CachedScore<TLanes, TVector, T>(ref row, ref h, ref low, (nuint)(j + (2 * width)), (nuint)(j + (2 * width) - tileStart), reference, negScale);
            var f = CachedScore<TLanes, TVector, T>(ref row, ref h, ref low, (nuint)(j + (3 * width)), (nuint)(j + (3 * width) - tileStart), reference, negScale);
            maxA = TLanes.Max(maxA, TLanes.Max(a, e));
            maxB = TLanes.Max(maxB, TLanes.Max(b, f));
            sumA = LaneExponential.AddExp2<TLanes, TVector, T>(e, c, LaneExponential.AddExp2<TLanes, TVector, T>(a, c, sumA));
            sumB = LaneExponential.AddExp2<TLanes, TVector, T>(f, c, LaneExponential.AddExp2<TLanes, TVector, T>(b, c, sumB));
        }

        for (; j < end; j += width)
        {
            var a = CachedScore<TLanes, TVector, T>(ref row, ref h, ref low, (nuint)j, (nuint)(j - tileStart), reference, negScale);
            maxA = TLanes.Max(maxA, a);
            sumA = LaneExponential.AddExp2<TLanes, TVector, T>(a, c, sumA);
        }

        max = TLanes.Max(maxA, maxB);
        sum = TLanes.Add(sumA, sumB);
    }

    /// <summary>((h - r) + residual) - scale d in base 2 with d from the cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector CachedScore<TLanes, TVector, T>(ref T row, ref T h, ref T low, nuint key, nuint local, TVector reference, TVector negScale)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var offset = TLanes.Add(TLanes.Subtract(TLanes.Load(ref h, key), reference), TLanes.Load(ref low, key));
        return TLanes.MultiplyAdd(negScale, TLanes.Load(ref row, local), offset);
    }

    /// <summary>
    /// ((h - r) + residual) - scale |x - y|^2 in base 2 (relative to the reference): h, residual and scale are the base-2 ones.
    /// Differences y - x are the negated x - y of the general pass: the same squares, bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Score<TLanes, TVector, T, TDim>(ref T y, ref T h, ref T low, nuint key, nuint stride, TVector x0, TVector x1, TVector x2, TVector reference, TVector negScale)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDim : IFixedDimension
    {
        var d0 = TLanes.Subtract(TLanes.Load(ref y, key), x0);
        var distance = TLanes.Multiply(d0, d0);
        if (TDim.Value >= 2)
        {
            var d1 = TLanes.Subtract(TLanes.Load(ref y, stride + key), x1);
            distance = TLanes.MultiplyAdd(d1, d1, distance);
        }

        if (TDim.Value >= 3)
        {
            var d2 = TLanes.Subtract(TLanes.Load(ref y, (2 * stride) + key), x2);
            distance = TLanes.MultiplyAdd(d2, d2, distance);
        }

        var hj = TLanes.Load(ref h, key);
        var offset = TLanes.Add(TLanes.Subtract(hj, reference), TLanes.Load(ref low, key));
        return TLanes.MultiplyAdd(negScale, distance, offset);
    }
}
