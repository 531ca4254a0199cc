using MathNet.Numerics.LinearAlgebra;
using ScottPlot;
using Transport.Numerics.Geometry;

namespace Transport.Client;

/// <summary>
/// How the console's plots of two clouds place points on a page: at most a few thousand of each (evenly spaced in input
/// order), 2-D as is, d &gt; 2 on the two principal axes of the drawn points of both clouds.
/// </summary>
internal sealed class CloudProjection
{
    private readonly Matrix<double>? axes;

    private CloudProjection(Matrix<double>? axes) => this.axes = axes;

    /// <summary>The projection for <paramref name="source"/> and <paramref name="target"/>, drawing at most <paramref name="maxPoints"/> of each.</summary>
    public static CloudProjection For(PointCloud source, PointCloud target, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return For(source.Dimension, maxPoints, source.Positions.ToArray(), target.Positions.ToArray());
    }

    /// <summary>The projection for <paramref name="clouds"/> (row-major, dimension <paramref name="d"/>), at most <paramref name="maxPoints"/> of each.</summary>
    public static CloudProjection For(int d, int maxPoints, params double[][] clouds)
    {
        ArgumentNullException.ThrowIfNull(clouds);
        if (d <= 2)
        {
            return new CloudProjection(null);
        }

        var points = clouds.SelectMany(cloud => Spread(cloud.Length / d, maxPoints).Select(i => cloud.AsSpan(i * d, d).ToArray())).ToArray();
        var data = Matrix<double>.Build.Dense(points.Length, d, (i, k) => points[i][k]);
        var mean = data.ColumnSums() / points.Length;
        var centred = data - Matrix<double>.Build.Dense(points.Length, d, (_, k) => mean[k]);
        var vectors = centred.TransposeThisAndMultiply(centred).Evd(Symmetricity.Symmetric).EigenVectors;
        // Eigenvalues ascend: the last column is the first principal axis (horizontal), the one before it the second.
        return new CloudProjection(Matrix<double>.Build.Dense(d, 2, (k, axis) => vectors[k, d - 1 - axis]));
    }

    /// <summary>At most <paramref name="count"/> indices of 0..n-1, evenly spaced.</summary>
    public static int[] Spread(int n, int count) =>
        n <= count ? [.. Enumerable.Range(0, n)] : [.. Enumerable.Range(0, count).Select(k => (int)((long)k * n / count))];

    /// <summary>A point of dimension 2 or more on the page (1-D points are placed by their callers).</summary>
    public Coordinates Project(ReadOnlySpan<double> point)
    {
        if (axes is null)
        {
            return new Coordinates(point[0], point[1]);
        }

        double x = 0, y = 0;
        for (var k = 0; k < point.Length; k++)
        {
            x += point[k] * axes[k, 0];
            y += point[k] * axes[k, 1];
        }

        return new Coordinates(x, y);
    }
}
