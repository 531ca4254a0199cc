using System.Numerics;

namespace Transport.Numerics.Kernels;

/// <summary>
/// Query points, row-major in the kernel's arithmetic type, padded with copies of the last point to a
/// multiple of <see cref="SoftmaxReduction.QueryGroup"/> so the register-blocked kernel needs no tail.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class QueryPoints<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Builds the layout from row-major float64 coordinates.</summary>
    public QueryPoints(ReadOnlySpan<double> rowMajor, int count, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (rowMajor.Length != count * dimension)
        {
            throw new ArgumentException($"expected {count * dimension} coordinates, got {rowMajor.Length}", nameof(rowMajor));
        }

        Count = count;
        Dimension = dimension;
        var group = SoftmaxReduction.QueryGroup;
        PaddedCount = Math.Max(group, (count + group - 1) / group * group);
        Coordinates = new T[PaddedCount * dimension];
        SquaredNorms = new double[PaddedCount];
        for (var i = 0; i < PaddedCount; i++)
        {
            var source = Math.Min(i, Math.Max(count - 1, 0));
            var norm = 0.0;
            for (var k = 0; k < dimension; k++)
            {
                var value = count == 0 ? 0.0 : rowMajor[(source * dimension) + k];
                Coordinates[(i * dimension) + k] = T.CreateTruncating(value);
                norm += value * value;
            }

            SquaredNorms[i] = norm;
        }
    }

    /// <summary>Number of real queries.</summary>
    public int Count { get; }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>Query count rounded up to a multiple of the query group.</summary>
    public int PaddedCount { get; }

    /// <summary>Row-major coordinates including padding rows.</summary>
    internal T[] Coordinates { get; }

    /// <summary>|x_i|^2 in float64 (dot-product path).</summary>
    internal double[] SquaredNorms { get; }
}
