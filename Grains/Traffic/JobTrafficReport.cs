using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>A job's traffic: every shard grain's counts, summed in shard order.</summary>
internal static class JobTrafficReport
{
    /// <summary>The traffic of <paramref name="shards"/> over a run of <paramref name="iterations"/> iterations (or step attempts).</summary>
    public static async Task<JobTraffic> SumAsync(IReadOnlyCollection<ITrafficCountingGrain> shards, long iterations)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var counts = await Task.WhenAll(shards.Select(s => s.GetTrafficAsync()));
        var total = counts.Aggregate(ShardTraffic.None, (sum, next) => sum.Add(next));
        return new JobTraffic(total.Messages, total.PayloadBytes, shards.Count, iterations);
    }
}
