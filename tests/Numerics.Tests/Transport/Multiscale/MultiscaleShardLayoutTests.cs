using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>The split of the leaf clusters into shards: whole clusters, in order, balanced by points, empty shards allowed.</summary>
public sealed class MultiscaleShardLayoutTests
{
    [Fact]
    public void Clusters_are_cut_at_the_boundary_nearest_the_balanced_point_count()
    {
        // Clusters of 10, 30, 20, 40, 10, 10 points (120): 3 shards aim at 40 and 80 points.
        int[] points = [0, 10, 40, 60, 100, 110, 120];

        var offsets = MultiscaleShardLayout.SplitClusters(points, 3);

        Assert.Equal([0, 2, 3, 6], offsets);
        Assert.Equal([0, 40, 60, 120], MultiscaleShardLayout.PointOffsets(points, offsets));
    }

    [Fact]
    public void More_shards_than_clusters_leaves_empty_shards_and_every_cluster_has_one_holder()
    {
        int[] points = [0, 5, 10, 15];

        var offsets = MultiscaleShardLayout.SplitClusters(points, 8);

        Assert.Equal(9, offsets.Length);
        Assert.Equal(0, offsets[0]);
        Assert.Equal(3, offsets[^1]);
        for (var k = 0; k < 8; k++)
        {
            Assert.True(offsets[k] <= offsets[k + 1]);
        }

        for (var c = 0; c < 3; c++)
        {
            var shard = MultiscaleShardLayout.ShardOf(offsets, c);
            Assert.True(offsets[shard] <= c && c < offsets[shard + 1], $"cluster {c} is not in shard {shard}");
        }
    }

    [Fact]
    public void Partner_ranges_split_into_pieces_of_at_most_the_limit_in_order()
    {
        var ranges = new MultiscalePartnerRanges(3, [0, 10, 30], [4, 7, 2]);

        var pieces = ranges.Split(5);

        Assert.All(pieces, p => Assert.True(p.ValueCount <= 5 && p.Shard == 3));
        var values = pieces.SelectMany(p => p.Starts.Zip(p.Counts).SelectMany(r => Enumerable.Range(r.First, r.Second))).ToArray();
        Assert.Equal([0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 30, 31], values);
        Assert.Single(ranges.Split(100));
    }
}
