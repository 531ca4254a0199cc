using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains.Tests;

/// <summary>Seeded data and the single-process reference runs the sampling tests compare the cluster with.</summary>
internal static class SamplingTestData
{
    public const int Dimension = 3;

    /// <summary>Points from four Gaussian clusters in d = 3, with positive weights in [0.5, 1.5).</summary>
    public static (double[] Points, double[] Weights) Clusters(int count, int seed)
    {
        var random = new Random(seed);
        double[][] centres = [[2, 0, 0], [-2, 1, 0], [0, -2, 1], [0, 1, -2]];
        var points = new double[count * Dimension];
        var weights = new double[count];
        for (var i = 0; i < count; i++)
        {
            var centre = centres[i % centres.Length];
            for (var c = 0; c < Dimension; c++)
            {
                points[(i * Dimension) + c] = centre[c] + (0.4 * Normal(random));
            }

            weights[i] = 0.5 + random.NextDouble();
        }

        return (points, weights);
    }

    /// <summary>Standard normals from <see cref="Random"/>: source noise that is not the counter-based convention.</summary>
    public static double[] Noise(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * dimension).Select(_ => Normal(random)).ToArray();
    }

    /// <summary>The single-process run: one block over <paramref name="source"/> with the driver of the cluster.</summary>
    public static async Task<(double[] Samples, SamplingReport Report)> LocalAsync(IDenoisingTarget target, InterpolantSchedule schedule, SamplingOptions options, double[] source)
    {
        var field = new InterpolantField(schedule, target);
        var backend = new LocalSamplingBackend(field, options, source, blockCount: 1);
        var report = await SamplingDriver.RunAsync(backend, options, schedule);
        return (backend.Positions(), report);
    }

    /// <summary>An empirical spec for the clusters of <see cref="Clusters"/>.</summary>
    public static SamplingJobSpec Empirical(int dataCount, int particles, int dataShards, int particleShards, SamplingOptions options, bool uploadedNoise = false) =>
        SamplingJobSpec.From("empirical", Dimension, particles, options) with
        {
            DataCount = dataCount,
            DataShards = dataShards,
            ParticleShards = particleShards,
            UploadedNoise = uploadedNoise,
        };

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
