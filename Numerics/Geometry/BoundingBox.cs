namespace Transport.Numerics.Geometry;

/// <summary>An axis-aligned box; combines associatively (the R3 min/max reduction of math.md 1.3).</summary>
public sealed record BoundingBox(double[] Min, double[] Max)
{
    /// <summary>The box of the points of <paramref name="cloud"/>.</summary>
    public static BoundingBox Of(PointCloud cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var d = cloud.Dimension;
        var min = new double[d];
        var max = new double[d];
        Array.Fill(min, double.PositiveInfinity);
        Array.Fill(max, double.NegativeInfinity);
        var p = cloud.Positions;
        for (var i = 0; i < cloud.Count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                var v = p[(i * d) + k];
                min[k] = Math.Min(min[k], v);
                max[k] = Math.Max(max[k], v);
            }
        }

        return new BoundingBox(min, max);
    }

    /// <summary>The smallest box holding both boxes.</summary>
    public BoundingBox Union(BoundingBox other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var min = new double[Min.Length];
        var max = new double[Max.Length];
        for (var k = 0; k < Min.Length; k++)
        {
            min[k] = Math.Min(Min[k], other.Min[k]);
            max[k] = Math.Max(Max[k], other.Max[k]);
        }

        return new BoundingBox(min, max);
    }

    /// <summary>Length of the diagonal: the "diameter" D of math.md 3.4.</summary>
    public double Diameter
    {
        get
        {
            var sum = 0.0;
            for (var k = 0; k < Min.Length; k++)
            {
                var side = Max[k] - Min[k];
                sum += side * side;
            }

            return Math.Sqrt(sum);
        }
    }
}
