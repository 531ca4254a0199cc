using System.Numerics;
using System.Runtime.Intrinsics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The soft c-transform restricted to a block pattern: query i in row block R sees only the keys of
/// the column blocks kept for R,
/// T(g)_i = -eps * LSE_{j in kept blocks of R} [ log b_j + (g_j - C(x_i, y_j)) / eps ].
/// Each row block gathers its kept keys into one key set and runs the shared
/// <see cref="SoftmaxReduction"/> on it, so the arithmetic is the dense solver's; row blocks run in
/// parallel. Never forms the N x M matrix: the work is sum over kept pairs |R| x |C| (counted in
/// <see cref="EvaluationsPerCall"/>).
/// </summary>
public abstract class BlockSparseTransform
{
    /// <summary>Kernel (point-pair cost) evaluations done by one <see cref="Apply"/>.</summary>
    public abstract long EvaluationsPerCall { get; }

    /// <summary>Creates the transform.</summary>
    /// <param name="queries">The query entities (one level of one cloud).</param>
    /// <param name="rowBoundaries">Row blocks as ranges of query entities.</param>
    /// <param name="keys">The key entities (one level of the other cloud); their weights are b.</param>
    /// <param name="columnBoundaries">Column blocks as ranges of key entities.</param>
    /// <param name="pattern">Kept (row block, column block) pairs.</param>
    /// <param name="cost">Ground cost.</param>
    /// <param name="precision">Kernel arithmetic.</param>
    /// <param name="maxDegreeOfParallelism">Threads (-1: all).</param>
    public static BlockSparseTransform Create(
        ClusterLevel queries,
        int[] rowBoundaries,
        ClusterLevel keys,
        int[] columnBoundaries,
        BlockPattern pattern,
        CostFunction cost,
        Precision precision,
        int maxDegreeOfParallelism)
    {
        return precision == Precision.Single
            ? new BlockSparseTransform<float>(queries, rowBoundaries, keys, columnBoundaries, pattern, cost, maxDegreeOfParallelism)
            : new BlockSparseTransform<double>(queries, rowBoundaries, keys, columnBoundaries, pattern, cost, maxDegreeOfParallelism);
    }

    /// <summary>Writes T(g) for every query entity into <paramref name="result"/>.</summary>
    public abstract void Apply(double[] keyPotential, double epsilon, double[] result);

    /// <summary>
    /// Writes, for every query, the mean squared distance to the keys under the row-normalised restricted
    /// plan, sum_j pi_ij |x_i - y_j|^2 with pi_i. = 1 (the transport cost of row i divided by a_i s).
    /// </summary>
    public abstract void MeanSquaredDistance(double[] keyPotential, double epsilon, double[] result);

    /// <summary>
    /// Writes, for every query, the barycentric image sum_j pi_ij y_j under the row-normalised restricted plan
    /// (row-major, queries x d): the entropic map the dense output gives, over the kept blocks only.
    /// </summary>
    public abstract void BarycentricMap(double[] keyPotential, double epsilon, double[] result);

    /// <summary>
    /// <see cref="BarycentricMap"/> and <see cref="MeanSquaredDistance"/> in one pass over the kept blocks (the final
    /// evaluation of a solve: the map and the transport cost).
    /// </summary>
    public abstract void MapAndMeanSquaredDistance(double[] keyPotential, double epsilon, double[] map, double[] meanSquared);
}

/// <summary>The <see cref="BlockSparseTransform"/> in arithmetic <typeparamref name="T"/>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal sealed class BlockSparseTransform<T> : BlockSparseTransform
    where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
{
    /// <summary>Gathered key sets are kept between calls up to this many bytes, rebuilt otherwise.</summary>
    private const long KeyCacheBytes = 256L << 20;

    private readonly ClusterLevel keys;
    private readonly int[] rowBoundaries;
    private readonly int[] columnBoundaries;
    private readonly BlockPattern pattern;
    private readonly QueryPoints<T>[] rowQueries;
    private readonly KeyPoints<T>?[]? keyCache;
    private readonly int[] keyCounts;
    private readonly int[][] keyRanges;
    private readonly int maxKeyCount;
    private readonly double[] keyLogWeights;
    private readonly double costScale;
    private readonly int maxDegreeOfParallelism;

    public BlockSparseTransform(ClusterLevel queries, int[] rowBoundaries, ClusterLevel keys, int[] columnBoundaries, BlockPattern pattern, CostFunction cost, int maxDegreeOfParallelism)
    {
        this.keys = keys;
        this.rowBoundaries = rowBoundaries;
        this.columnBoundaries = columnBoundaries;
        this.pattern = pattern;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        costScale = cost.Scale();
        var d = queries.Dimension;
        var rows = rowBoundaries.Length - 1;
        rowQueries = new QueryPoints<T>[rows];
        keyCounts = new int[rows];
        keyRanges = new int[rows][];
        long evaluations = 0, gathered = 0;
        var ranges = new List<int>();
        for (var r = 0; r < rows; r++)
        {
            var start = rowBoundaries[r];
            var count = rowBoundaries[r + 1] - start;
            rowQueries[r] = new QueryPoints<T>(queries.Positions.AsSpan(start * d, count * d), count, d);

            // The kept column blocks as key ranges, adjacent blocks merged (Morton order keeps
            // neighbouring kept blocks adjacent), so gathering copies few long runs.
            ranges.Clear();
            for (var k = pattern.RowStarts[r]; k < pattern.RowStarts[r + 1]; k++)
            {
                var column = pattern.Columns[k];
                var (from, to) = (columnBoundaries[column], columnBoundaries[column + 1]);
                if (ranges.Count > 0 && ranges[^1] == from)
                {
                    ranges[^1] = to;
                }
                else
                {
                    ranges.Add(from);
                    ranges.Add(to);
                }

                keyCounts[r] += to - from;
            }

            keyRanges[r] = [.. ranges];
            maxKeyCount = Math.Max(maxKeyCount, keyCounts[r]);
            evaluations += (long)count * keyCounts[r];
            gathered += keyCounts[r];
        }

        EvaluationsPerCall = evaluations;
        var cacheBytes = gathered * (d + 1) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        keyCache = cacheBytes <= KeyCacheBytes ? new KeyPoints<T>?[rows] : null;
        keyLogWeights = new double[keys.Count];
        for (var j = 0; j < keys.Count; j++)
        {
            keyLogWeights[j] = Math.Log(keys.Weights[j]);
        }
    }

    public override long EvaluationsPerCall { get; }

    public override void Apply(double[] keyPotential, double epsilon, double[] result) =>
        Run(keyPotential, epsilon, new Outputs(result, null, null));

    public override void MeanSquaredDistance(double[] keyPotential, double epsilon, double[] result) =>
        Run(keyPotential, epsilon, new Outputs(null, result, null));

    public override void BarycentricMap(double[] keyPotential, double epsilon, double[] result) =>
        Run(keyPotential, epsilon, new Outputs(null, null, result));

    public override void MapAndMeanSquaredDistance(double[] keyPotential, double epsilon, double[] map, double[] meanSquared) =>
        Run(keyPotential, epsilon, new Outputs(null, meanSquared, map));

    private void Run(double[] keyPotential, double epsilon, Outputs outputs)
    {
        // h_j = log b_j + g_j / eps; each row block shifts its gathered h by their maximum before rounding
        // to T, so a row's result depends only on its own keys (the same on any shard holding them).
        var inverseEpsilon = 1.0 / epsilon;
        var h = new double[keys.Count];
        for (var j = 0; j < h.Length; j++)
        {
            h[j] = keyLogWeights[j] + (keyPotential[j] * inverseEpsilon);
        }

        var options = KernelParallelism.Options(maxDegreeOfParallelism);
        Parallel.For(
            0,
            rowQueries.Length,
            options,
            () => new Workspace(maxKeyCount, keys.Dimension),
            (r, _, workspace) =>
            {
                RunRow(r, h, epsilon, outputs, workspace);
                return workspace;
            },
            _ => { });
    }

    private void RunRow(int r, double[] h, double epsilon, Outputs outputs, Workspace workspace)
    {
        var withMap = outputs.Map is not null;
        var withMoment = outputs.MeanSquared is not null;
        var queries = rowQueries[r];
        var ranges = keyRanges[r];
        var shift = double.NegativeInfinity;
        for (var k = 0; k < ranges.Length; k += 2)
        {
            for (var j = ranges[k]; j < ranges[k + 1]; j++)
            {
                shift = Math.Max(shift, h[j]);
            }
        }

        if (!double.IsFinite(shift))
        {
            shift = 0;
        }

        var keyPoints = KeysOf(r, workspace);
        var logWeights = workspace.LogWeights;
        var slot = 0;
        for (var k = 0; k < ranges.Length; k += 2)
        {
            for (var j = ranges[k]; j < ranges[k + 1]; j++)
            {
                logWeights[slot++] = T.CreateTruncating(h[j] - shift);
            }
        }

        var padded = logWeights.AsSpan(0, keyPoints.PaddedCount);
        padded[keyPoints.Count..].Fill(T.NegativeInfinity);

        var d = keys.Dimension;
        var partials = new SoftmaxPartials(queries.Count, withMap ? d : 0, withMoment);
        var values = withMap ? keyPoints.LayoutValues(GatherPositions(r), d) : null;
        SoftmaxReduction.Reduce(queries, keyPoints, logWeights, costScale / epsilon, partials, values, maxDegreeOfParallelism: 1);
        var start = rowBoundaries[r];
        if (outputs.Map is { } map)
        {
            for (var i = 0; i < queries.Count; i++)
            {
                for (var c = 0; c < d; c++)
                {
                    map[((start + i) * d) + c] = partials.Weighted[(i * d) + c] / partials.Sum[i];
                }
            }
        }

        if (outputs.MeanSquared is { } meanSquared)
        {
            for (var i = 0; i < queries.Count; i++)
            {
                meanSquared[start + i] = partials.Moment[i] / partials.Sum[i];
            }
        }

        if (outputs.Potential is { } potential)
        {
            for (var i = 0; i < queries.Count; i++)
            {
                // A row without mass in its kept blocks gets the neutral partial (LSE = -inf, potential
                // +inf); the truncation search keeps at least one massive block per row, so it does not occur.
                potential[start + i] = -epsilon * (partials.LogSumExp(i) + shift);
            }
        }
    }

    /// <summary>Where one pass writes: T(g), the mean squared distance, the barycentric map (null: not asked for).</summary>
    private sealed record Outputs(double[]? Potential, double[]? MeanSquared, double[]? Map);

    private KeyPoints<T> KeysOf(int row, Workspace workspace)
    {
        if (keyCache?[row] is { } cached)
        {
            return cached;
        }

        if (keyCache is not null)
        {
            var built = new KeyPoints<T>(GatherPositions(row), keyCounts[row], keys.Dimension);
            keyCache[row] = built;
            return built;
        }

        workspace.Keys.Load(keys.Positions, keyRanges[row], keyCounts[row]);
        return workspace.Keys;
    }

    /// <summary>The positions of the keys row block <paramref name="row"/> sees, gathered in pattern order.</summary>
    private double[] GatherPositions(int row)
    {
        var d = keys.Dimension;
        var positions = new double[keyCounts[row] * d];
        var offset = 0;
        var ranges = keyRanges[row];
        for (var k = 0; k < ranges.Length; k += 2)
        {
            var span = keys.Positions.AsSpan(ranges[k] * d, (ranges[k + 1] - ranges[k]) * d);
            span.CopyTo(positions.AsSpan(offset));
            offset += span.Length;
        }

        return positions;
    }

    /// <summary>Per-thread buffers: the gathered keys of the current row block and their log-weights.</summary>
    private sealed class Workspace(int capacity, int dimension)
    {
        public KeyPoints<T> Keys { get; } = new(capacity, dimension);

        public T[] LogWeights { get; } = new T[Math.Max(capacity + Vector256<T>.Count, Vector256<T>.Count)];
    }
}
