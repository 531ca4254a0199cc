using Transport.Numerics.Randomness;

namespace Transport.Client.Sampling;

/// <summary>
/// The standard normal source points x0 of <c>transport sample</c> when no <c>--noise</c> is given. Entry (i, c) is
/// <see cref="CounterRandom.Normal"/>(seed, i, <see cref="Step"/>, 0, c), a pure function of the seed and the particle
/// id, so every runner (local or sharded on a cluster) draws the same points.
/// </summary>
internal static class SourceNoise
{
    /// <summary>
    /// The step word of the source draws. The SDE increments use steps 0, 1, ...; a negative step keeps the source
    /// independent of them.
    /// </summary>
    public const long Step = -1;

    /// <summary>Draws particles <paramref name="firstId"/> .. firstId + count - 1 (row-major count x d).</summary>
    public static double[] Draw(long seed, long firstId, int count, int dimension)
    {
        var points = new double[checked(count * dimension)];
        CounterRandom.FillNormals(seed, firstId, Step, 0, dimension, points);
        return points;
    }
}
