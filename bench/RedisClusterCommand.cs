using System.Globalization;
using Transport.Numerics.Kernels;

namespace Transport.Bench;

/// <summary>
/// <c>bench redis-cluster</c>: seconds per Sinkhorn iteration (dense, float64, d = 3, N = M = <c>--sinkhorn-size</c>,
/// default 20,000) on an embedded silo against a cluster of silo processes over Redis on loopback (<c>transport cluster
/// up --silos</c>, default 3), the same differential job timing on both (a K+2 and a 2-iteration job), their ratio, and
/// per shard per iteration the bytes of potentials pulled (reported by the shards) and the messages (computed from the
/// layout: one step call per shard per iteration, plus one potential pull per remote partner shard and chunk).
/// </summary>
internal static class RedisClusterCommand
{
    public const string Usage = "bench redis-cluster [--sinkhorn-size N] [--iterations K] [--shards S] [--silos P] [--epsilon E]";

    public static async Task RunAsync(RedisClusterOptions options)
    {
        var bench = options.Bench;
        await using var embedded = await ClusterIterationBench.StartAsync();
        Console.Error.WriteLine($"embedded silo: {bench.Shards} shards, N = M = {bench.SinkhornSize}, d = {bench.SinkhornDimension}");
        var local = await embedded.RunAsync(bench, Precision.Double);

        var (cluster, failure) = await ProcessCluster.StartAsync(options.Silos);
        if (cluster is null)
        {
            Console.Error.WriteLine(failure);
            return;
        }

        await using (cluster)
        {
            Console.Error.WriteLine($"{options.Silos} silo processes over {cluster.Address}");
            var source = Clouds.UnitCube(bench.SinkhornSize, bench.SinkhornDimension, seed: 21);
            var target = Clouds.UnitCube(bench.SinkhornSize, bench.SinkhornDimension, seed: 22);
            var (remote, baseline, full) = await ClusterIterationBench.DifferentialAsync(cluster.Grains, bench, Precision.Double, source, target);
            var extra = full.Iterations - baseline.Iterations;
            var shards = full.Shards;
            var bytesPerShard = (double)(full.BytesExchanged - baseline.BytesExchanged) / extra / (2 * shards);

            // Per iteration a shard makes one step call (update or check) and pulls the other cloud's potential from each
            // remote shard holding part of it, in chunks of FloatBlock.RowsPerChunk(1) values.
            var rowsPerShard = (double)bench.SinkhornSize / shards;
            var chunks = Math.Ceiling(rowsPerShard / Grains.Interfaces.FloatBlock.RowsPerChunk(1));
            var messagesPerShard = 1 + (shards * chunks);

            Console.Out.WriteLine($"Sinkhorn iteration, dense float64, N = M = {bench.SinkhornSize}, d = {bench.SinkhornDimension}, {shards} shards per cloud");
            var table = new TablePrinter("cluster", "s/iter", "vs embedded", "bytes pulled / shard / iter", "messages / shard / iter");
            table.Add("embedded silo (this process)", Format.Seconds(local.SecondsPerIteration), "1.000", "-", "-");
            table.Add($"{options.Silos} silo processes, Redis membership", Format.Seconds(remote), (remote / local.SecondsPerIteration).ToString("F3", CultureInfo.InvariantCulture), bytesPerShard.ToString("F0", CultureInfo.InvariantCulture), messagesPerShard.ToString("F0", CultureInfo.InvariantCulture));
            Console.Out.WriteLine(table.Render());
            Console.Out.WriteLine($"goal: 3 silo processes / embedded <= 1.5; method: (Seconds(K={2 + bench.SinkhornIterations}) - Seconds(K=2)) / {bench.SinkhornIterations} in-cluster job timings on both");
        }
    }
}

/// <summary>Options of <c>bench redis-cluster</c>.</summary>
internal sealed record RedisClusterOptions(BenchOptions Bench, int Silos)
{
    public static RedisClusterOptions Parse(IReadOnlyList<string> arguments)
    {
        var silos = 3;
        var rest = new List<string>();
        for (var k = 0; k < arguments.Count; k++)
        {
            if (arguments[k] == "--silos")
            {
                silos = int.Parse(arguments[++k], CultureInfo.InvariantCulture);
            }
            else
            {
                rest.Add(arguments[k]);
            }
        }

        var bench = BenchOptions.Parse(rest);
        if (!rest.Contains("--sinkhorn-size"))
        {
            bench = bench with { SinkhornSize = 20_000, SinkhornDimension = 3 };
        }

        if (!rest.Contains("--shards"))
        {
            bench = bench with { Shards = silos };
        }

        if (!rest.Contains("--iterations"))
        {
            bench = bench with { SinkhornIterations = 5 };
        }

        return new RedisClusterOptions(bench, silos);
    }
}
