using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Bench;

/// <summary>Deterministic random point clouds for the bench problems.</summary>
internal static class Clouds
{
    /// <summary>
    /// The issue 10 bench problem: N points uniform in [0, 1)^d (seed <paramref name="seed"/>) against N points of the
    /// Gaussian blob N(0.5, 0.1^2 I) (seed + 1), uniform weights.
    /// </summary>
    public static SinkhornProblem CubeAgainstBlob(int n, int dimension, int seed)
    {
        var x = UnitCube(n, dimension, seed);
        var random = new Random(seed + 1);
        var y = new double[n * dimension];
        for (var i = 0; i < y.Length; i++)
        {
            // Box-Muller: one standard normal from two uniforms.
            var u = 1.0 - random.NextDouble();
            var v = random.NextDouble();
            y[i] = 0.5 + (0.1 * Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
        }

        return new SinkhornProblem(PointCloud.Create(x, n, dimension), PointCloud.Create(y, n, dimension));
    }

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
