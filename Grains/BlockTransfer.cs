using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>Chunked gathers of per-row arrays from a sequence of shards, in shard order.</summary>
internal static class BlockTransfer
{
    /// <summary>
    /// Concatenates rows [0, size_k) of every shard k (sizes from <paramref name="offsets"/>), fetching
    /// each shard in chunks of at most <paramref name="chunkBytes"/> (default <see cref="FloatBlock.MaxBytes"/>). Shards
    /// are asked concurrently.
    /// </summary>
    public static async Task<double[]> GatherAsync(int[] offsets, int columns, Func<int, int, int, Task<FloatBlock>> fetch, int chunkBytes = FloatBlock.MaxBytes)
    {
        var total = offsets[^1];
        var result = new double[(long)total * columns];
        var chunk = Math.Max(1, Math.Min(FloatBlock.RowsPerChunk(columns), chunkBytes / (sizeof(double) * Math.Max(1, columns))));
        var tasks = new List<Task>();
        for (var k = 0; k < offsets.Length - 1; k++)
        {
            var size = offsets[k + 1] - offsets[k];
            for (var start = 0; start < size; start += chunk)
            {
                var shard = k;
                var offset = start;
                var count = Math.Min(chunk, size - start);
                tasks.Add(CopyAsync(shard, offset, count));
            }
        }

        await Task.WhenAll(tasks);
        return result;

        async Task CopyAsync(int shard, int offset, int count)
        {
            var block = await fetch(shard, offset, count);
            if (block.Rows != count || block.Columns != columns)
            {
                throw new InvalidOperationException($"shard {shard} returned {block.Rows} x {block.Columns}, expected {count} x {columns}");
            }

            block.Values.CopyTo(result.AsSpan((offsets[shard] + offset) * columns, count * columns));
        }
    }

    /// <summary>
    /// Downloads rows [0, <paramref name="rows"/>) of a per-row array from one grain in chunks of at most
    /// <see cref="FloatBlock.MaxBytes"/>, in order (a caller-side counterpart of <see cref="GatherAsync"/>).
    /// </summary>
    public static async Task<double[]> FetchRowsAsync(int rows, int columns, Func<int, int, Task<FloatBlock>> fetch)
    {
        var result = new double[(long)rows * columns];
        var chunk = FloatBlock.RowsPerChunk(columns);
        for (var offset = 0; offset < rows; offset += chunk)
        {
            var count = Math.Min(chunk, rows - offset);
            var block = await fetch(offset, count);
            block.Values.CopyTo(result.AsSpan((int)((long)offset * columns), count * columns));
        }

        return result;
    }
}
