using System.Diagnostics;
using Transport.Grains;
using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Bench;

/// <summary>
/// The cluster row of the <c>sampling</c> table: whole sampling jobs on an embedded silo (data spread over data shards,
/// particles over particle shards, the coordinator driving Euler steps), timed for two step counts (after an untimed job, fastest of two each) so that the upload
/// of the data, the shard set-up and the download cancel: seconds per denoiser evaluation =
/// (T(k2) - T(k1)) / (k2 - k1), each step being one evaluation on the whole cloud. This is the cost a user's run pays per
/// step, messaging included.
/// </summary>
internal static class SamplingClusterBench
{
    /// <summary>Data shards of the cluster row.</summary>
    public const int DataShards = 4;

    /// <summary>Particle shards of the cluster row.</summary>
    public const int ParticleShards = 2;

    /// <summary>Times the cluster path on <paramref name="bench"/>'s data and particles; null when the silo is unavailable.</summary>
    public static async Task<DenoiserResult?> MeasureAsync(ClusterIterationBench cluster, DenoiserBench bench, int fewSteps, int moreSteps)
    {
        if (cluster.Grains is not { } grains)
        {
            Console.Error.WriteLine($"[sampling] cluster row skipped: {cluster.StartFailure}");
            return null;
        }

        // An untimed job first (grain activation, JIT), then the fastest of two jobs per step count.
        _ = await TimeJobAsync(grains, bench, fewSteps);
        var few = Math.Min(await TimeJobAsync(grains, bench, fewSteps), await TimeJobAsync(grains, bench, fewSteps));
        var more = Math.Min(await TimeJobAsync(grains, bench, moreSteps), await TimeJobAsync(grains, bench, moreSteps));
        var seconds = Math.Max(more - few, 1e-9) / (moreSteps - fewSteps);
        var n = bench.Particles.Length / bench.Dimension;
        var m = bench.Points.Length / bench.Dimension;
        return new DenoiserResult(
            $"cluster ({DataShards} data x {ParticleShards} particle shards)",
            bench.Dimension,
            m,
            n,
            moreSteps - fewSteps,
            seconds,
            n / seconds,
            (double)n * m / seconds,
            1.0,
            double.NaN);
    }

    private static async Task<double> TimeJobAsync(IGrainFactory grains, DenoiserBench bench, int steps)
    {
        var d = bench.Dimension;
        var n = bench.Particles.Length / d;
        var options = new Numerics.Sampling.SamplingOptions { Sampler = SamplerKind.Euler, Steps = steps, End = 0.5 };
        var spec = SamplingJobSpec.From("empirical", d, n, options) with
        {
            DataCount = bench.Points.Length / d,
            DataShards = DataShards,
            ParticleShards = ParticleShards,
            UploadedNoise = true,
        };
        var clock = Stopwatch.StartNew();
        _ = await SamplingJobClient.RunAsync(grains, spec, bench.Points, ReadOnlyMemory<double>.Empty, bench.Particles);
        return clock.Elapsed.TotalSeconds;
    }
}
