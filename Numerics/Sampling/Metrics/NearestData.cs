using Transport.Numerics.Kernels;
namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// Memorisation and coverage against a data set: for every sample, the Euclidean distance to the nearest data point
/// and that point's index (ties go to the lowest index), plus summaries. The counts per data point are compared with
/// the data weights: if samples were independent draws from sum_j w_j delta_{y_j}, count_j is Binomial(n, w_j), so
/// |count_j / n - w_j| / sqrt(w_j (1 - w_j) / n) is a z-score; <see cref="MaxCountDeviation"/> is the largest.
/// <para>
/// The search is brute force, tiled (chunks of samples run in parallel, each walking the data tile by tile), float64;
/// no n x m array is allocated. Cost O(n m d).
/// </para>
/// </summary>
public sealed class NearestData
{
    private const int QueriesPerChunk = 64;
    private const int TileSize = 256;

    private NearestData(double[] distances, int[] indices, int[] counts, double[] dataWeights, double? threshold)
    {
        Distances = distances;
        Indices = indices;
        Counts = counts;
        var n = distances.Length;
        var sum = 0.0;
        var max = 0.0;
        var within = 0;
        foreach (var distance in distances)
        {
            sum += distance;
            max = Math.Max(max, distance);
            if (threshold is double limit && distance <= limit)
            {
                within++;
            }
        }

        MeanDistance = sum / n;
        MaxDistance = max;
        Threshold = threshold;
        FractionWithinThreshold = threshold is null ? null : (double)within / n;
        var worst = 0.0;
        var worstIndex = 0;
        for (var j = 0; j < counts.Length; j++)
        {
            var w = dataWeights[j];
            var deviation = Math.Abs(((double)counts[j] / n) - w);
            var standardError = Math.Sqrt(w * (1.0 - w) / n);
            // A weight of 0 or 1 makes the count deterministic: any deviation is then infinitely unlikely.
            var z = standardError > 0.0 ? deviation / standardError : (deviation > 0.0 ? double.PositiveInfinity : 0.0);
            if (z > worst)
            {
                worst = z;
                worstIndex = j;
            }
        }

        MaxCountDeviation = worst;
        MaxCountDeviationIndex = worstIndex;
    }

    /// <summary>Per sample, the distance to its nearest data point.</summary>
    public double[] Distances { get; }

    /// <summary>Per sample, the index of its nearest data point.</summary>
    public int[] Indices { get; }

    /// <summary>Per data point, how many samples have it as nearest data point.</summary>
    public int[] Counts { get; }

    /// <summary>The mean of <see cref="Distances"/>.</summary>
    public double MeanDistance { get; }

    /// <summary>The largest of <see cref="Distances"/>.</summary>
    public double MaxDistance { get; }

    /// <summary>The distance threshold, when one was given.</summary>
    public double? Threshold { get; }

    /// <summary>The fraction of samples within <see cref="Threshold"/> (distance &lt;= threshold) of a data point.</summary>
    public double? FractionWithinThreshold { get; }

    /// <summary>max_j |count_j / n - w_j| / sqrt(w_j (1 - w_j) / n): the largest deviation in binomial standard errors.</summary>
    public double MaxCountDeviation { get; }

    /// <summary>The data point j attaining <see cref="MaxCountDeviation"/>.</summary>
    public int MaxCountDeviationIndex { get; }

    /// <summary>
    /// Finds the nearest data point for each row-major sample (field <c>samples</c>) among <paramref name="data"/>
    /// (field <c>data</c>, same dimension <paramref name="d"/>) with optional non-negative data weights (field
    /// <c>data-weights</c>, uniform when omitted) and an optional non-negative distance <paramref name="threshold"/>.
    /// </summary>
    public static NearestData Compute(double[] samples, double[] data, int d, double[]? dataWeights = null, double? threshold = null)
    {
        var queries = SampleCloud.Create("samples", samples, d, null, "weights");
        var keys = SampleCloud.Create("data", data, d, dataWeights, "data-weights");
        if (threshold is double limit && !(limit >= 0.0 && double.IsFinite(limit)))
        {
            throw new InvalidInputException("threshold", $"distance threshold {limit} must be a non-negative finite number");
        }

        var distances = new double[queries.Count];
        var indices = new int[queries.Count];
        var chunks = (queries.Count + QueriesPerChunk - 1) / QueriesPerChunk;
        Parallel.For(0, chunks, KernelParallelism.Options(-1), chunk =>
        {
            var start = chunk * QueriesPerChunk;
            var end = Math.Min(start + QueriesPerChunk, queries.Count);
            var best = new double[end - start];
            var bestIndex = new int[end - start];
            Array.Fill(best, double.PositiveInfinity);
            for (var tile = 0; tile < keys.Count; tile += TileSize)
            {
                var tileEnd = Math.Min(tile + TileSize, keys.Count);
                for (var i = start; i < end; i++)
                {
                    for (var j = tile; j < tileEnd; j++)
                    {
                        var squared = queries.SquaredDistance(i, keys, j);
                        if (squared < best[i - start])
                        {
                            best[i - start] = squared;
                            bestIndex[i - start] = j;
                        }
                    }
                }
            }

            for (var i = start; i < end; i++)
            {
                distances[i] = Math.Sqrt(best[i - start]);
                indices[i] = bestIndex[i - start];
            }
        });

        var counts = new int[keys.Count];
        foreach (var index in indices)
        {
            counts[index]++;
        }

        return new NearestData(distances, indices, counts, keys.Weights, threshold);
    }
}
