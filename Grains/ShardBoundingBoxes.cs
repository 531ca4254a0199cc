using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;

namespace Transport.Grains;

/// <summary>The bounding box of a cloud spread over Sinkhorn shards: each shard sends its own 2 x d box (the R3 reduction).</summary>
internal static class ShardBoundingBoxes
{
    /// <summary>The union of the shards' boxes, in shard order.</summary>
    public static async Task<BoundingBox> UnionAsync(IEnumerable<ISinkhornShardGrain> shards)
    {
        var blocks = await Task.WhenAll(shards.Select(s => s.GetBoundingBoxAsync()));
        BoundingBox? box = null;
        foreach (var block in blocks)
        {
            var d = block.Columns;
            var values = block.Values;
            var next = new BoundingBox(values[..d].ToArray(), values[d..].ToArray());
            box = box is null ? next : box.Union(next);
        }

        return box ?? throw new InvalidOperationException("no shards");
    }
}
