namespace Transport.Bench;

/// <summary>Deterministic random point clouds in the unit cube.</summary>
internal static class Clouds
{
    /// <summary>Row-major count x dimension coordinates, uniform in [0, 1).</summary>
    public static double[] UnitCube(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        var positions = new double[count * dimension];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = random.NextDouble();
        }

        return positions;
    }
}
