using Transport.Numerics.Geometry;

namespace Transport.Client;

/// <summary>
/// The clouds of <c>transport sinkhorn --demo</c>, in 2-D and fully determined by the seed: the source is an
/// isotropic Gaussian blob (standard deviation 0.3, centred at the origin), the target a ring of radius 1 with a
/// small radial noise (standard deviation 0.05). Uniform weights.
/// </summary>
internal static class DemoClouds
{
    /// <summary>Default points per cloud.</summary>
    public const int DefaultPoints = 2000;

    /// <summary>Generates both clouds with <paramref name="points"/> points each.</summary>
    public static (PointCloud Source, PointCloud Target) Generate(int points, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);

        // Random(int) is the seeded legacy generator: the same seed gives the same clouds on every run.
        var random = new Random(seed);
        var source = new double[points * 2];
        for (var i = 0; i < points; i++)
        {
            source[2 * i] = 0.3 * Gaussian(random);
            source[(2 * i) + 1] = 0.3 * Gaussian(random);
        }

        var target = new double[points * 2];
        for (var j = 0; j < points; j++)
        {
            var angle = 2 * Math.PI * random.NextDouble();
            var radius = 1.0 + (0.05 * Gaussian(random));
            target[2 * j] = radius * Math.Cos(angle);
            target[(2 * j) + 1] = radius * Math.Sin(angle);
        }

        return (
            PointCloud.Create(source, points, 2, field: "source", weightsField: "source-weights"),
            PointCloud.Create(target, points, 2, field: "target", weightsField: "target-weights"));
    }

    /// <summary>A standard normal sample (Box-Muller).</summary>
    private static double Gaussian(Random random)
    {
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
