using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// Test-side tools for the attention models: random tokens, a plain RK4 loop (with renormalisation onto
/// the sphere after each step) over <see cref="LocalFlowStage.Velocity"/>, and a brute-force float64
/// O(n^2) attention written entry by entry, sharing no code with the library.
/// </summary>
internal static class AttentionTestSupport
{
    public enum BruteMode
    {
        SoftmaxSphere,
        UnnormalisedSphere,
        SoftmaxEuclidean,
    }

    /// <summary>n tokens uniform on S^{d-1} (normalised Gaussians, Box-Muller).</summary>
    public static double[] UniformSphere(int n, int d, int seed, bool upperHalf = false)
    {
        var random = new Random(seed);
        var x = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var norm = 0.0;
            for (var k = 0; k < d; k++)
            {
                var value = Gaussian(random);
                x[(i * d) + k] = value;
                norm += value * value;
            }

            norm = Math.Sqrt(norm);
            for (var k = 0; k < d; k++)
            {
                x[(i * d) + k] /= norm;
            }

            if (upperHalf)
            {
                x[(i * d) + d - 1] = Math.Abs(x[(i * d) + d - 1]);
            }
        }

        return x;
    }

    public static double[] Gaussians(int count, int seed, double scale = 1.0)
    {
        var random = new Random(seed);
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = scale * Gaussian(random);
        }

        return result;
    }

    public static double[] Uniform(int n) => Enumerable.Repeat(1.0 / n, n).ToArray();

    public static double[] RandomWeights(int n, int seed)
    {
        var random = new Random(seed);
        var a = new double[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = 0.2 + random.NextDouble();
        }

        var total = a.Sum();
        for (var i = 0; i < n; i++)
        {
            a[i] /= total;
        }

        return a;
    }

    /// <summary>
    /// Classic RK4 from t = 0 with step h; after each step the tokens are renormalised onto the unit
    /// sphere when <paramref name="renormalise"/>. <paramref name="afterStep"/> sees (step, positions).
    /// </summary>
    public static void Rk4(IFlowModel model, double[] x, double[] a, int d, double h, int steps, bool renormalise, Action<int, double[]>? afterStep = null)
    {
        var n = a.Length;
        var k1 = new double[n * d];
        var k2 = new double[n * d];
        var k3 = new double[n * d];
        var k4 = new double[n * d];
        var stage = new double[n * d];
        for (var step = 0; step < steps; step++)
        {
            var t = step * h;
            Evaluate(model, x, a, d, t, k1);
            Axpy(x, 0.5 * h, k1, stage);
            Evaluate(model, stage, a, d, t + (0.5 * h), k2);
            Axpy(x, 0.5 * h, k2, stage);
            Evaluate(model, stage, a, d, t + (0.5 * h), k3);
            Axpy(x, h, k3, stage);
            Evaluate(model, stage, a, d, t + h, k4);
            for (var e = 0; e < x.Length; e++)
            {
                x[e] += h / 6.0 * (k1[e] + (2 * k2[e]) + (2 * k3[e]) + k4[e]);
            }

            if (renormalise)
            {
                Normalise(x, d);
            }

            afterStep?.Invoke(step + 1, x);
        }
    }

    public static void Evaluate(IFlowModel model, double[] x, double[] a, int d, double t, double[] velocity)
    {
        var block = new ParticleBlock((double[])x.Clone(), a, d, 0);
        LocalFlowStage.Velocity(model, block, t, velocity);
    }

    public static double Energy(IFlowModel model, double[] x, double[] a, int d) =>
        LocalFlowStage.Energy(model, new ParticleBlock((double[])x.Clone(), a, d, 0), 0.0);

    public static void Normalise(double[] x, int d)
    {
        for (var i = 0; i < x.Length / d; i++)
        {
            var norm = 0.0;
            for (var k = 0; k < d; k++)
            {
                norm += x[(i * d) + k] * x[(i * d) + k];
            }

            norm = Math.Sqrt(norm);
            for (var k = 0; k < d; k++)
            {
                x[(i * d) + k] /= norm;
            }
        }
    }

    /// <summary>min over i != j of &lt;x_i, x_j&gt;, O(n^2) (test truth).</summary>
    public static double MinPairwise(double[] x, int d)
    {
        var n = x.Length / d;
        var min = double.PositiveInfinity;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                min = Math.Min(min, Dot(x, i, x, j, d));
            }
        }

        return min;
    }

    public static double Dot(double[] x, int i, double[] y, int j, int d)
    {
        var s = 0.0;
        for (var k = 0; k < d; k++)
        {
            s += x[(i * d) + k] * y[(j * d) + k];
        }

        return s;
    }

    /// <summary>M x for every token (M is r x d row-major; null: identity).</summary>
    public static double[] Apply(double[]? matrix, double[] x, int d)
    {
        if (matrix is null)
        {
            return (double[])x.Clone();
        }

        var n = x.Length / d;
        var r = matrix.Length / d;
        var result = new double[n * r];
        for (var i = 0; i < n; i++)
        {
            for (var row = 0; row < r; row++)
            {
                var s = 0.0;
                for (var k = 0; k < d; k++)
                {
                    s += matrix[(row * d) + k] * x[(i * d) + k];
                }

                result[(i * r) + row] = s;
            }
        }

        return result;
    }

    /// <summary>Brute-force attention velocities: full score matrix, two-pass max-shifted softmax, float64.</summary>
    public static double[] BruteForce(BruteMode mode, double[] x, double[] a, int d, double beta, double[]? q = null, double[]? k = null, double[]? v = null)
    {
        var n = a.Length;
        var qx = Apply(q, x, d);
        var kx = Apply(k, x, d);
        var vx = Apply(v, x, d);
        var r = qx.Length / n;
        var scores = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                scores[i, j] = beta * Dot(qx, i, kx, j, r);
            }
        }

        var result = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < n; j++)
            {
                max = Math.Max(max, scores[i, j]);
            }

            var z = 0.0;
            var u = new double[d];
            for (var j = 0; j < n; j++)
            {
                var w = a[j] * Math.Exp(scores[i, j] - max);
                z += w;
                for (var c = 0; c < d; c++)
                {
                    u[c] += w * vx[(j * d) + c];
                }
            }

            var factor = mode == BruteMode.UnnormalisedSphere ? Math.Exp(max) : 1.0 / z;
            for (var c = 0; c < d; c++)
            {
                u[c] *= factor;
            }

            if (mode != BruteMode.SoftmaxEuclidean)
            {
                var xu = 0.0;
                var xx = 0.0;
                for (var c = 0; c < d; c++)
                {
                    xu += x[(i * d) + c] * u[c];
                    xx += x[(i * d) + c] * x[(i * d) + c];
                }

                for (var c = 0; c < d; c++)
                {
                    u[c] -= xu / xx * x[(i * d) + c];
                }
            }

            u.CopyTo(result, i * d);
        }

        return result;
    }

    /// <summary>max_e |actual - expected| &lt;= tolerance * max(1, max |expected|).</summary>
    public static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1.0, expected.Max(Math.Abs));
        var worst = 0.0;
        for (var e = 0; e < expected.Length; e++)
        {
            worst = Math.Max(worst, Math.Abs(expected[e] - actual[e]));
        }

        Assert.True(worst <= tolerance * scale, $"{what}: max error {worst:E3} > {tolerance:E1} x {scale:G4}");
    }

    private static void Axpy(double[] x, double h, double[] k, double[] result)
    {
        for (var e = 0; e < x.Length; e++)
        {
            result[e] = x[e] + (h * k[e]);
        }
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
