using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// The one primitive of the engine (architecture.md section 2): for queries x_i against keys y_j with
/// per-key log-weights h_j, accumulate the max-stabilised partials of
/// s_ij = h_j - scale * |x_i - y_j|^2 into a <see cref="SoftmaxPartials"/>.
/// <para>
/// Work is tiled: a chunk of queries walks the keys tile by tile; for each group of
/// <see cref="QueryGroup"/> queries the scores of a tile are written into a small buffer that stays in
/// L1 (together with the tile maximum), then one vectorised exp and sum run over the buffer and the
/// tile partial is merged into the running partial with the associative rule. No N x M array is ever
/// allocated. Chunks of queries run in parallel; each query's result depends only on the key order,
/// never on how queries are split across threads, shards or machines.
/// </para>
/// Low dimension (d &lt;= <see cref="DotProductThreshold"/>) forms differences coordinate by
/// coordinate; higher dimension uses |x|^2 + |y|^2 - 2 &lt;x, y&gt; with fused multiply-adds.
/// </summary>
public static class SoftmaxReduction
{
    /// <summary>Queries scored together against each key vector (register blocking).</summary>
    public const int QueryGroup = 4;

    /// <summary>Keys per tile: 4 score rows of this length stay in L1.</summary>
    public const int TileSize = 512;

    /// <summary>Dimensions above this use the dot-product formulation.</summary>
    public const int DotProductThreshold = 8;

    /// <summary>Queries handled by one parallel work item (the key tile is reused across them).</summary>
    private const int QueriesPerChunk = 32;

    /// <summary>
    /// Accumulates into <paramref name="output"/> the partials of s_ij = h_j - scale * |x_i - y_j|^2
    /// over all keys. <paramref name="logWeights"/> has at least <see cref="KeyPoints{T}.PaddedCount"/> entries,
    /// minus infinity for padding and for keys that must not contribute (zero weight).
    /// <paramref name="values"/> (optional) holds per-key vectors in the layout of
    /// <see cref="KeyPoints{T}.LayoutValues"/>; its dimension must equal <see cref="SoftmaxPartials.ValueDimension"/>.
    /// Results are merged into whatever <paramref name="output"/> already holds (initially neutral).
    /// </summary>
    public static void Reduce<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        double scale,
        SoftmaxPartials output,
        T[]? values = null,
        int maxDegreeOfParallelism = -1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(logWeights);
        ArgumentNullException.ThrowIfNull(output);
        if (queries.Dimension != keys.Dimension)
        {
            throw new ArgumentException($"query dimension {queries.Dimension} differs from key dimension {keys.Dimension}");
        }

        // Longer buffers are allowed (a reused per-thread buffer); only the first PaddedCount entries are read.
        if (logWeights.Length < keys.PaddedCount)
        {
            throw new ArgumentException($"expected {keys.PaddedCount} log-weights, got {logWeights.Length}", nameof(logWeights));
        }

        if (output.Count != queries.Count)
        {
            throw new ArgumentException($"output holds {output.Count} queries, expected {queries.Count}", nameof(output));
        }

        var valueDimension = output.ValueDimension;
        if (valueDimension > 0 && (values is null || values.Length != valueDimension * keys.PaddedCount))
        {
            throw new ArgumentException("values do not match the output's value dimension", nameof(values));
        }

        if (queries.Count == 0 || keys.Count == 0)
        {
            return;
        }

        var chunks = (queries.PaddedCount + QueriesPerChunk - 1) / QueriesPerChunk;
        if (maxDegreeOfParallelism == 1 || chunks == 1)
        {
            // Small blocks (block-sparse rows) call this once per row: no parallel loop set-up.
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                ReduceOneChunk(queries, keys, logWeights, scale, output, values, chunk);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.For(0, chunks, options, chunk => ReduceOneChunk(queries, keys, logWeights, scale, output, values, chunk));
    }

    private static void ReduceOneChunk<T>(QueryPoints<T> queries, KeyPoints<T> keys, T[] logWeights, double scale, SoftmaxPartials output, T[]? values, int chunk)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var start = chunk * QueriesPerChunk;
        var count = Math.Min(QueriesPerChunk, queries.PaddedCount - start);
        // Low-dimensional log-sum-exp (every Sinkhorn half-step) runs in one pass without a score
        // buffer; measured 1.4x (float32) and 1.15x (float64) faster at d = 3, but slower on the
        // register-hungry dot-product path, which keeps the buffered loop.
        if (output.ValueDimension == 0 && !output.HasMoment && keys.Dimension <= DotProductThreshold)
        {
            SinglePassReduction.ReduceChunk(queries, keys, logWeights, scale, output, start, count);
        }
        else
        {
            ReduceChunk(queries, keys, logWeights, scale, output, values, start, count);
        }
    }

    // Fully optimised from the first call: a short run would otherwise spend its time in tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReduceChunk<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        double scale,
        SoftmaxPartials output,
        T[]? values,
        int chunkStart,
        int chunkCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var valueDimension = output.ValueDimension;
        var withMoment = output.HasMoment;
        var scores = new T[QueryGroup * TileSize];
        var distances = withMoment ? new T[QueryGroup * TileSize] : [];
        var tileMax = new T[QueryGroup];
        var max = new double[chunkCount];
        var sum = new double[chunkCount];
        var weighted = new double[chunkCount * valueDimension];
        var moment = new double[withMoment ? chunkCount : 0];
        Array.Fill(max, double.NegativeInfinity);
        var useDot = keys.Dimension > DotProductThreshold;

        for (var tileStart = 0; tileStart < keys.PaddedCount; tileStart += TileSize)
        {
            var length = Math.Min(TileSize, keys.PaddedCount - tileStart);
            for (var group = 0; group < chunkCount; group += QueryGroup)
            {
                var query = chunkStart + group;
                if (useDot)
                {
                    ScoreGroupDot(queries, keys, logWeights, scale, query, tileStart, length, scores, distances, tileMax);
                }
                else
                {
                    ScoreGroupDifferences(queries, keys, logWeights, scale, query, tileStart, length, scores, distances, tileMax);
                }

                for (var r = 0; r < QueryGroup; r++)
                {
                    var tmax = double.CreateTruncating(tileMax[r]);
                    if (double.IsNegativeInfinity(tmax))
                    {
                        continue;
                    }

                    var local = group + r;
                    var newMax = Math.Max(max[local], tmax);
                    var rescale = Math.Exp(max[local] - newMax);
                    max[local] = newMax;
                    var row = scores.AsSpan(r * TileSize, length);
                    var store = valueDimension > 0 || withMoment;
                    var tileSum = FusedExponential.SumExp(row, T.CreateTruncating(newMax), store);
                    sum[local] = (sum[local] * rescale) + tileSum;
                    for (var k = 0; k < valueDimension; k++)
                    {
                        var keyValues = values.AsSpan((k * keys.PaddedCount) + tileStart, length);
                        ref var u = ref weighted[(local * valueDimension) + k];
                        u = (u * rescale) + FusedExponential.Dot<T>(row, keyValues);
                    }

                    if (withMoment)
                    {
                        var dist = distances.AsSpan(r * TileSize, length);
                        moment[local] = (moment[local] * rescale) + FusedExponential.Dot<T>(row, dist);
                    }
                }
            }
        }

        var realEnd = Math.Min(chunkCount, queries.Count - chunkStart);
        for (var local = 0; local < realEnd; local++)
        {
            output.Merge(
                chunkStart + local,
                max[local],
                sum[local],
                weighted.AsSpan(local * valueDimension, valueDimension),
                withMoment ? moment[local] : 0.0);
        }
    }

    /// <summary>Scores by coordinate differences: s = h - scale * sum_k (x_k - y_k)^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreGroupDifferences<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        double scale,
        int query,
        int tileStart,
        int length,
        T[] scores,
        T[] distances,
        T[] tileMax)
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
        ref var s = ref MemoryMarshal.GetArrayDataReference(scores);
        ref var dist = ref MemoryMarshal.GetArrayDataReference(distances);
        var keepDistances = distances.Length > 0;
        var max0 = Vector256.Create(T.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        for (var j = 0; j < length; j += width)
        {
            VectorMath.SquaredDistances4(ref x, x0, d, ref y, padded, tileStart + j, out var acc0, out var acc1, out var acc2, out var acc3);

            StoreScores(ref h, ref s, ref dist, keepDistances, negScale, tileStart, j, acc0, acc1, acc2, acc3, ref max0, ref max1, ref max2, ref max3);
        }

        tileMax[0] = VectorMath.HorizontalMax(max0);
        tileMax[1] = VectorMath.HorizontalMax(max1);
        tileMax[2] = VectorMath.HorizontalMax(max2);
        tileMax[3] = VectorMath.HorizontalMax(max3);
    }

    /// <summary>Scores by dot products: |x - y|^2 = |x|^2 + |y|^2 - 2 &lt;x, y&gt; (clamped at zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreGroupDot<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        double scale,
        int query,
        int tileStart,
        int length,
        T[] scores,
        T[] distances,
        T[] tileMax)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var d = keys.Dimension;
        var padded = keys.PaddedCount;
        var width = Vector256<T>.Count;
        var negScale = Vector256.Create(T.CreateTruncating(-scale));
        var minusTwo = Vector256.Create(T.CreateTruncating(-2.0));
        ref var x = ref MemoryMarshal.GetArrayDataReference(queries.Coordinates);
        var x0 = query * d;
        var n0 = Vector256.Create(T.CreateTruncating(queries.SquaredNorms[query]));
        var n1 = Vector256.Create(T.CreateTruncating(queries.SquaredNorms[query + 1]));
        var n2 = Vector256.Create(T.CreateTruncating(queries.SquaredNorms[query + 2]));
        var n3 = Vector256.Create(T.CreateTruncating(queries.SquaredNorms[query + 3]));
        ref var y = ref MemoryMarshal.GetArrayDataReference(keys.Coordinates);
        ref var yn = ref MemoryMarshal.GetArrayDataReference(keys.SquaredNorms);
        ref var h = ref MemoryMarshal.GetArrayDataReference(logWeights);
        ref var s = ref MemoryMarshal.GetArrayDataReference(scores);
        ref var dist = ref MemoryMarshal.GetArrayDataReference(distances);
        var keepDistances = distances.Length > 0;
        var max0 = Vector256.Create(T.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        for (var j = 0; j < length; j += width)
        {
            var dot0 = Vector256<T>.Zero;
            var dot1 = Vector256<T>.Zero;
            var dot2 = Vector256<T>.Zero;
            var dot3 = Vector256<T>.Zero;
            for (var k = 0; k < d; k++)
            {
                var yk = Vector256.LoadUnsafe(ref y, (nuint)((k * padded) + tileStart + j));
                dot0 = VectorMath.MultiplyAdd(Vector256.Create(Unsafe.Add(ref x, x0 + k)), yk, dot0);
                dot1 = VectorMath.MultiplyAdd(Vector256.Create(Unsafe.Add(ref x, x0 + d + k)), yk, dot1);
                dot2 = VectorMath.MultiplyAdd(Vector256.Create(Unsafe.Add(ref x, x0 + (2 * d) + k)), yk, dot2);
                dot3 = VectorMath.MultiplyAdd(Vector256.Create(Unsafe.Add(ref x, x0 + (3 * d) + k)), yk, dot3);
            }

            var ynj = Vector256.LoadUnsafe(ref yn, (nuint)(tileStart + j));
            var acc0 = Vector256.Max(VectorMath.MultiplyAdd(minusTwo, dot0, n0 + ynj), Vector256<T>.Zero);
            var acc1 = Vector256.Max(VectorMath.MultiplyAdd(minusTwo, dot1, n1 + ynj), Vector256<T>.Zero);
            var acc2 = Vector256.Max(VectorMath.MultiplyAdd(minusTwo, dot2, n2 + ynj), Vector256<T>.Zero);
            var acc3 = Vector256.Max(VectorMath.MultiplyAdd(minusTwo, dot3, n3 + ynj), Vector256<T>.Zero);
            StoreScores(ref h, ref s, ref dist, keepDistances, negScale, tileStart, j, acc0, acc1, acc2, acc3, ref max0, ref max1, ref max2, ref max3);
        }

        tileMax[0] = VectorMath.HorizontalMax(max0);
        tileMax[1] = VectorMath.HorizontalMax(max1);
        tileMax[2] = VectorMath.HorizontalMax(max2);
        tileMax[3] = VectorMath.HorizontalMax(max3);
    }

    /// <summary>s = h - scale * dist for four rows, tracking each row's maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScores<T>(
        ref T h,
        ref T s,
        ref T dist,
        bool keepDistances,
        Vector256<T> negScale,
        int tileStart,
        int j,
        Vector256<T> acc0,
        Vector256<T> acc1,
        Vector256<T> acc2,
        Vector256<T> acc3,
        ref Vector256<T> max0,
        ref Vector256<T> max1,
        ref Vector256<T> max2,
        ref Vector256<T> max3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var hj = Vector256.LoadUnsafe(ref h, (nuint)(tileStart + j));
        var s0 = VectorMath.MultiplyAdd(negScale, acc0, hj);
        var s1 = VectorMath.MultiplyAdd(negScale, acc1, hj);
        var s2 = VectorMath.MultiplyAdd(negScale, acc2, hj);
        var s3 = VectorMath.MultiplyAdd(negScale, acc3, hj);
        s0.StoreUnsafe(ref s, (nuint)j);
        s1.StoreUnsafe(ref s, (nuint)(TileSize + j));
        s2.StoreUnsafe(ref s, (nuint)((2 * TileSize) + j));
        s3.StoreUnsafe(ref s, (nuint)((3 * TileSize) + j));
        max0 = Vector256.Max(max0, s0);
        max1 = Vector256.Max(max1, s1);
        max2 = Vector256.Max(max2, s2);
        max3 = Vector256.Max(max3, s3);
        if (keepDistances)
        {
            acc0.StoreUnsafe(ref dist, (nuint)j);
            acc1.StoreUnsafe(ref dist, (nuint)(TileSize + j));
            acc2.StoreUnsafe(ref dist, (nuint)((2 * TileSize) + j));
            acc3.StoreUnsafe(ref dist, (nuint)((3 * TileSize) + j));
        }
    }
}
