using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// The single-pass reduction of one chunk of queries over all keys (architecture.md section 2), for
/// one vector width and one distance operator. Scores never go to memory: each tile is one
/// <see cref="FusedTilePass"/> that exponentiates against a per-query reference r and sums.
/// <para>
/// Reference rule: r is the maximum of the query's first non-empty tile (found by a max-only pass
/// over that tile's first <see cref="SoftmaxReduction.TileSize"/> keys, rounded to the kernel's arithmetic; in float32 every score is formed relative to
/// it, see <see cref="FusedTilePass"/>) and is raised only when a later tile's maximum exceeds it by more than a margin
/// (64 in float32, 512 in float64, far from overflow for a tile's sum); that tile is then recomputed
/// with the new reference and the running sums are rescaled once. Since r exceeds no score by more
/// than a rounding and terms above r are exact, the partial (r, z, u, w) is exact; at the
/// end it is re-expressed against the true maximum (the output contract: m = max score). Every sum
/// has a fixed order, so a query's result depends only on the key order, never on the other queries
/// of its group, chunk, thread or shard.
/// </para>
/// </summary>
internal static class FusedChunkReduction
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reduce<TLanes, TVector, T, TDistance>(in ReductionInput<T> input, int keyCount, int queryCount, SoftmaxPartials output, int chunkStart, int chunkCount)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        const int group = SoftmaxReduction.QueryGroup;
        var margin = typeof(T) == typeof(float) ? 64.0 : 512.0;
        var vd = input.ValueDimension;
        var perQuery = input.ExtrasPerQuery;
        Span<double> reference = stackalloc double[chunkCount];
        Span<double> trueMax = stackalloc double[chunkCount];
        Span<double> sum = stackalloc double[chunkCount];
        var extras = new double[chunkCount * perQuery];
        reference.Fill(double.NegativeInfinity);
        trueMax.Fill(double.NegativeInfinity);
        sum.Clear();
        Span<double> refs = stackalloc double[group];
        Span<double> tileMax = stackalloc double[group];
        Span<double> tileSum = stackalloc double[group];
        Span<double> tileExtras = perQuery <= 64 ? stackalloc double[group * perQuery] : new double[group * perQuery];

        // The dot-product path keeps the distances of the current tile and query group (at most 16 KB):
        // the pass after the max-only pass, and a pass after a reference raise, reuse them.
        // Aligned to a cache line: vector loads and stores of the rows never straddle two lines (the stack
        // gives 16-byte alignment, with which every other 32-byte access would, depending on the thread).
        Span<T> distanceCache = TDistance.Blocked ? CacheLineAligned(stackalloc T[(group * SoftmaxReduction.TileSize) + (64 / Unsafe.SizeOf<T>())], group * SoftmaxReduction.TileSize) : [];

        // The float32 base-2 pass over coordinates (d <= 3) walks longer tiles: its cost per query and tile
        // (set-up, horizontal sums, the float64 merge) is then spread over more keys; nothing of it is cached.
        var tileSize = !TDistance.Blocked && LowDimensionPass.Handles(input) ? LowDimensionPass.TileSize : SoftmaxReduction.TileSize;
        for (var tileStart = 0; tileStart < keyCount; tileStart += tileSize)
        {
            var tileEnd = Math.Min(tileStart + tileSize, keyCount);
            for (var local = 0; local < chunkCount; local += group)
            {
                var query = chunkStart + local;
                var unset = false;
                var probeEnd = tileStart;
                for (var r = 0; r < group; r++)
                {
                    unset |= double.IsNegativeInfinity(reference[local + r]);
                }

                if (unset)
                {
                    // First non-empty tile of some query: the maximum of its first TileSize keys becomes the
                    // reference (a longer tile raises it like any later tile when it has to).
                    // A query whose first keys all have zero weight probes the rest of the tile, so that a
                    // tile with any key is never summed against an unset reference.
                    refs.Clear();
                    for (var probeStart = tileStart; unset && probeStart < tileEnd; probeStart = probeEnd)
                    {
                        probeEnd = Math.Min(probeStart + SoftmaxReduction.TileSize, tileEnd);
                        Tile<TLanes, TVector, T, TDistance>(input, query, probeStart, probeEnd, refs, accumulate: false, tileMax, tileSum, tileExtras, distanceCache, cached: false);
                        unset = false;
                        for (var r = 0; r < group; r++)
                        {
                            if (double.IsNegativeInfinity(reference[local + r]))
                            {
                                reference[local + r] = InArithmetic<T>(tileMax[r]);
                                unset |= double.IsNegativeInfinity(reference[local + r]);
                            }
                        }
                    }

                    unset = true;
                }

                for (var r = 0; r < group; r++)
                {
                    refs[r] = double.IsNegativeInfinity(reference[local + r]) ? 0.0 : reference[local + r];
                }

                Tile<TLanes, TVector, T, TDistance>(input, query, tileStart, tileEnd, refs, accumulate: true, tileMax, tileSum, tileExtras, distanceCache, cached: unset && probeEnd == tileEnd && probeEnd - tileStart <= SoftmaxReduction.TileSize);
                var redo = false;
                for (var r = 0; r < group; r++)
                {
                    redo |= tileMax[r] > refs[r] + margin;
                }

                if (redo)
                {
                    // Raise the reference to the tile maximum (rounded to T) and rescale what was
                    // summed against the old one.
                    for (var r = 0; r < group; r++)
                    {
                        if (tileMax[r] > refs[r] + margin)
                        {
                            var q = local + r;
                            var raised = InArithmetic<T>(tileMax[r]);
                            var factor = Math.Exp(reference[q] - raised);
                            sum[q] *= factor;
                            Scale(extras.AsSpan(q * perQuery, perQuery), factor);
                            reference[q] = raised;
                            refs[r] = raised;
                        }
                    }

                    Tile<TLanes, TVector, T, TDistance>(input, query, tileStart, tileEnd, refs, accumulate: true, tileMax, tileSum, tileExtras, distanceCache, cached: true);
                }

                for (var r = 0; r < group; r++)
                {
                    if (double.IsNegativeInfinity(tileMax[r]))
                    {
                        continue;
                    }

                    var q = local + r;
                    sum[q] += tileSum[r];
                    trueMax[q] = Math.Max(trueMax[q], tileMax[r]);
                    for (var e = 0; e < perQuery; e++)
                    {
                        extras[(q * perQuery) + e] += tileExtras[(r * perQuery) + e];
                    }
                }
            }
        }

        var realEnd = Math.Min(chunkCount, queryCount - chunkStart);
        for (var q = 0; q < realEnd; q++)
        {
            if (double.IsNegativeInfinity(trueMax[q]) || sum[q] == 0)
            {
                continue;
            }

            var factor = Math.Exp(reference[q] - trueMax[q]);
            var own = extras.AsSpan(q * perQuery, perQuery);
            Scale(own, factor);
            output.Merge(chunkStart + q, trueMax[q], sum[q] * factor, own[..vd], input.WithMoment ? own[vd] : 0.0);
        }
    }

    /// <summary>
    /// One tile with fresh tile partials: the body at this width; a Vector512 body leaves at most one
    /// Vector256 of keys (the layout pads to the Vector256 width), which a Vector256 pass finishes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TLanes, TVector, T, TDistance>(
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
        bool cached)
        where TLanes : ILanes<TVector, T>
        where TVector : unmanaged
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TDistance : ISquaredDistance
    {
        tileMax.Fill(double.NegativeInfinity);
        tileSum.Clear();
        tileExtras.Clear();
        var bodyEnd = start + ((end - start) / TLanes.Count * TLanes.Count);
        FusedTilePass.Run<TLanes, TVector, T, TDistance>(input, query, start, bodyEnd, refs, accumulate, tileMax, tileSum, tileExtras, distanceCache, start, cached);
        if (bodyEnd < end)
        {
            FusedTilePass.Run<Lanes256<T>, Vector256<T>, T, TDistance>(input, query, bodyEnd, end, refs, accumulate, tileMax, tileSum, tileExtras, distanceCache, start, cached);
        }
    }

    /// <summary>
    /// <paramref name="value"/> rounded to T: references are values of the kernel's arithmetic, so that
    /// the float32 kernel subtracts them from the log-weights without a rounding of the reference itself.
    /// A reference is any value near the maximum; rounding it keeps the partials exact.
    /// </summary>
    private static double InArithmetic<T>(double value)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        double.CreateTruncating(T.CreateTruncating(value));

    /// <summary>The first <paramref name="length"/> elements of <paramref name="buffer"/> from its first 64-byte boundary.</summary>
    private static unsafe Span<T> CacheLineAligned<T>(Span<T> buffer, int length)
        where T : unmanaged
    {
        var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
        var skip = (int)((64 - (address % 64)) % 64) / Unsafe.SizeOf<T>();
        return buffer.Slice(skip, length);
    }

    private static void Scale(Span<double> values, double factor)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }
    }
}
