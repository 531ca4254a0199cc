using Transport.Numerics.Kernels;
namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// The energy distance (Szekely and Rizzo) between two weighted clouds, as the V-statistic
/// E(X, Y) = 2 sum_ij wx_i wy_j |x_i - y_j| - sum_ij wx_i wx_j |x_i - x_j| - sum_ij wy_i wy_j |y_i - y_j|,
/// i.e. 2 E|X - Y| - E|X - X'| - E|Y - Y'| with X, X' drawn independently from sum_i wx_i delta_{x_i} (the diagonal
/// i = j is included, so this is the distance between the two empirical measures themselves, not an unbiased
/// estimate for their parents). It is non-negative, zero iff the measures are equal, and in one dimension equals
/// 2 int (F - G)^2 for the two empirical CDFs.
/// <para>
/// Each mean distance is an all-pairs sum of Euclidean norms computed in float64, tiled: chunks of query points run
/// in parallel, each walking the other cloud tile by tile; per-chunk sums are added in chunk order so the result does
/// not depend on thread scheduling. No n x m array is allocated. Cost O((n + m)^2 d).
/// </para>
/// </summary>
public static class EnergyDistance
{
    private const int QueriesPerChunk = 64;
    private const int TileSize = 256;

    /// <summary>
    /// E(X, Y) for row-major <paramref name="x"/> (field <c>x</c>) and <paramref name="y"/> (field <c>y</c>) of
    /// dimension <paramref name="d"/>, with optional non-negative weights (uniform when omitted, normalised to one).
    /// </summary>
    public static double Compute(double[] x, double[] y, int d, double[]? wx = null, double[]? wy = null)
    {
        var first = SampleCloud.Create("x", x, d, wx, "wx");
        var second = SampleCloud.Create("y", y, d, wy, "wy");
        return (2.0 * MeanDistance(first, second)) - MeanDistance(first, first) - MeanDistance(second, second);
    }

    /// <summary>
    /// The weighted mean distance sum_ij wx_i wy_j |x_i - y_j| between two clouds (fields <c>x</c>, <c>y</c>),
    /// the building block of <see cref="Compute"/>.
    /// </summary>
    public static double MeanDistance(double[] x, double[] y, int d, double[]? wx = null, double[]? wy = null) =>
        MeanDistance(SampleCloud.Create("x", x, d, wx, "wx"), SampleCloud.Create("y", y, d, wy, "wy"));

    private static double MeanDistance(SampleCloud queries, SampleCloud keys)
    {
        var chunks = (queries.Count + QueriesPerChunk - 1) / QueriesPerChunk;
        var chunkSums = new double[chunks];
        Parallel.For(0, chunks, KernelParallelism.Options(-1), chunk =>
        {
            var start = chunk * QueriesPerChunk;
            var end = Math.Min(start + QueriesPerChunk, queries.Count);
            var rowSums = new double[end - start];
            for (var tile = 0; tile < keys.Count; tile += TileSize)
            {
                var tileEnd = Math.Min(tile + TileSize, keys.Count);
                for (var i = start; i < end; i++)
                {
                    var sum = 0.0;
                    for (var j = tile; j < tileEnd; j++)
                    {
                        sum += keys.Weights[j] * Math.Sqrt(queries.SquaredDistance(i, keys, j));
                    }

                    rowSums[i - start] += sum;
                }
            }

            var total = 0.0;
            for (var i = start; i < end; i++)
            {
                total += queries.Weights[i] * rowSums[i - start];
            }

            chunkSums[chunk] = total;
        });

        var result = 0.0;
        foreach (var s in chunkSums)
        {
            result += s;
        }

        return result;
    }
}
