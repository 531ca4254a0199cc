using Transport.Numerics.Kernels;

namespace Transport.Numerics.Sampling;

/// <summary>
/// A contiguous block of a data set whose denoiser is a softmax reduction over the data: for coefficients (a, b)
/// and a batch of particles it returns the block's <see cref="SoftmaxPartials"/> (max, sum, weighted value sums), and
/// partials of disjoint blocks combine in block order into the whole data set's D = u / z. Data shards hold one; the
/// empirical target is <see cref="EmpiricalDataBlock"/>, and coupled ("pairs") data can be a second implementation.
/// </summary>
public interface IDenoisingDataBlock
{
    /// <summary>The dimension of the particles and of the values.</summary>
    int Dimension { get; }

    /// <summary>Number of data points in the block.</summary>
    int Count { get; }

    /// <summary>The block's partials for the row-major batch <paramref name="x"/> at coefficients a &gt; 0, b &gt;= 0.</summary>
    SoftmaxPartials Reduce(double a, double b, ReadOnlySpan<double> x);
}
