using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Gaussian kernel sums through the shared softmax reduction (never an n x m matrix): for queries x_i
/// against weighted keys (y_j, w_j), S_i = sum_j w_j exp(-scale |x_i - y_j|^2) and
/// U_i = sum_j w_j exp(-scale |x_i - y_j|^2) y_j. The reduction runs with log-weights log w_j and the
/// key positions as values, then S_i = e^{m_i} z_i and U_i = e^{m_i} u_i. Keys are laid out once and
/// reused (immutable after construction).
/// </summary>
internal sealed class GaussianKernelSums
{
    private readonly KeyPoints<double> keys;
    private readonly double[] logWeights;
    private readonly double[] values;
    private readonly double scale;
    private readonly int maxDegreeOfParallelism;

    /// <summary>Lays out the keys (row-major positions, weights) for kernel exp(-scale |x - y|^2).</summary>
    public GaussianKernelSums(ReadOnlySpan<double> keyPositions, ReadOnlySpan<double> keyWeights, int dimension, double scale, int maxDegreeOfParallelism)
    {
        var count = keyWeights.Length;
        keys = new KeyPoints<double>(keyPositions, count, dimension);
        logWeights = keys.CreateLogWeightBuffer();
        for (var j = 0; j < count; j++)
        {
            logWeights[j] = keyWeights[j] > 0 ? Math.Log(keyWeights[j]) : double.NegativeInfinity;
        }

        values = keys.LayoutValues(keyPositions, dimension);
        this.scale = scale;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        Dimension = dimension;
    }

    /// <summary>Dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Writes S_i into <paramref name="sums"/> (one per query) and U_i into <paramref name="weighted"/>
    /// (row-major, query count x dimension).
    /// </summary>
    public void Compute(ReadOnlySpan<double> queryPositions, int queryCount, Span<double> sums, Span<double> weighted)
    {
        var d = Dimension;
        var queries = new QueryPoints<double>(queryPositions, queryCount, d);
        var partials = new SoftmaxPartials(queryCount, d);
        SoftmaxReduction.Reduce(queries, keys, logWeights, scale, partials, values, maxDegreeOfParallelism);
        for (var i = 0; i < queryCount; i++)
        {
            var factor = partials.Sum[i] > 0 ? Math.Exp(partials.Max[i]) : 0.0;
            sums[i] = factor * partials.Sum[i];
            for (var k = 0; k < d; k++)
            {
                weighted[(i * d) + k] = factor * partials.Weighted[(i * d) + k];
            }
        }
    }
}
