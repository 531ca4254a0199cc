using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// The hot path of <see cref="SoftmaxReduction"/> when only the log-sum-exp is wanted (no weighted sums,
/// no moment) in low dimension (coordinate differences): every Sinkhorn half-step. Scores never go to memory: for a group of queries each key
/// vector's scores are formed in registers, exponentiated against a per-query reference r and summed.
/// <para>
/// The reference is the maximum of the first non-empty tile and is raised only when a later tile's
/// maximum exceeds it by more than a margin (64 in float32, 512 in float64, far from overflow for a
/// tile's sum); that tile is then recomputed with the new reference. Terms above the reference are
/// exact, so the partial (r, z) is exact; at the end it is re-expressed against the true maximum so the
/// output matches the buffered path's contract (m = max score). The order of every sum is fixed.
/// </para>
/// </summary>
internal static class SinglePassReduction
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReduceChunk<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        double scale,
        SoftmaxPartials output,
        int chunkStart,
        int chunkCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var margin = typeof(T) == typeof(float) ? 64.0 : 512.0;
        var reference = new double[chunkCount];
        var trueMax = new double[chunkCount];
        var sum = new double[chunkCount];
        Array.Fill(reference, double.NegativeInfinity);
        Array.Fill(trueMax, double.NegativeInfinity);
        Span<double> tileMax = stackalloc double[SoftmaxReduction.QueryGroup];
        Span<double> tileSum = stackalloc double[SoftmaxReduction.QueryGroup];
        Span<double> redoMax = stackalloc double[SoftmaxReduction.QueryGroup];
        Span<double> redoSum = stackalloc double[SoftmaxReduction.QueryGroup];
        Span<double> refs = stackalloc double[SoftmaxReduction.QueryGroup];

        for (var tileStart = 0; tileStart < keys.PaddedCount; tileStart += SoftmaxReduction.TileSize)
        {
            var length = Math.Min(SoftmaxReduction.TileSize, keys.PaddedCount - tileStart);
            for (var group = 0; group < chunkCount; group += SoftmaxReduction.QueryGroup)
            {
                var query = chunkStart + group;
                var unset = false;
                for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
                {
                    unset |= double.IsNegativeInfinity(reference[group + r]);
                }

                if (unset)
                {
                    // First non-empty tile of some query: its maximum becomes the reference.
                    Pass(queries, keys, logWeights, scale, query, tileStart, length, ZeroReferences(refs), accumulate: false, tileMax, tileSum);
                    for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
                    {
                        if (double.IsNegativeInfinity(reference[group + r]))
                        {
                            reference[group + r] = tileMax[r];
                        }
                    }
                }

                var redo = false;
                for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
                {
                    refs[r] = double.IsNegativeInfinity(reference[group + r]) ? 0.0 : reference[group + r];
                }

                Pass(queries, keys, logWeights, scale, query, tileStart, length, refs, accumulate: true, tileMax, tileSum);
                for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
                {
                    redo |= tileMax[r] > refs[r] + margin;
                }

                if (redo)
                {
                    for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
                    {
                        if (tileMax[r] > refs[r] + margin)
                        {
                            var local = group + r;
                            sum[local] *= Math.Exp(reference[local] - tileMax[r]);
                            reference[local] = tileMax[r];
                            refs[r] = tileMax[r];
                        }
                    }

                    Pass(queries, keys, logWeights, scale, query, tileStart, length, refs, accumulate: true, redoMax, redoSum);
                    redoSum.CopyTo(tileSum);
                }

                for (var r = 0; r < SoftmaxReduction.QueryGroup; r++)
                {
                    if (double.IsNegativeInfinity(tileMax[r]))
                    {
                        continue;
                    }

                    var local = group + r;
                    sum[local] += tileSum[r];
                    trueMax[local] = Math.Max(trueMax[local], tileMax[r]);
                }
            }
        }

        var realEnd = Math.Min(chunkCount, queries.Count - chunkStart);
        for (var local = 0; local < realEnd; local++)
        {
            if (double.IsNegativeInfinity(trueMax[local]) || sum[local] == 0)
            {
                continue;
            }

            output.Merge(chunkStart + local, trueMax[local], sum[local] * Math.Exp(reference[local] - trueMax[local]), [], 0.0);
        }
    }

    private static Span<double> ZeroReferences(Span<double> refs)
    {
        refs.Clear();
        return refs;
    }

    /// <summary>
    /// One pass of a query group over a tile: the tile maximum of each query's scores and, with
    /// <paramref name="accumulate"/>, sum_j exp(s_j - ref).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        double scale,
        int query,
        int tileStart,
        int length,
        ReadOnlySpan<double> refs,
        bool accumulate,
        Span<double> tileMax,
        Span<double> tileSum)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var d = keys.Dimension;
        var padded = keys.PaddedCount;
        var width = Vector256<T>.Count;
        var negScale = Vector256.Create(T.CreateTruncating(-scale));
        ref var x = ref MemoryMarshal.GetArrayDataReference(queries.Coordinates);
        var x0 = query * d;
        ref var y = ref MemoryMarshal.GetArrayDataReference(keys.Coordinates);
        ref var h = ref MemoryMarshal.GetArrayDataReference(logWeights);
        var r0 = Vector256.Create(T.CreateTruncating(refs[0]));
        var r1 = Vector256.Create(T.CreateTruncating(refs[1]));
        var r2 = Vector256.Create(T.CreateTruncating(refs[2]));
        var r3 = Vector256.Create(T.CreateTruncating(refs[3]));
        var max0 = Vector256.Create(T.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        var sum0 = Vector256<T>.Zero;
        var sum1 = Vector256<T>.Zero;
        var sum2 = Vector256<T>.Zero;
        var sum3 = Vector256<T>.Zero;
        for (var j = 0; j < length; j += width)
        {
            VectorMath.SquaredDistances4(ref x, x0, d, ref y, padded, tileStart + j, out var acc0, out var acc1, out var acc2, out var acc3);

            var hj = Vector256.LoadUnsafe(ref h, (nuint)(tileStart + j));
            var s0 = VectorMath.MultiplyAdd(negScale, acc0, hj);
            var s1 = VectorMath.MultiplyAdd(negScale, acc1, hj);
            var s2 = VectorMath.MultiplyAdd(negScale, acc2, hj);
            var s3 = VectorMath.MultiplyAdd(negScale, acc3, hj);
            max0 = Vector256.Max(max0, s0);
            max1 = Vector256.Max(max1, s1);
            max2 = Vector256.Max(max2, s2);
            max3 = Vector256.Max(max3, s3);
            if (accumulate)
            {
                sum0 += FusedExponential.Exp(s0 - r0);
                sum1 += FusedExponential.Exp(s1 - r1);
                sum2 += FusedExponential.Exp(s2 - r2);
                sum3 += FusedExponential.Exp(s3 - r3);
            }
        }

        tileMax[0] = double.CreateTruncating(VectorMath.HorizontalMax(max0));
        tileMax[1] = double.CreateTruncating(VectorMath.HorizontalMax(max1));
        tileMax[2] = double.CreateTruncating(VectorMath.HorizontalMax(max2));
        tileMax[3] = double.CreateTruncating(VectorMath.HorizontalMax(max3));
        tileSum[0] = FusedExponential.HorizontalSum(sum0);
        tileSum[1] = FusedExponential.HorizontalSum(sum1);
        tileSum[2] = FusedExponential.HorizontalSum(sum2);
        tileSum[3] = FusedExponential.HorizontalSum(sum3);
    }
}
