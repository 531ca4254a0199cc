namespace Transport.Numerics.Geometry;

/// <summary>Points on the unit sphere: the projection the sphere flows use, and uniform clouds on it.</summary>
public static class UnitSphere
{
    /// <summary>x &lt;- x / |x| (a zero vector stays zero: it has no direction).</summary>
    public static void Normalise(Span<double> x)
    {
        var squared = 0.0;
        for (var c = 0; c < x.Length; c++)
        {
            squared += x[c] * x[c];
        }

        if (squared == 0)
        {
            return;
        }

        var inverse = 1.0 / Math.Sqrt(squared);
        for (var c = 0; c < x.Length; c++)
        {
            x[c] *= inverse;
        }
    }

    /// <summary>
    /// <paramref name="count"/> points uniform on the unit sphere in dimension <paramref name="dimension"/> (row-major):
    /// counter-based standard normals (seed, point index) projected to the sphere, so a point does not depend on how
    /// many are drawn.
    /// </summary>
    public static double[] Uniform(int count, int dimension, long seed)
    {
        var positions = new double[count * dimension];
        for (var i = 0; i < count; i++)
        {
            var point = positions.AsSpan(i * dimension, dimension);
            Randomness.CounterRandom.FillNormals(seed, i, 0, 0, dimension, point);
            Normalise(point);
        }

        return positions;
    }
}
