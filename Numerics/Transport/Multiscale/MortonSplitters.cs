namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// A regular sample of the sort keys (code, input index) of one sorted block (<see cref="MortonSortedBlock.Sample"/>),
/// with the number of points it stands for.
/// </summary>
/// <param name="Codes">Sampled codes, in sorted order.</param>
/// <param name="Indices">Their input indices.</param>
/// <param name="BlockCount">Points in the sampled block.</param>
public sealed record MortonKeySample(ulong[] Codes, int[] Indices, int BlockCount);

/// <summary>
/// The splitters of a sample sort along the Morton curve (parallel sorting by regular sampling): from regular samples of
/// every block's sorted keys, the keys that cut the whole cloud into buckets of nearly equal size. The key includes the
/// input index, which is unique, so duplicated points and dense clumps still split evenly: a bucket holds about
/// n / buckets + n / samples points per block at most.
/// </summary>
public static class MortonSplitters
{
    /// <summary>
    /// <paramref name="buckets"/> - 1 non-decreasing splitter keys: bucket j holds the keys from splitter j - 1 (included)
    /// to splitter j (excluded). Each sampled key of a block stands for BlockCount / samples of that block's points;
    /// splitter j is the first sampled key with at least j·n / buckets points before it. With no sample at all every
    /// splitter is the largest key (every point in bucket 0).
    /// </summary>
    public static (ulong[] Codes, int[] Indices) Choose(IReadOnlyList<MortonKeySample> samples, int buckets)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        var keys = new List<(ulong Code, int Index, double Stands)>();
        var total = 0.0;
        foreach (var sample in samples)
        {
            if (sample.Codes.Length != sample.Indices.Length)
            {
                throw new ArgumentException($"a sample of {sample.Codes.Length} codes and {sample.Indices.Length} indices", nameof(samples));
            }

            total += sample.BlockCount;
            for (var i = 0; i < sample.Codes.Length; i++)
            {
                keys.Add((sample.Codes[i], sample.Indices[i], (double)sample.BlockCount / sample.Codes.Length));
            }
        }

        keys.Sort((a, b) => a.Code != b.Code ? a.Code.CompareTo(b.Code) : a.Index.CompareTo(b.Index));
        var codes = new ulong[buckets - 1];
        var indices = new int[buckets - 1];
        var before = 0.0;
        var at = 0;
        for (var j = 1; j < buckets; j++)
        {
            var wanted = j * total / buckets;
            while (at < keys.Count && before < wanted)
            {
                before += keys[at].Stands;
                at++;
            }

            (codes[j - 1], indices[j - 1]) = at < keys.Count ? (keys[at].Code, keys[at].Index) : (ulong.MaxValue, int.MaxValue);
        }

        return (codes, indices);
    }
}
