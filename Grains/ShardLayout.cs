namespace Transport.Grains;

/// <summary>Contiguous, nearly equal blocks of a cloud: block k holds rows [Offsets[k], Offsets[k + 1]).</summary>
public static class ShardLayout
{
    /// <summary>Splits <paramref name="count"/> rows into min(<paramref name="shards"/>, count) blocks whose sizes differ by at most one.</summary>
    public static int[] Split(int count, int shards)
    {
        var blocks = Math.Max(1, Math.Min(shards, count));
        var offsets = new int[blocks + 1];
        for (var k = 0; k <= blocks; k++)
        {
            offsets[k] = (int)((long)count * k / blocks);
        }

        return offsets;
    }

    /// <summary>The block holding row <paramref name="row"/>.</summary>
    public static int BlockOf(int[] offsets, int row)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var index = Array.BinarySearch(offsets, row);
        return index >= 0 ? Math.Min(index, offsets.Length - 2) : ~index - 1;
    }

    /// <summary>Grain key of a shard.</summary>
    public static string ShardKey(string problemId, Numerics.Transport.CloudSide side, int index) =>
        $"{problemId}/{(side == Numerics.Transport.CloudSide.Source ? "source" : "target")}/{index}";
}
