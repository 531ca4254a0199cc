using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Tests.Sampling.Metrics;

/// <summary>Nearest-data search and its summaries against a brute-force scan.</summary>
public sealed class NearestDataTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(5, 2)]
    public void Nearest_points_and_summaries_match_a_brute_force_scan(int d, int seed)
    {
        // 150 samples and 600 data points cross the 64-sample chunks and 256-point tiles. The squared distances are
        // the same float64 sums in the same coordinate order, so indices agree exactly and distances to 1e-15.
        const int n = 150, m = 600;
        var samples = TestData.Points(n, d, seed, scale: 1.2);
        var data = TestData.Points(m, d, seed + 1);
        var weights = TestData.Weights(m, seed + 2);
        const double threshold = 0.4;

        var result = NearestData.Compute(samples, data, d, weights, threshold);

        var counts = new int[m];
        var distances = new double[n];
        for (var i = 0; i < n; i++)
        {
            var best = double.PositiveInfinity;
            var index = -1;
            for (var j = 0; j < m; j++)
            {
                var squared = 0.0;
                for (var k = 0; k < d; k++)
                {
                    squared += (samples[(i * d) + k] - data[(j * d) + k]) * (samples[(i * d) + k] - data[(j * d) + k]);
                }

                if (squared < best)
                {
                    best = squared;
                    index = j;
                }
            }

            Assert.Equal(index, result.Indices[i]);
            distances[i] = Math.Sqrt(best);
            Assert.Equal(distances[i], result.Distances[i], 1e-15);
            counts[index]++;
        }

        Assert.Equal(counts, result.Counts);
        TestData.AssertRelative(distances.Average(), result.MeanDistance, 1e-14, what: "mean distance");
        Assert.Equal(distances.Max(), result.MaxDistance);
        Assert.Equal(distances.Count(v => v <= threshold) / (double)n, result.FractionWithinThreshold);
        var total = weights.Sum();
        var z = Enumerable.Range(0, m).Max(j =>
        {
            var w = weights[j] / total;
            return Math.Abs((counts[j] / (double)n) - w) / Math.Sqrt(w * (1 - w) / n);
        });
        TestData.AssertRelative(z, result.MaxCountDeviation, 1e-12, what: "max count deviation");
    }

    [Fact]
    public void Samples_on_the_data_have_zero_distance_and_exact_counts()
    {
        // Each sample sits exactly on a data point, so distances are exactly 0 and counts are known; with counts
        // (2, 1, 1) against weights (0.5, 0.25, 0.25) every deviation is 0.
        double[] data = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        double[] samples = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];

        var result = NearestData.Compute(samples, data, 2, [2.0, 1.0, 1.0], threshold: 0.0);

        Assert.Equal([0, 1, 0, 2], result.Indices);
        Assert.All(result.Distances, v => Assert.Equal(0.0, v));
        Assert.Equal([2, 1, 1], result.Counts);
        Assert.Equal(1.0, result.FractionWithinThreshold);
        Assert.Equal(0.0, result.MaxCountDeviation);
    }

    [Fact]
    public void Rejects_a_negative_threshold()
    {
        var error = Assert.Throws<InvalidInputException>(() => NearestData.Compute([0.0], [1.0], 1, threshold: -1));
        Assert.Equal("threshold", error.Field);
    }
}
