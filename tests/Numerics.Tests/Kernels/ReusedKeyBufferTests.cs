using Transport.Numerics.Kernels;

namespace Transport.Numerics.Tests.Kernels;

/// <summary>
/// The per-thread key buffer of the block-sparse transform: keys loaded from ranges into a reused buffer
/// give bit-for-bit the reduction of keys laid out fresh, whatever the buffer held before.
/// </summary>
public sealed class ReusedKeyBufferTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public void Keys_loaded_from_ranges_into_a_reused_buffer_reduce_exactly_like_fresh_keys(int dim)
    {
        const int n = 9;
        const int total = 300;
        var all = TestData.Points(total, dim, seed: 5);
        var queries = new QueryPoints<float>(TestData.Points(n, dim, seed: 6), n, dim);
        int[] ranges = [3, 40, 41, 41, 100, 217];
        var count = 37 + 0 + 117;
        var gathered = new double[count * dim];
        var offset = 0;
        for (var r = 0; r < ranges.Length; r += 2)
        {
            all.AsSpan(ranges[r] * dim, (ranges[r + 1] - ranges[r]) * dim).CopyTo(gathered.AsSpan(offset));
            offset += (ranges[r + 1] - ranges[r]) * dim;
        }

        var fresh = new KeyPoints<float>(gathered, count, dim);
        var buffer = new KeyPoints<float>(total, dim);
        buffer.Load(all, [0, total], total); // leave stale keys behind the new, shorter set
        buffer.Load(all, ranges, count);
        Assert.Equal(fresh.Count, buffer.Count);
        Assert.Equal(fresh.PaddedCount, buffer.PaddedCount);

        var logWeights = new float[buffer.Capacity];
        var random = new Random(7);
        for (var j = 0; j < count; j++)
        {
            logWeights[j] = (float)random.NextDouble();
        }

        var freshWeights = fresh.CreateLogWeightBuffer();
        logWeights.AsSpan(0, count).CopyTo(freshWeights);
        buffer.PadLogWeights(logWeights);
        logWeights.AsSpan(buffer.PaddedCount).Fill(float.NaN); // beyond PaddedCount must never be read

        var expected = new SoftmaxPartials(n);
        var actual = new SoftmaxPartials(n);
        SoftmaxReduction.Reduce(queries, fresh, freshWeights, 3.0, expected);
        SoftmaxReduction.Reduce(queries, buffer, logWeights, 3.0, actual, maxDegreeOfParallelism: 1);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(expected.Max[i], actual.Max[i]);
            Assert.Equal(expected.Sum[i], actual.Sum[i]);
        }
    }

    [Fact]
    public void Loading_more_keys_than_the_capacity_is_refused()
    {
        var buffer = new KeyPoints<double>(10, 2);
        var points = TestData.Points(20, 2, seed: 1);
        Assert.Throws<ArgumentException>(() => buffer.Load(points, [0, 20], 20));
    }
}
