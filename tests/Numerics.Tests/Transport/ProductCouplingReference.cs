using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

/// <summary>The product coupling a (x) b of a problem and the second-order expansion of OT_eps around it, in float64.</summary>
internal sealed class ProductCouplingReference
{
    private double residualSquares;

    public double Cost { get; private set; }

    public double[] TargetMean { get; private set; } = [];

    /// <summary>&lt;a (x) b, C&gt; - sum a_i b_j R_ij^2 / (2 eps).</summary>
    public double Dual(double epsilon) => Cost - (residualSquares / (2 * epsilon));

    public static ProductCouplingReference Of(SinkhornProblem problem)
    {
        var a = problem.Source.Weights.ToArray();
        var b = problem.Target.Weights.ToArray();
        var x = problem.Source.Positions.ToArray();
        var y = problem.Target.Positions.ToArray();
        var d = problem.Source.Dimension;
        var c = new double[a.Length, b.Length];
        var rows = new double[a.Length];
        var columns = new double[b.Length];
        var mean = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                var s = 0.0;
                for (var k = 0; k < d; k++)
                {
                    s += (x[(i * d) + k] - y[(j * d) + k]) * (x[(i * d) + k] - y[(j * d) + k]);
                }

                c[i, j] = s;
                rows[i] += b[j] * s;
                columns[j] += a[i] * s;
                mean += a[i] * b[j] * s;
            }
        }

        var squares = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                var residual = c[i, j] - rows[i] - columns[j] + mean;
                squares += a[i] * b[j] * residual * residual;
            }
        }

        var targetMean = new double[d];
        for (var j = 0; j < b.Length; j++)
        {
            for (var k = 0; k < d; k++)
            {
                targetMean[k] += b[j] * y[(j * d) + k];
            }
        }

        return new ProductCouplingReference
        {
            Cost = mean,
            residualSquares = squares,
            TargetMean = targetMean,
        };
    }
}
