using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Transport.Numerics.Kernels;

namespace Transport.Bench;

/// <summary>One row of the single-thread profile.</summary>
/// <param name="Part">What was timed.</param>
/// <param name="NanosecondsPerPair">Best repetition, nanoseconds per query-key pair on one thread.</param>
internal sealed record ProfileResult(string Part, double NanosecondsPerPair);

/// <summary>
/// Section (d): where the library's float32 low-dimension kernel spends its time, on one thread. The
/// tile loop of SoftmaxReduction as it was before commit 3eeda7f (4 queries x 512 keys per tile: score +
/// max into a buffer, then per row TensorPrimitives.Subtract, Exp and Sum) is replayed here with each pass switched on alone, so the
/// passes can be compared with each other, with the library itself (maxDegreeOfParallelism 1) and with
/// the fused prototype.
/// </summary>
internal static class PassBreakdown
{
    private const int Group = 4;
    private const int Tile = 512;

    [Flags]
    private enum Passes
    {
        Score = 1,
        Subtract = 2,
        Exp = 4,
        Sum = 8,
        All = Score | Subtract | Exp | Sum,
    }

    public static IReadOnlyList<ProfileResult> Run(BenchOptions options, int d)
    {
        var queryCount = Math.Min(options.ReductionSize, 2_048);
        var keyCount = options.ReductionSize;
        var queryPositions = Clouds.UnitCube(queryCount, d, seed: 11);
        var keyPositions = Clouds.UnitCube(keyCount, d, seed: 12);
        var scale = (float)(1.0 / options.Epsilon);
        var paddedKeys = (keyCount + Tile - 1) / Tile * Tile;
        var keys = new float[d * paddedKeys];
        for (var j = 0; j < keyCount; j++)
        {
            for (var k = 0; k < d; k++)
            {
                keys[(k * paddedKeys) + j] = (float)keyPositions[(j * d) + k];
            }
        }

        var queries = queryPositions.Select(v => (float)v).ToArray();
        var h = new float[paddedKeys];
        h.AsSpan(keyCount).Fill(float.NegativeInfinity);
        var pairs = (double)queryCount * keyCount;
        double Time(Action action) => Measure.Best(Measure.Repeat(options.Repetitions, action)) * 1e9 / pairs;

        var results = new List<ProfileResult>
        {
            new("old (pre-3eeda7f) tile loop: score + max into tile buffer", Time(() => Replay(queries, keys, h, paddedKeys, d, scale, Passes.Score))),
            new("old (pre-3eeda7f) tile loop: TensorPrimitives.Subtract (row - max)", Time(() => Replay(queries, keys, h, paddedKeys, d, scale, Passes.Subtract))),
            new("old (pre-3eeda7f) tile loop: TensorPrimitives.Exp (512-float rows)", Time(() => Replay(queries, keys, h, paddedKeys, d, scale, Passes.Exp))),
            new("old (pre-3eeda7f) tile loop: TensorPrimitives.Sum", Time(() => Replay(queries, keys, h, paddedKeys, d, scale, Passes.Sum))),
            new("old (pre-3eeda7f) tile loop: all four passes", Time(() => Replay(queries, keys, h, paddedKeys, d, scale, Passes.All))),
        };

        var libraryQueries = new QueryPoints<float>(queryPositions, queryCount, d);
        var libraryKeys = new KeyPoints<float>(keyPositions, keyCount, d);
        var logWeights = libraryKeys.CreateLogWeightBuffer();
        var output = new SoftmaxPartials(queryCount);
        results.Add(new("library SoftmaxReduction.Reduce, 1 thread", Time(() =>
        {
            output.Reset();
            SoftmaxReduction.Reduce(libraryQueries, libraryKeys, logWeights, scale, output, maxDegreeOfParallelism: 1);
        })));

        results.Add(new("library SoftmaxReduction.Reduce, all threads (wall ns/pair)", Time(() =>
        {
            output.Reset();
            SoftmaxReduction.Reduce(libraryQueries, libraryKeys, logWeights, scale, output);
        })));

        ReportAllocations("library SoftmaxReduction.Reduce, all threads", () =>
        {
            output.Reset();
            SoftmaxReduction.Reduce(libraryQueries, libraryKeys, logWeights, scale, output);
        });

        var fused = new FusedReduction(queryPositions, keyPositions, queryCount, keyCount, d);
        var max = new double[queryCount];
        var sum = new double[queryCount];
        var zero = new float[keyCount];
        results.Add(new("prototype fused single pass (Vector256), 1 thread", Time(() => fused.Reduce(zero, scale, max, sum, maxDegreeOfParallelism: 1))));
        var fusedWide = new FusedReduction(queryPositions, keyPositions, queryCount, keyCount, d, wide: true);
        var wideName = fusedWide.Wide ? "Vector512" : "Vector256: no AVX-512";
        results.Add(new($"prototype fused single pass ({wideName}), 1 thread", Time(() => fusedWide.Reduce(zero, scale, max, sum, maxDegreeOfParallelism: 1))));
        results.Add(new($"prototype fused single pass ({wideName}), all threads (wall ns/pair)", Time(() => fusedWide.Reduce(zero, scale, max, sum))));
        foreach (var tile in new[] { 256, 512, 4096 })
        {
            var tiled = new FusedReduction(queryPositions, keyPositions, queryCount, keyCount, d, wide: true, tileSize: tile);
            results.Add(new($"prototype fused single pass ({wideName}), tile {tile} keys (default 1024), 1 thread", Time(() => tiled.Reduce(zero, scale, max, sum, maxDegreeOfParallelism: 1))));
        }

        ReportAllocations("prototype fused single pass, all threads", () => fusedWide.Reduce(zero, scale, max, sum));

        var source = Enumerable.Range(0, Tile).Select(i => -20f * i / Tile).ToArray();
        var destination = new float[Tile];
        var calls = (int)(pairs / Tile);
        results.Add(new("TensorPrimitives.Exp alone, 512-float buffer, 1 thread", Time(() =>
        {
            for (var c = 0; c < calls; c++)
            {
                TensorPrimitives.Exp<float>(source, destination);
            }
        })));
        var wide = Enumerable.Range(0, 4096).Select(i => -20f * i / 4096).ToArray();
        var wideDestination = new float[4096];
        results.Add(new("TensorPrimitives.Exp alone, 4096-float buffer, 1 thread", Time(() =>
        {
            for (var c = 0; c < calls / 8; c++)
            {
                TensorPrimitives.Exp<float>(wide, wideDestination);
            }
        })));
        var underflow = Enumerable.Range(0, 4096).Select(i => -200f * i / 4096).ToArray();
        results.Add(new("TensorPrimitives.Exp alone, 4096 floats in [-200, 0], 1 thread", Time(() =>
        {
            for (var c = 0; c < calls / 8; c++)
            {
                TensorPrimitives.Exp<float>(underflow, wideDestination);
            }
        })));
        var fastSum = 0f;
        results.Add(new("prototype FastExp (Vector256, in registers), 1 thread", Time(() => fastSum += FastExpLoop(source, calls))));
        GC.KeepAlive(fastSum);
        return results;
    }

    /// <summary>Prints the bytes allocated and gen-0 collections of one call (to stderr).</summary>
    private static void ReportAllocations(string name, Action action)
    {
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        action();
        bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        collections = GC.CollectionCount(0) - collections;
        Console.Error.WriteLine($"  {name}: {bytes} bytes allocated, {collections} gen-0 collections per call");
    }

    private static float FastExpLoop(float[] source, int calls)
    {
        var acc = Vector256<float>.Zero;
        for (var c = 0; c < calls; c++)
        {
            for (var j = 0; j < source.Length; j += 8)
            {
                acc += FastExp.Exp(Vector256.LoadUnsafe(ref source[0], (nuint)j));
            }
        }

        return Vector256.Sum(acc);
    }

    /// <summary>The library's tile loop (same blocking and buffer shapes), with a subset of the passes.</summary>
    private static void Replay(float[] queries, float[] keys, float[] h, int paddedKeys, int d, float scale, Passes passes)
    {
        var scores = new float[Group * Tile];
        var exps = new float[Group * Tile];
        var rowMax = new float[Group];
        var sum = 0.0;
        var random = new Random(3);
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = -20f * (float)random.NextDouble();
        }

        for (var query = 0; query < queries.Length / d; query += Group)
        {
            for (var tileStart = 0; tileStart < paddedKeys; tileStart += Tile)
            {
                if ((passes & Passes.Score) != 0)
                {
                    Score(queries, keys, h, paddedKeys, d, scale, query, tileStart, scores, rowMax);
                }

                for (var r = 0; r < Group; r++)
                {
                    var row = scores.AsSpan(r * Tile, Tile);
                    var expRow = exps.AsSpan(r * Tile, Tile);
                    if ((passes & Passes.Subtract) != 0)
                    {
                        TensorPrimitives.Subtract(row, rowMax[r], row);
                    }

                    if ((passes & Passes.Exp) != 0)
                    {
                        // Out of place so that the exp-only replay does not iterate exp on its own output.
                        TensorPrimitives.Exp<float>(row, expRow);
                    }

                    if ((passes & Passes.Sum) != 0)
                    {
                        sum += TensorPrimitives.Sum<float>(expRow);
                    }
                }
            }
        }

        GC.KeepAlive(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Score(float[] queries, float[] keys, float[] logWeights, int paddedKeys, int d, float scale, int query, int tileStart, float[] scores, float[] rowMax)
    {
        ref var x = ref MemoryMarshal.GetArrayDataReference(queries);
        ref var y = ref MemoryMarshal.GetArrayDataReference(keys);
        ref var h = ref MemoryMarshal.GetArrayDataReference(logWeights);
        ref var s = ref MemoryMarshal.GetArrayDataReference(scores);
        var x0 = query * d;
        var negScale = Vector256.Create(-scale);
        var max0 = Vector256.Create(float.NegativeInfinity);
        var max1 = max0;
        var max2 = max0;
        var max3 = max0;
        for (var j = 0; j < Tile; j += 8)
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
            s0.StoreUnsafe(ref s, (nuint)j);
            s1.StoreUnsafe(ref s, (nuint)(Tile + j));
            s2.StoreUnsafe(ref s, (nuint)((2 * Tile) + j));
            s3.StoreUnsafe(ref s, (nuint)((3 * Tile) + j));
            max0 = Vector256.Max(max0, s0);
            max1 = Vector256.Max(max1, s1);
            max2 = Vector256.Max(max2, s2);
            max3 = Vector256.Max(max3, s3);
        }

        rowMax[0] = HorizontalMax(max0);
        rowMax[1] = HorizontalMax(max1);
        rowMax[2] = HorizontalMax(max2);
        rowMax[3] = HorizontalMax(max3);
    }

    private static float HorizontalMax(Vector256<float> v)
    {
        var max = v.GetElement(0);
        for (var lane = 1; lane < 8; lane++)
        {
            max = Math.Max(max, v.GetElement(lane));
        }

        return max;
    }
}
