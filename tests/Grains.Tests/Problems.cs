using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Grains.Tests;

/// <summary>Seeded problems shared by the grain tests.</summary>
internal static class Problems
{
    public static (PointCloud Source, PointCloud Target) Clouds(int n, int m, int dim, int seed)
    {
        var random = new Random(seed);
        double Next() => (2 * random.NextDouble()) - 1;
        var x = Enumerable.Range(0, n * dim).Select(_ => Next()).ToArray();
        var y = Enumerable.Range(0, m * dim).Select(_ => 0.5 + Next()).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => 0.2 + random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, m).Select(_ => 0.2 + random.NextDouble()).ToArray();
        return (PointCloud.Create(x, n, dim, a, "source", "source-weights"), PointCloud.Create(y, m, dim, b, "target", "target-weights"));
    }

    public static SinkhornJobSpec Spec(PointCloud source, PointCloud target, double epsilon, int shards, bool divergence = false, double tolerance = 1e-9) => new()
    {
        SourceCount = source.Count,
        TargetCount = target.Count,
        Dimension = source.Dimension,
        Epsilon = epsilon,
        Tolerance = tolerance,
        Shards = shards,
        Divergence = divergence,
    };

    public static SinkhornOptions Options(SinkhornJobSpec spec) => new()
    {
        Epsilon = spec.Epsilon,
        Cost = CostFunctions.Parse(spec.Cost),
        Tolerance = spec.Tolerance,
        MaxIterations = spec.MaxIterations,
        Scaling = spec.Scaling,
        CheckEvery = spec.CheckEvery,
        Precision = Precisions.Parse(spec.Precision),
    };

    public static void AssertClose(double expected, double actual, double tolerance, double floor, string what)
    {
        var scale = Math.Max(Math.Abs(expected), floor);
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
