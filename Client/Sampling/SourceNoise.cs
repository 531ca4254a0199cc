namespace Transport.Client.Sampling;

/// <summary>The standard source noise of a run, drawn with the engine's one convention (<see cref="Numerics.Sampling.SourceNoise"/>).</summary>
internal static class SourceNoise
{
    /// <summary>Standard normal points for particles firstId .. firstId + count - 1 (row-major count x d).</summary>
    public static double[] Draw(long seed, long firstId, int count, int dimension)
    {
        var points = new double[checked(count * dimension)];
        Numerics.Sampling.SourceNoise.Fill(seed, firstId, dimension, points);
        return points;
    }

    /// <summary>Standard normal points for particles 0 .. count - 1.</summary>
    public static double[] Create(long seed, int count, int dimension) => Draw(seed, 0, count, dimension);
}
