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

    /// <summary>Row-major count x dimension points uniform on the unit sphere S^{dimension-1} (normalised Gaussians).</summary>
    public static double[] UniformSphere(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        var positions = new double[count * dimension];
        for (var i = 0; i < count; i++)
        {
            var row = positions.AsSpan(i * dimension, dimension);
            var norm = 0.0;
            for (var k = 0; k < dimension; k++)
            {
                // Box-Muller: one standard normal from two uniforms.
                var u = 1.0 - random.NextDouble();
                var v = random.NextDouble();
                row[k] = Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
                norm += row[k] * row[k];
            }

            norm = Math.Sqrt(norm);
            for (var k = 0; k < dimension; k++)
            {
                row[k] /= norm;
            }
        }

        return positions;
    }
}
