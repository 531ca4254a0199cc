using MathNet.Numerics.LinearAlgebra;
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

    /// <summary>The single-process run (blocks of particles, in order; by default one block) over <paramref name="source"/> with the driver of the cluster.</summary>
    public static async Task<(double[] Samples, SamplingReport Report)> LocalAsync(IDenoisingTarget target, InterpolantSchedule schedule, SamplingOptions options, double[] source, int blocks = 1)
    {
        var field = new InterpolantField(schedule, target);
        var backend = new LocalSamplingBackend(field, options, source, blocks);
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

/// <summary>
/// The empirical target computed the way data shards and particle shards do it, in process: the data split into
/// <paramref name="blocks"/> contiguous blocks whose partials combine in block order (<see cref="EmpiricalTarget.DenoiseInBlocks"/>).
/// </summary>
internal sealed class BlockedEmpiricalTarget(double[] points, int dimension, double[] weights, int blocks) : IDenoisingTarget
{
    public int Dimension => dimension;

    public void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised) =>
        EmpiricalTarget.DenoiseInBlocks(points, dimension, weights, blocks, a, b, x, denoised);

    public IDenoisingTarget MapLinear(Matrix<double> map) => new EmpiricalTarget(points, dimension, weights).MapLinear(map);
}
