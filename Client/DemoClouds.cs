using Transport.Numerics.Geometry;
using Transport.Numerics.Randomness;

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

    /// <summary>
    /// Most points per demo cloud. The clouds are generated in the console before any silo sees the job, so the silo's
    /// admission limits come too late: --points 1e8 generated 3.2 GB of coordinates before Transport:MaxPointsPerJob
    /// refused them, and --points 1.2e9 overflowed <c>points * 2</c> and crashed the console.
    /// </summary>
    public const int MaxPoints = 10_000_000;

    /// <summary>Generates both clouds with <paramref name="points"/> points each.</summary>
    public static (PointCloud Source, PointCloud Target) Generate(int points, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(points, MaxPoints);

        // Counter-based draws (seed, point, stream): a point does not depend on how many are drawn. Stage 0 is the blob,
        // stage 1 the ring (angle in component 0, radial noise in component 1).
        var source = new double[points * 2];
        for (var i = 0; i < points; i++)
        {
            source[2 * i] = 0.3 * CounterRandom.Normal(seed, i, 0, 0, 0);
            source[(2 * i) + 1] = 0.3 * CounterRandom.Normal(seed, i, 0, 0, 1);
        }

        var target = new double[points * 2];
        for (var j = 0; j < points; j++)
        {
            var angle = 2 * Math.PI * CounterRandom.Uniform(seed, j, 0, 1, 0);
            var radius = 1.0 + (0.05 * CounterRandom.Normal(seed, j, 0, 1, 1));
            target[2 * j] = radius * Math.Cos(angle);
            target[(2 * j) + 1] = radius * Math.Sin(angle);
        }

        return (
            PointCloud.Create(source, points, 2, field: "source", weightsField: "source-weights"),
            PointCloud.Create(target, points, 2, field: "target", weightsField: "target-weights"));
    }
}
