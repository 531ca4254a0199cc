using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>
/// The linear maps y = A x that <see cref="IDenoisingTarget.MapLinear"/> pushes a target through: shape checks and
/// the application to row-major point sets. A is r x d, with d the target's dimension and any r &gt;= 1.
/// </summary>
internal static class LinearMap
{
    /// <summary>The field name reported for a bad map.</summary>
    public const string Field = "map";

    /// <summary>Smallest eigenvalue of a mapped covariance, relative to the largest, accepted as positive definite.</summary>
    public const double ConditionFloor = 1e-12;

    /// <summary>Checks that <paramref name="map"/> is present, has <paramref name="dimension"/> columns and finite entries; returns a dense copy.</summary>
    public static Matrix<double> Checked(Matrix<double>? map, int dimension)
    {
        if (map is null)
        {
            throw new InvalidInputException(Field, "the linear map is missing");
        }

        if (map.ColumnCount != dimension || map.RowCount < 1)
        {
            throw new InvalidInputException(
                Field, $"is {map.RowCount} x {map.ColumnCount}, expected r x {dimension} (r >= 1) to act on points of dimension {dimension}");
        }

        var copy = Matrix<double>.Build.DenseOfMatrix(map);
        for (var i = 0; i < copy.RowCount; i++)
        {
            for (var j = 0; j < copy.ColumnCount; j++)
            {
                if (!double.IsFinite(copy[i, j]))
                {
                    throw new InvalidInputException(Field, $"entry [{i}, {j}] is {copy[i, j]}, not a finite number");
                }
            }
        }

        return copy;
    }

    /// <summary>A x for one point; the image must be finite (an overflow is reported against the map).</summary>
    public static double[] Apply(Matrix<double> map, ReadOnlySpan<double> point)
    {
        var image = new double[map.RowCount];
        ApplyInto(map.ToRowMajorArray(), point, image);
        return image;
    }

    /// <summary>
    /// Maps every row of the row-major <paramref name="points"/> (count x map.ColumnCount) and returns the row-major
    /// images (count x map.RowCount).
    /// </summary>
    public static double[] ApplyToRows(Matrix<double> map, ReadOnlySpan<double> points)
    {
        var d = map.ColumnCount;
        var r = map.RowCount;
        var count = points.Length / d;
        var images = new double[count * r];
        var rowMajor = map.ToRowMajorArray();
        for (var j = 0; j < count; j++)
        {
            ApplyInto(rowMajor, points.Slice(j * d, d), images.AsSpan(j * r, r));
        }

        return images;
    }

    /// <summary>
    /// A Sigma A^T, symmetrised so that rounding leaves no asymmetry. Throws when it is not numerically positive
    /// definite: its smallest eigenvalue must exceed <see cref="ConditionFloor"/> times the largest. A bare Cholesky
    /// check would accept a rank-deficient A whose product rounding leaves with a tiny positive pivot.
    /// </summary>
    public static Matrix<double> Congruence(Matrix<double> map, Matrix<double> covariance)
    {
        var image = map * covariance * map.Transpose();
        image = (image + image.Transpose()) * 0.5;
        var eigenvalues = image.Evd(Symmetricity.Symmetric).EigenValues.Select(value => value.Real).ToArray();
        var smallest = eigenvalues.Min();
        var largest = eigenvalues.Max();
        if (!(smallest > ConditionFloor * largest))
        {
            throw new InvalidInputException(
                Field,
                $"the mapped covariance A Sigma A^T has eigenvalues in [{smallest:G4}, {largest:G4}], not positive definite; the map must have full row rank");
        }

        return image;
    }

    /// <summary>image = A point, with A given row-major (image.Length x point.Length) to avoid per-entry indexer calls.</summary>
    private static void ApplyInto(double[] rowMajorMap, ReadOnlySpan<double> point, Span<double> image)
    {
        var d = point.Length;
        for (var i = 0; i < image.Length; i++)
        {
            var row = rowMajorMap.AsSpan(i * d, d);
            var sum = 0.0;
            for (var k = 0; k < d; k++)
            {
                sum += row[k] * point[k];
            }

            if (!double.IsFinite(sum))
            {
                throw new InvalidInputException(Field, $"the image of a point has coordinate {i} = {sum}, not a finite number");
            }

            image[i] = sum;
        }
    }
}
