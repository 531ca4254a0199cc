using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Grains;
using Transport.Numerics.Kernels;
using Transport.Silo;

namespace Transport.Bench;

/// <summary>
/// <c>bench checkpoints</c>: what checkpoints cost a dense Sinkhorn run (float64, d = 3, N = M = <c>--sinkhorn-size</c>,
/// default 20,000, 3 shards per cloud) on an embedded silo whose grain storage is a loopback redis-server started here:
/// seconds per iteration without checkpoints, with a checkpoint after every iteration and after every fifth (all
/// measured in this run, differentially: (Seconds(K0 + K) - Seconds(K0)) / K, so the one-off sealing of the blocks
/// cancels), the cost of one checkpoint, and the overhead it implies at the default interval (one checkpoint per
/// <c>Transport:CheckpointInterval</c> = 30 s of work).
/// </summary>
internal static class CheckpointsCommand
{
    public const string Usage = "bench checkpoints [--sinkhorn-size N] [--iterations K] [--shards S] [--epsilon E]";

    private static readonly TimeSpan DefaultInterval = new TransportSiloOptions().CheckpointInterval;

    public static async Task RunAsync(BenchOptions options)
    {
        var redisServer = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (redisServer is null)
        {
            Console.Out.WriteLine("checkpoints: not available (redis-server is not installed: apt-get install -y redis-server)");
            return;
        }

        var port = FreePort();
        using var redis = Process.Start(new ProcessStartInfo(redisServer, ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        try
        {
            await WaitListeningAsync(port);
            var connection = $"127.0.0.1:{port}";
            Console.Error.WriteLine($"checkpoints: N = M = {options.SinkhornSize}, d = {options.SinkhornDimension}, {options.Shards} shards per cloud, Redis storage at {connection}");
            var none = await MeasureAsync(options, connection, every: 0);
            var each = await MeasureAsync(options, connection, every: 1);
            var fifth = await MeasureAsync(options, connection, every: 5);
            var cost = each - none;
            var perInterval = Math.Max(1.0, Math.Ceiling(DefaultInterval.TotalSeconds / none));
            var atDefault = (none + (Math.Max(cost, 0.0) / perInterval)) / none;

            Console.Out.WriteLine($"Checkpoints of a dense Sinkhorn run, float64, N = M = {options.SinkhornSize}, d = {options.SinkhornDimension}, {options.Shards} shards per cloud, Redis grain storage on loopback");
            var table = new TablePrinter("checkpoints", "s/iter", "vs none");
            table.Add("none", Format.Seconds(none), "1.000");
            table.Add("after every iteration", Format.Seconds(each), Ratio(each / none));
            table.Add("after every 5th iteration", Format.Seconds(fifth), Ratio(fifth / none));
            table.Add($"default interval ({DefaultInterval.TotalSeconds:F0} s of work: one per {perInterval:F0} iterations)", Format.Seconds(none * atDefault), Ratio(atDefault));
            Console.Out.WriteLine(table.Render());
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one checkpoint (every shard writes its potentials, then the job record): {cost * 1e3:F1} ms; goal at the default interval: <= 1.05"));
            Console.Out.WriteLine($"method: (Seconds(K={2 + options.SinkhornIterations}) - Seconds(K=2)) / {options.SinkhornIterations} in-cluster job timings per setting; the default-interval row is computed from the measured cost of one checkpoint");
        }
        finally
        {
            if (!redis.HasExited)
            {
                redis.Kill();
                await redis.WaitForExitAsync();
            }
        }
    }

    /// <summary>Seconds per iteration on a fresh embedded silo checkpointing every <paramref name="every"/> iterations (0: never).</summary>
    private static async Task<double> MeasureAsync(BenchOptions options, string redis, int every)
    {
        var siloPort = FreePort();
        var settings = new TransportSiloOptions
        {
            SiloPort = siloPort,
            PrimarySiloPort = siloPort,
            GatewayPort = FreePort(),
            ClusterId = $"bench-checkpoints-{every}",
            ServiceId = "transport-bench",
            Storage = "redis",
            Redis = redis,
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.AddTransportSilo(settings);
            silo.Configure<CheckpointOptions>(checkpoints =>
            {
                checkpoints.Enabled = every > 0;
                checkpoints.EveryIterations = every;
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var source = Clouds.UnitCube(options.SinkhornSize, options.SinkhornDimension, seed: 21);
            var target = Clouds.UnitCube(options.SinkhornSize, options.SinkhornDimension, seed: 22);
            return (await ClusterIterationBench.DifferentialAsync(grains, options, Precision.Double, source, target)).SecondsPerIteration;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static string Ratio(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    private static async Task WaitListeningAsync(int port)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {port}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
