namespace Transport.Numerics.Tests.Kernels;

/// <summary>
/// The brute-force float64 truth of the softmax reduction for one query x against keys y_j with log-weights h_j and
/// values v_j: s_j = h_j - scale |x - y_j|^2, its maximum, log sum_j e^{s_j}, the softmax means of v and of
/// |x - y_j|^2. Two plain passes, no tiling, no SIMD.
/// </summary>
internal static class SoftmaxReference
{
    public static (double Max, double LogSumExp, double[] Mean, double Moment) Of(
        ReadOnlySpan<double> x, double[] y, double[] h, double[] v, int dim, int valueDimension, double scale)
    {
        var m = h.Length;
        var scores = new double[m];
        var distances = new double[m];
        var max = double.NegativeInfinity;
        for (var j = 0; j < m; j++)
        {
            var dist = 0.0;
            for (var k = 0; k < dim; k++)
            {
                var diff = x[k] - y[(j * dim) + k];
                dist += diff * diff;
            }

            distances[j] = dist;
            scores[j] = h[j] - (scale * dist);
            max = Math.Max(max, scores[j]);
        }

        var sum = 0.0;
        var moment = 0.0;
        var mean = new double[valueDimension];
        for (var j = 0; j < m; j++)
        {
            var e = Math.Exp(scores[j] - max);
            sum += e;
            moment += e * distances[j];
            for (var k = 0; k < valueDimension; k++)
            {
                mean[k] += e * v[(j * valueDimension) + k];
            }
        }

        for (var k = 0; k < valueDimension; k++)
        {
            mean[k] /= sum;
        }

        return (max, max + Math.Log(sum), mean, moment / sum);
    }
}
