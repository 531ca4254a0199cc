namespace Transport.Numerics.Tests;

/// <summary>
/// Independent float64 truth for small problems: the full cost matrix, log-domain Sinkhorn run to
/// machine precision with a plain two-pass log-sum-exp, and the plan's quantities computed entry by
/// entry. Shares no code with the library's kernels.
/// </summary>
internal sealed class DenseReference
{
    public DenseReference(double[] x, double[] a, double[] y, double[] b, int dim, double epsilon, double costScale, int iterations = 200_000, double tolerance = 1e-14)
    {
        N = a.Length;
        M = b.Length;
        Epsilon = epsilon;
        A = Normalise(a);
        B = Normalise(b);
        C = new double[N, M];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                var s = 0.0;
                for (var k = 0; k < dim; k++)
                {
                    var diff = x[(i * dim) + k] - y[(j * dim) + k];
                    s += diff * diff;
                }

                C[i, j] = costScale * s;
            }
        }

        F = new double[N];
        G = new double[M];
        for (var it = 0; it < iterations; it++)
        {
            for (var i = 0; i < N; i++)
            {
                F[i] = -epsilon * Lse(j => Math.Log(B[j]) + ((G[j] - C[i, j]) / epsilon), M);
            }

            var change = 0.0;
            for (var j = 0; j < M; j++)
            {
                var updated = -epsilon * Lse(i => Math.Log(A[i]) + ((F[i] - C[i, j]) / epsilon), N);
                change = Math.Max(change, Math.Abs(updated - G[j]));
                G[j] = updated;
            }

            if (change < tolerance)
            {
                break;
            }
        }

        // Final f update so rows are exact, like the solver's output.
        for (var i = 0; i < N; i++)
        {
            F[i] = -epsilon * Lse(j => Math.Log(B[j]) + ((G[j] - C[i, j]) / epsilon), M);
        }
    }

    public int N { get; }

    public int M { get; }

    public double Epsilon { get; }

    public double[] A { get; }

    public double[] B { get; }

    public double[,] C { get; }

    public double[] F { get; }

    public double[] G { get; }

    public double Plan(int i, int j) => A[i] * B[j] * Math.Exp((F[i] + G[j] - C[i, j]) / Epsilon);

    public double Cost()
    {
        var total = 0.0;
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                total += Plan(i, j) * C[i, j];
            }
        }

        return total;
    }

    public double Objective()
    {
        // <P, C> + eps KL(P | a x b), KL(P|Q) = sum P log(P/Q) - P + Q.
        var total = 0.0;
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                var p = Plan(i, j);
                var q = A[i] * B[j];
                total += p * C[i, j];
                if (p > 0)
                {
                    total += Epsilon * ((p * Math.Log(p / q)) - p + q);
                }
                else
                {
                    total += Epsilon * q;
                }
            }
        }

        return total;
    }

    public double Dual()
    {
        var total = 0.0;
        for (var i = 0; i < N; i++)
        {
            total += A[i] * F[i];
        }

        for (var j = 0; j < M; j++)
        {
            total += B[j] * G[j];
        }

        return total;
    }

    private static double[] Normalise(double[] w)
    {
        var sum = w.Sum();
        return w.Select(v => v / sum).ToArray();
    }

    /// <summary>log sum_k exp(term(k)), max-stabilised, in float64 (the tests' reference log-sum-exp).</summary>
    public static double Lse(Func<int, double> term, int count)
    {
        var max = double.NegativeInfinity;
        for (var k = 0; k < count; k++)
        {
            max = Math.Max(max, term(k));
        }

        var sum = 0.0;
        for (var k = 0; k < count; k++)
        {
            sum += Math.Exp(term(k) - max);
        }

        return max + Math.Log(sum);
    }
}
