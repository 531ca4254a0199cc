using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transport.Grains.Interfaces;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Silo;

namespace Transport.Bench;

/// <summary>
/// Section (c), cluster path: an embedded silo in this process, the coordinator grain with S shards per
/// cloud, driven through the public protocol (Create, Upload, Start, poll status, GetResult).
/// Per-iteration time is differential: (Seconds(K0 + K) - Seconds(K0)) / K from the jobs' own
/// in-cluster timings, so per-job set-up (shard layouts) and the final result pass cancel out.
/// </summary>
internal sealed class ClusterIterationBench : IAsyncDisposable
{
    private const int BaseIterations = 2;
    private readonly IHost? host;
    private readonly string? startFailure;

    private ClusterIterationBench(IHost? host, string? startFailure)
    {
        this.host = host;
        this.startFailure = startFailure;
    }

    public static async Task<ClusterIterationBench> StartAsync()
    {
        try
        {
            var siloPort = FreePort();
            var options = new TransportSiloOptions
            {
                SiloPort = siloPort,
                PrimarySiloPort = siloPort,
                GatewayPort = FreePort(),
                ClusterId = "bench",
                ServiceId = "transport-bench",
            };
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Critical);
            builder.UseOrleans(silo => silo.AddTransportSilo(options));
            var host = builder.Build();
            await host.StartAsync();
            return new ClusterIterationBench(host, null);
        }
#pragma warning disable CA1031 // Any start-up failure is reported in the table instead of ending the run.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return new ClusterIterationBench(null, $"silo did not start: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>The embedded silo's grain factory, null when the silo did not start (see <see cref="StartFailure"/>).</summary>
    public IGrainFactory? Grains => host?.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Why the silo did not start, null when it did.</summary>
    public string? StartFailure => startFailure;

    public async Task<IterationResult> RunAsync(BenchOptions options, Precision precision)
    {
        var n = options.SinkhornSize;
        var d = options.SinkhornDimension;
        var method = $"(Seconds(K={BaseIterations + options.SinkhornIterations}) - Seconds(K={BaseIterations})) / {options.SinkhornIterations}, in-cluster job timings, {options.Shards} shards";
        IterationResult Unavailable(string reason) =>
            new("cluster", precision.Name(), n, d, options.SinkhornIterations, double.NaN, double.NaN, method, $"not available: {reason}");
        if (host is null)
        {
            return Unavailable(startFailure ?? "no silo");
        }

        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var source = Clouds.UnitCube(n, d, seed: 21);
        var target = Clouds.UnitCube(n, d, seed: 22);
        try
        {
            _ = await RunJobAsync(grains, options, precision, source, target, BaseIterations);
            var cpu0 = ProcessCpu.Seconds();
            var baseline = await RunJobAsync(grains, options, precision, source, target, BaseIterations);
            var cpu1 = ProcessCpu.Seconds();
            var full = await RunJobAsync(grains, options, precision, source, target, BaseIterations + options.SinkhornIterations);
            var cpu2 = ProcessCpu.Seconds();
            var extra = full.Iterations - baseline.Iterations;
            var perIteration = (full.Seconds - baseline.Seconds) / extra;
            var cpuPerIteration = ((cpu2 - cpu1) - (cpu1 - cpu0)) / extra;
            return new IterationResult("cluster", precision.Name(), n, d, options.SinkhornIterations, perIteration, cpuPerIteration, method, string.Empty);
        }
#pragma warning disable CA1031 // A missing or failing grain is reported in the table instead of ending the run.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var inner = exception is AggregateException { InnerException: { } first } ? first : exception;
            return Unavailable($"{inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>
    /// Seconds per iteration on <paramref name="grains"/>, differentially: a warm-up job, then a K0- and a K0 + K-iteration
    /// job whose in-cluster timings are subtracted (per-job set-up and the final pass cancel). Returns both jobs too.
    /// </summary>
    internal static async Task<(double SecondsPerIteration, SinkhornJobResult Baseline, SinkhornJobResult Full)> DifferentialAsync(
        IGrainFactory grains,
        BenchOptions options,
        Precision precision,
        double[] source,
        double[] target)
    {
        _ = await RunJobAsync(grains, options, precision, source, target, BaseIterations);
        var baseline = await RunJobAsync(grains, options, precision, source, target, BaseIterations);
        var full = await RunJobAsync(grains, options, precision, source, target, BaseIterations + options.SinkhornIterations);
        return ((full.Seconds - baseline.Seconds) / (full.Iterations - baseline.Iterations), baseline, full);
    }

    internal static async Task<SinkhornJobResult> RunJobAsync(
        IGrainFactory grains,
        BenchOptions options,
        Precision precision,
        double[] source,
        double[] target,
        int iterations)
    {
        var n = options.SinkhornSize;
        var d = options.SinkhornDimension;
        var coordinator = grains.GetGrain<ISinkhornCoordinatorGrain>($"bench-{Guid.NewGuid():N}");
        await coordinator.CreateAsync(new SinkhornJobSpec
        {
            SourceCount = n,
            TargetCount = n,
            Dimension = d,
            Epsilon = options.Epsilon,
            Tolerance = 1e-300,
            MaxIterations = iterations,
            Scaling = 1,
            CheckEvery = 1,
            Precision = precision.Name(),
            Shards = options.Shards,
        });
        await UploadAsync(coordinator, CloudSide.Source, source, n, d);
        await UploadAsync(coordinator, CloudSide.Target, target, n, d);
        await coordinator.StartAsync();
        while (true)
        {
            var status = await coordinator.GetStatusAsync();
            if (status.State == JobState.Completed)
            {
                break;
            }

            if (status.State is JobState.Failed or JobState.Cancelled)
            {
                throw new InvalidOperationException($"job {status.State}: {status.Error}");
            }

            await Task.Delay(10);
        }

        var result = await coordinator.GetResultAsync();
        if (result.Iterations != iterations)
        {
            throw new InvalidOperationException($"job ran {result.Iterations} iterations, expected {iterations}");
        }

        return result;
    }

    private static async Task UploadAsync(ISinkhornCoordinatorGrain coordinator, CloudSide side, double[] positions, int n, int d)
    {
        var rowsPerChunk = FloatBlock.RowsPerChunk(d);
        var weights = Enumerable.Repeat(1.0 / n, n).ToArray();
        for (var offset = 0; offset < n; offset += rowsPerChunk)
        {
            var rows = Math.Min(rowsPerChunk, n - offset);
            await coordinator.UploadAsync(
                side,
                offset,
                FloatBlock.From(positions.AsSpan(offset * d, rows * d), rows, d),
                FloatBlock.FromVector(weights.AsSpan(offset, rows)));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
