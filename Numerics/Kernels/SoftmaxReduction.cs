using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// The one primitive of the engine (architecture.md section 2): for queries x_i against keys y_j with
/// per-key log-weights h_j, accumulate the max-stabilised partials of
/// s_ij = h_j - scale * |x_i - y_j|^2 into a <see cref="SoftmaxPartials"/>.
/// <para>
/// Work is tiled and fused: a chunk of queries walks the keys tile by tile; for each group of
/// <see cref="QueryGroup"/> queries the scores of a key vector are formed in registers, exponentiated
/// against a per-query reference and summed, together with the weighted value sums and the moment,
/// in one pass (see the internal FusedChunkReduction for the reference rule). No score buffer and no
/// N x M array exist. Chunks of queries run in parallel; each query's result depends only on the key
/// order, never on how queries are split across threads, shards or machines.
/// </para>
/// <para>
/// The vector width follows the hardware: Vector512 with AVX-512, else Vector256 (AVX2), else
/// Vector128. Low dimension (d &lt;= <see cref="DotProductThreshold"/>) forms differences coordinate by
/// coordinate; higher dimension uses |x|^2 + |y|^2 - 2 &lt;x, y&gt; in a register-blocked micro-kernel.
/// </para>
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
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T> =>
        Reduce(queries, keys, logWeights, null, scale, output, values, maxDegreeOfParallelism, KernelPath.Automatic);

    /// <summary>
    /// <see cref="Reduce{T}(QueryPoints{T}, KeyPoints{T}, T[], double, SoftmaxPartials, T[], int)"/> with
    /// log-weights given to more than T's precision: h_j = <paramref name="logWeights"/>[j] +
    /// <paramref name="logWeightResiduals"/>[j] (see <see cref="SplitLogWeights{T}"/>). The float32 kernel
    /// forms every score as a difference from a per-query float64 reference before any rounding at the
    /// magnitude of h_j, so log-weights of size 1/eps keep float32's relative accuracy on the differences
    /// that enter the exponential. The float64 kernel ignores the residuals (null is allowed).
    /// </summary>
    public static void Reduce<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        T[]? logWeightResiduals,
        double scale,
        SoftmaxPartials output,
        T[]? values = null,
        int maxDegreeOfParallelism = -1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T> =>
        Reduce(queries, keys, logWeights, logWeightResiduals, scale, output, values, maxDegreeOfParallelism, KernelPath.Automatic);

    /// <summary>
    /// Writes h_j = <paramref name="logWeights"/>[j] in two values of T: <paramref name="high"/>[j] = h_j
    /// rounded to T and <paramref name="residual"/>[j] = h_j - high[j] rounded to T (zero when T is
    /// float64, or h_j is infinite). Entries past <paramref name="logWeights"/> are left alone.
    /// </summary>
    public static void SplitLogWeights<T>(ReadOnlySpan<double> logWeights, Span<T> high, Span<T> residual)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (high.Length < logWeights.Length || residual.Length < logWeights.Length)
        {
            throw new ArgumentException("the destinations are shorter than the log-weights");
        }

        for (var j = 0; j < logWeights.Length; j++)
        {
            var h = logWeights[j];
            var rounded = T.CreateTruncating(h);
            high[j] = rounded;
            residual[j] = double.IsFinite(h) ? T.CreateTruncating(h - double.CreateTruncating(rounded)) : T.Zero;
        }
    }

    /// <summary>
    /// <see cref="Reduce{T}(QueryPoints{T}, KeyPoints{T}, T[], T[], double, SoftmaxPartials, T[], int)"/> on a
    /// chosen vector width (tests and the bench force each path; callers use the automatic choice).
    /// </summary>
    internal static void Reduce<T>(
        QueryPoints<T> queries,
        KeyPoints<T> keys,
        T[] logWeights,
        T[]? logWeightResiduals,
        double scale,
        SoftmaxPartials output,
        T[]? values,
        int maxDegreeOfParallelism,
        KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        path = KernelPaths.Resolve(path);
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

        if (logWeightResiduals is not null && logWeightResiduals.Length < keys.PaddedCount)
        {
            throw new ArgumentException($"expected {keys.PaddedCount} log-weight residuals, got {logWeightResiduals.Length}", nameof(logWeightResiduals));
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

        // The float32 kernel always reads residuals: without any, a shared buffer of zeros.
        var residuals = FusedTilePass.Split<T>() ? logWeightResiduals ?? Zeros<T>.AtLeast(keys.PaddedCount) : [];
        T[]? base2 = null;
        T[]? base2Residuals = null;
        if (LowDimensionPass.Base2<T>() && valueDimension == 0 && !output.HasMoment)
        {
            // float32 without weighted sums or moment scores in base 2 (LowDimensionPass): h_j log2 e in float64, split again.
            base2 = ArrayPool<T>.Shared.Rent(keys.PaddedCount);
            base2Residuals = ArrayPool<T>.Shared.Rent(keys.PaddedCount);
            ToBase2(
                Unsafe.As<float[]>(logWeights).AsSpan(0, keys.PaddedCount),
                Unsafe.As<float[]>(residuals).AsSpan(0, keys.PaddedCount),
                Unsafe.As<float[]>(base2).AsSpan(0, keys.PaddedCount),
                Unsafe.As<float[]>(base2Residuals).AsSpan(0, keys.PaddedCount));
        }

        try
        {
            var input = new ReductionInput<T>(queries, keys, logWeights, residuals, scale, values, valueDimension, output.HasMoment, base2, base2Residuals);
            var chunks = (queries.PaddedCount + QueriesPerChunk - 1) / QueriesPerChunk;
            if (maxDegreeOfParallelism == 1 || chunks == 1)
            {
                // Small blocks (block-sparse rows) call this once per row: no parallel loop set-up.
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    ReduceOneChunk(input, queries, keys, output, chunk, path);
                }

                return;
            }

            var options = KernelParallelism.Options(maxDegreeOfParallelism);
            Parallel.For(0, chunks, options, chunk => ReduceOneChunk(input, queries, keys, output, chunk, path));
        }
        finally
        {
            if (base2 is not null)
            {
                ArrayPool<T>.Shared.Return(base2);
                ArrayPool<T>.Shared.Return(base2Residuals!);
            }
        }
    }

    /// <summary>
    /// (high + residual) log2 e in float64, split again into float32 value and residual (zero residual for
    /// infinite values). Vectorised: small query blocks (block-sparse rows) call the reduction once per
    /// block, and this pass over the keys must stay well below theirs.
    /// </summary>
    private static void ToBase2(ReadOnlySpan<float> high, ReadOnlySpan<float> residual, Span<float> base2, Span<float> base2Residual)
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var log2E = Vector256.Create(LaneExponential.Log2E);
            for (; j + Vector256<float>.Count <= high.Length; j += Vector256<float>.Count)
            {
                var hi = Vector256.Create(high.Slice(j, Vector256<float>.Count));
                var lo = Vector256.Create(residual.Slice(j, Vector256<float>.Count));
                var lower = (Vector256.WidenLower(hi) + Vector256.WidenLower(lo)) * log2E;
                var upper = (Vector256.WidenUpper(hi) + Vector256.WidenUpper(lo)) * log2E;
                var rounded = Vector256.Narrow(lower, upper);
                var lowerRest = lower - Vector256.WidenLower(rounded);
                var upperRest = upper - Vector256.WidenUpper(rounded);
                var rest = Vector256.Narrow(lowerRest, upperRest);

                // Infinite values leave NaN (inf - inf): their residual is zero.
                rest = Vector256.ConditionalSelect(Vector256.Equals(rest, rest), rest, Vector256<float>.Zero);
                rounded.CopyTo(base2.Slice(j, Vector256<float>.Count));
                rest.CopyTo(base2Residual.Slice(j, Vector256<float>.Count));
            }
        }

        for (; j < high.Length; j++)
        {
            var h = ((double)high[j] + residual[j]) * LaneExponential.Log2E;
            var rounded = (float)h;
            base2[j] = rounded;
            base2Residual[j] = double.IsFinite(h) ? (float)(h - rounded) : 0f;
        }
    }

    private static void ReduceOneChunk<T>(in ReductionInput<T> input, QueryPoints<T> queries, KeyPoints<T> keys, SoftmaxPartials output, int chunk, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var start = chunk * QueriesPerChunk;
        var count = Math.Min(QueriesPerChunk, queries.PaddedCount - start);
        if (keys.Dimension > DotProductThreshold)
        {
            ReduceOneChunk<T, DotProductDistance>(input, queries.Count, keys.PaddedCount, output, start, count, path);
        }
        else
        {
            ReduceOneChunk<T, DifferenceDistance>(input, queries.Count, keys.PaddedCount, output, start, count, path);
        }
    }

    private static void ReduceOneChunk<T, TDistance>(in ReductionInput<T> input, int queryCount, int keyCount, SoftmaxPartials output, int start, int count, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        switch (path)
        {
            case KernelPath.Vector512:
                FusedChunkReduction.Reduce<Lanes512<T>, Vector512<T>, T, TDistance>(input, keyCount, queryCount, output, start, count);
                break;
            case KernelPath.Vector256:
                FusedChunkReduction.Reduce<Lanes256<T>, Vector256<T>, T, TDistance>(input, keyCount, queryCount, output, start, count);
                break;
            default:
                FusedChunkReduction.Reduce<Lanes128<T>, Vector128<T>, T, TDistance>(input, keyCount, queryCount, output, start, count);
                break;
        }
    }
}

/// <summary>A shared, never written buffer of zeros (residuals for callers that give none).</summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class Zeros<T>
    where T : unmanaged
{
    private static T[] buffer = [];

    /// <summary>At least <paramref name="count"/> zeros.</summary>
    public static T[] AtLeast(int count)
    {
        var current = Volatile.Read(ref buffer);
        if (current.Length >= count)
        {
            return current;
        }

        var grown = new T[Math.Max(count, 2 * current.Length)];
        Volatile.Write(ref buffer, grown);
        return grown;
    }
}
