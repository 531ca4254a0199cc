using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Transport.Bench;

/// <summary>
/// Prototype (bench only) of a single-pass float32 softmax reduction for low dimension:
/// s_ij = h_j - scale |x_i - y_j|^2, accumulating m_i = max_j s_ij and z_i = sum_j exp(s_ij - m_i).
/// <para>
/// Differences from the library kernel: no score buffer and no separate subtract / exp / sum passes.
/// Each 8-key vector is scored for 4 queries, exp(s - r_i) is evaluated inline (own polynomial, in
/// registers) against a per-query reference r_i = the running maximum of the previous tiles, and added
/// to a vector accumulator. After each tile the tile maximum decides: if it does not exceed r_i + 64 the
/// tile's sum is exact up to rounding (no overflow possible) and is merged in float64 with one scalar
/// rescale; otherwise (first tile, or a jump of the maximum) the tile is recomputed with the new
/// reference. Terms more than ~86 below the reference are clamped to ~e^-86 relative, which is
/// negligible against the maximal term (relative 1e-37).
/// </para>
/// </summary>
internal sealed class FusedReduction
{
    public const int MaxDimension = 8;
    private const int Group = 4;
    private const int QueriesPerChunk = 32;
    private const float RecomputeMargin = 64f;

    private readonly float[] queries;
    private readonly float[] keys;
    private readonly int queryCount;
    private readonly int paddedQueries;
    private readonly int keyCount;
    private readonly int paddedKeys;
    private readonly int dimension;
    private readonly float[] logWeights;
    private readonly int tileSize;

    public FusedReduction(double[] queryPositions, double[] keyPositions, int queryCount, int keyCount, int dimension, bool wide = false, int tileSize = 1024)
    {
        if (tileSize % 16 != 0 || tileSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tileSize), "the tile size must be a positive multiple of 16");
        }

        this.tileSize = tileSize;
        Wide = wide && Vector512.IsHardwareAccelerated;
        if (dimension > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), $"the prototype handles d <= {MaxDimension}");
        }

        this.queryCount = queryCount;
        this.keyCount = keyCount;
        this.dimension = dimension;
        paddedQueries = (queryCount + Group - 1) / Group * Group;
        paddedKeys = (keyCount + 15) / 16 * 16;
        queries = new float[paddedQueries * dimension];
        for (var i = 0; i < paddedQueries; i++)
        {
            var source = Math.Min(i, queryCount - 1);
            for (var k = 0; k < dimension; k++)
            {
                queries[(i * dimension) + k] = (float)queryPositions[(source * dimension) + k];
            }
        }

        keys = new float[paddedKeys * dimension];
        for (var j = 0; j < keyCount; j++)
        {
            for (var k = 0; k < dimension; k++)
            {
                keys[(k * paddedKeys) + j] = (float)keyPositions[(j * dimension) + k];
            }
        }

        logWeights = new float[paddedKeys];
    }

    /// <summary>Whether the 16-lane (Vector512) tile loop is used.</summary>
    public bool Wide { get; }

    /// <summary>Writes m_i and z_i for every query; <paramref name="keyLogWeights"/> has one entry per real key.</summary>
    public void Reduce(float[] keyLogWeights, double scale, double[] max, double[] sum, int maxDegreeOfParallelism = -1)
    {
        keyLogWeights.AsSpan(0, keyCount).CopyTo(logWeights);
        logWeights.AsSpan(keyCount).Fill(float.NegativeInfinity);
        var chunks = (paddedQueries + QueriesPerChunk - 1) / QueriesPerChunk;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.For(0, chunks, parallel, chunk => ReduceChunk(chunk * QueriesPerChunk, Math.Min(QueriesPerChunk, paddedQueries - (chunk * QueriesPerChunk)), (float)scale, max, sum));
    }

    private void ReduceChunk(int start, int count, float scale, double[] maxOut, double[] sumOut)
    {
        Span<double> max = stackalloc double[QueriesPerChunk];
        Span<double> sum = stackalloc double[QueriesPerChunk];
        Span<float> tileMax = stackalloc float[Group];
        Span<float> tileSum = stackalloc float[Group];
        Span<float> reference = stackalloc float[Group];
        max.Fill(double.NegativeInfinity);
        sum.Clear();
        for (var tileStart = 0; tileStart < paddedKeys; tileStart += tileSize)
        {
            var length = Math.Min(tileSize, paddedKeys - tileStart);
            for (var group = 0; group < count; group += Group)
            {
                // The reference is the running maximum rounded to float; the float64 maximum stays exact.
                var recompute = false;
                for (var r = 0; r < Group; r++)
                {
                    reference[r] = double.IsNegativeInfinity(max[group + r]) ? float.PositiveInfinity : (float)max[group + r];
                }

                Tile(start + group, tileStart, length, scale, reference, tileMax, tileSum);
                for (var r = 0; r < Group; r++)
                {
                    if (tileMax[r] > reference[r] + RecomputeMargin || float.IsPositiveInfinity(reference[r]))
                    {
                        recompute = true;
                    }
                }

                if (recompute)
                {
                    for (var r = 0; r < Group; r++)
                    {
                        reference[r] = Math.Max(tileMax[r], float.IsPositiveInfinity(reference[r]) ? float.NegativeInfinity : reference[r]);
                    }

                    Tile(start + group, tileStart, length, scale, reference, tileMax, tileSum);
                }

                for (var r = 0; r < Group; r++)
                {
                    var local = group + r;
                    if (float.IsNegativeInfinity(tileMax[r]))
                    {
                        continue;
                    }

                    // Tile partial (m', z') = (reference, tileSum) merged with the associative rule.
                    double otherMax = reference[r];
                    double otherSum = tileSum[r];
                    if (double.IsNegativeInfinity(max[local]))
                    {
                        max[local] = otherMax;
                        sum[local] = otherSum;
                        continue;
                    }

                    var newMax = Math.Max(max[local], otherMax);
                    sum[local] = (sum[local] * Math.Exp(max[local] - newMax)) + (otherSum * Math.Exp(otherMax - newMax));
                    max[local] = newMax;
                    if (tileMax[r] > newMax)
                    {
                        // Keep m the true maximum (within the margin this is only a rescale).
                        sum[local] *= Math.Exp(newMax - tileMax[r]);
                        max[local] = tileMax[r];
                    }
                }
            }
        }

        var realEnd = Math.Min(count, queryCount - start);
        for (var local = 0; local < realEnd; local++)
        {
            maxOut[start + local] = max[local];
            sumOut[start + local] = sum[local];
        }
    }

    private void Tile(int query, int tileStart, int length, float scale, ReadOnlySpan<float> reference, Span<float> tileMax, Span<float> tileSum)
    {
        if (Wide)
        {
            Tile512(query, tileStart, length, scale, reference, tileMax, tileSum);
        }
        else
        {
            Tile256(query, tileStart, length, scale, reference, tileMax, tileSum);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile256(int query, int tileStart, int length, float scale, ReadOnlySpan<float> reference, Span<float> tileMax, Span<float> tileSum)
    {
        var d = dimension;
        ref var x = ref MemoryMarshal.GetArrayDataReference(queries);
        ref var y = ref MemoryMarshal.GetArrayDataReference(keys);
        ref var h = ref MemoryMarshal.GetArrayDataReference(logWeights);
        var x0 = query * d;
        var negScale = Vector256.Create(-scale);
        var ref0 = Vector256.Create(reference[0]);
        var ref1 = Vector256.Create(reference[1]);
        var ref2 = Vector256.Create(reference[2]);
        var ref3 = Vector256.Create(reference[3]);
        var max0 = Vector256.Create(float.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        var sum0 = Vector256<float>.Zero;
        var sum1 = sum0;
        var sum2 = sum0;
        var sum3 = sum0;
        for (var j = 0; j < length; j += 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = acc0;
            var acc2 = acc0;
            var acc3 = acc0;
            for (var k = 0; k < d; k++)
            {
                var yk = Vector256.LoadUnsafe(ref y, (nuint)((k * paddedKeys) + tileStart + j));
                var d0 = Vector256.Create(Unsafe.Add(ref x, x0 + k)) - yk;
                var d1 = Vector256.Create(Unsafe.Add(ref x, x0 + d + k)) - yk;
                var d2 = Vector256.Create(Unsafe.Add(ref x, x0 + (2 * d) + k)) - yk;
                var d3 = Vector256.Create(Unsafe.Add(ref x, x0 + (3 * d) + k)) - yk;
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
                acc2 = Vector256.FusedMultiplyAdd(d2, d2, acc2);
                acc3 = Vector256.FusedMultiplyAdd(d3, d3, acc3);
            }

            var hj = Vector256.LoadUnsafe(ref h, (nuint)(tileStart + j));
            var s0 = Vector256.FusedMultiplyAdd(negScale, acc0, hj);
            var s1 = Vector256.FusedMultiplyAdd(negScale, acc1, hj);
            var s2 = Vector256.FusedMultiplyAdd(negScale, acc2, hj);
            var s3 = Vector256.FusedMultiplyAdd(negScale, acc3, hj);
            max0 = Vector256.Max(max0, s0);
            max1 = Vector256.Max(max1, s1);
            max2 = Vector256.Max(max2, s2);
            max3 = Vector256.Max(max3, s3);
            sum0 += FastExp.Exp(s0 - ref0);
            sum1 += FastExp.Exp(s1 - ref1);
            sum2 += FastExp.Exp(s2 - ref2);
            sum3 += FastExp.Exp(s3 - ref3);
        }

        tileMax[0] = HorizontalMax(max0);
        tileMax[1] = HorizontalMax(max1);
        tileMax[2] = HorizontalMax(max2);
        tileMax[3] = HorizontalMax(max3);
        tileSum[0] = Vector256.Sum(sum0);
        tileSum[1] = Vector256.Sum(sum1);
        tileSum[2] = Vector256.Sum(sum2);
        tileSum[3] = Vector256.Sum(sum3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile512(int query, int tileStart, int length, float scale, ReadOnlySpan<float> reference, Span<float> tileMax, Span<float> tileSum)
    {
        var d = dimension;
        ref var x = ref MemoryMarshal.GetArrayDataReference(queries);
        ref var y = ref MemoryMarshal.GetArrayDataReference(keys);
        ref var h = ref MemoryMarshal.GetArrayDataReference(logWeights);
        var x0 = query * d;
        var negScale = Vector512.Create(-scale);
        var ref0 = Vector512.Create(reference[0]);
        var ref1 = Vector512.Create(reference[1]);
        var ref2 = Vector512.Create(reference[2]);
        var ref3 = Vector512.Create(reference[3]);
        var max0 = Vector512.Create(float.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        var sum0 = Vector512<float>.Zero;
        var sum1 = sum0;
        var sum2 = sum0;
        var sum3 = sum0;
        for (var j = 0; j < length; j += 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = acc0;
            var acc2 = acc0;
            var acc3 = acc0;
            for (var k = 0; k < d; k++)
            {
                var yk = Vector512.LoadUnsafe(ref y, (nuint)((k * paddedKeys) + tileStart + j));
                var d0 = Vector512.Create(Unsafe.Add(ref x, x0 + k)) - yk;
                var d1 = Vector512.Create(Unsafe.Add(ref x, x0 + d + k)) - yk;
                var d2 = Vector512.Create(Unsafe.Add(ref x, x0 + (2 * d) + k)) - yk;
                var d3 = Vector512.Create(Unsafe.Add(ref x, x0 + (3 * d) + k)) - yk;
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
                acc2 = Vector512.FusedMultiplyAdd(d2, d2, acc2);
                acc3 = Vector512.FusedMultiplyAdd(d3, d3, acc3);
            }

            var hj = Vector512.LoadUnsafe(ref h, (nuint)(tileStart + j));
            var s0 = Vector512.FusedMultiplyAdd(negScale, acc0, hj);
            var s1 = Vector512.FusedMultiplyAdd(negScale, acc1, hj);
            var s2 = Vector512.FusedMultiplyAdd(negScale, acc2, hj);
            var s3 = Vector512.FusedMultiplyAdd(negScale, acc3, hj);
            max0 = Vector512.Max(max0, s0);
            max1 = Vector512.Max(max1, s1);
            max2 = Vector512.Max(max2, s2);
            max3 = Vector512.Max(max3, s3);
            sum0 += FastExp.Exp(s0 - ref0);
            sum1 += FastExp.Exp(s1 - ref1);
            sum2 += FastExp.Exp(s2 - ref2);
            sum3 += FastExp.Exp(s3 - ref3);
        }

        tileMax[0] = HorizontalMax(max0);
        tileMax[1] = HorizontalMax(max1);
        tileMax[2] = HorizontalMax(max2);
        tileMax[3] = HorizontalMax(max3);
        tileSum[0] = Vector512.Sum(sum0);
        tileSum[1] = Vector512.Sum(sum1);
        tileSum[2] = Vector512.Sum(sum2);
        tileSum[3] = Vector512.Sum(sum3);
    }

    private static float HorizontalMax(Vector512<float> v) => HorizontalMax(Vector256.Max(v.GetLower(), v.GetUpper()));

    private static float HorizontalMax(Vector256<float> v)
    {
        var half = Vector128.Max(v.GetLower(), v.GetUpper());
        var max = half.GetElement(0);
        for (var lane = 1; lane < 4; lane++)
        {
            max = Math.Max(max, half.GetElement(lane));
        }

        return max;
    }
}
