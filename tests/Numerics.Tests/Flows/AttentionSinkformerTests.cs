using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Kernels;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// The Sinkformer (math.md 6.3, TR-5) against an independent dense log-domain Sinkhorn written here:
/// double stochasticity of A, the potential, the velocity, the energy, and the gradient identity
/// sum_j A_ij x_j = -(n/(2 beta)) d OT_1(alpha, alpha)/dx_i by central finite differences.
/// </summary>
public sealed class AttentionSinkformerTests
{
    /// <summary>Dense alternating Sinkhorn for OT_1(alpha, alpha) with cost -beta &lt;x_i, x_j&gt;.</summary>
    private sealed class DenseSelfTransport
    {
        public const int MaxIterations = 20_000;

        public DenseSelfTransport(double[] x, double[] a, int d, double beta)
        {
            var n = a.Length;
            var cost = new double[n, n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    cost[i, j] = -beta * Dot(x, i, x, j, d);
                }
            }

            F = new double[n];
            G = new double[n];
            for (var iteration = 0; iteration < MaxIterations; iteration++)
            {
                for (var i = 0; i < n; i++)
                {
                    F[i] = -Lse(n, j => Math.Log(a[j]) + G[j] - cost[i, j]);
                }

                var change = 0.0;
                for (var j = 0; j < n; j++)
                {
                    var updated = -Lse(n, i => Math.Log(a[i]) + F[i] - cost[i, j]);
                    change = Math.Max(change, Math.Abs(updated - G[j]));
                    G[j] = updated;
                }

                Iterations = iteration + 1;
                if (change <= 1e-14 * Math.Max(1.0, G.Max(Math.Abs)))
                {
                    break;
                }
            }

            // Alternating Sinkhorn crawls when the plan is nearly block diagonal (tokens far apart against
            // eps = 1); the tests keep to configurations where it converges, and check that it did.
            Assert.True(Iterations < MaxIterations, "dense reference Sinkhorn did not converge");
            Plan = new double[n, n];
            var mass = 0.0;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    Plan[i, j] = a[i] * a[j] * Math.Exp(F[i] + G[j] - cost[i, j]);
                    mass += Plan[i, j];
                }
            }

            // Dual value <a, f> + <a, g> - eps (mass - 1), eps = 1.
            Value = -(mass - 1);
            for (var i = 0; i < n; i++)
            {
                Value += a[i] * (F[i] + G[i]);
            }
        }

        public int Iterations { get; }

        public double[] F { get; }

        public double[] G { get; }

        public double[,] Plan { get; }

        public double Value { get; }

        private static double Lse(int count, Func<int, double> term)
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

    private static double[] Potential(SinkformerModel model, double[] x, double[] a, int d) =>
        LocalFlowStage.Globals(model, new ParticleBlock((double[])x.Clone(), a, d, 0), 0.0).StageData.ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AttentionIsDoublyStochastic(bool weighted)
    {
        // TR-5: n = 6, d = 3, beta = 2. A_ij = a_j e^{f_i + f_j + beta <x_i, x_j>} from the model's potential;
        // rows sum to 1 and columns satisfy sum_i a_i A_ij = a_j (= 1 after dividing by a_j = 1/n): 1e-11.
        const int d = 3;
        const double beta = 2.0;
        var n = weighted ? 9 : 6;
        var x = UniformSphere(n, d, seed: 101);
        var a = weighted ? RandomWeights(n, seed: 102) : Uniform(n);
        var model = new SinkformerModel(d, beta);
        var f = Potential(model, x, a, d);
        for (var i = 0; i < n; i++)
        {
            var row = 0.0;
            var column = 0.0;
            for (var j = 0; j < n; j++)
            {
                row += a[j] * Math.Exp(f[i] + f[j] + (beta * Dot(x, i, x, j, d)));
                column += a[j] * Math.Exp(f[j] + f[i] + (beta * Dot(x, j, x, i, d)));
            }

            Assert.True(Math.Abs(row - 1) < 1e-11, $"row {i} sums to {row:R}");
            Assert.True(Math.Abs(column - 1) < 1e-11, $"column {i} sums to {column:R} (divided by a_{i})");
        }

        var dense = new DenseSelfTransport(x, a, d, beta);
        for (var i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(f[i] - (0.5 * (dense.F[i] + dense.G[i]))) < 1e-11, $"potential {i}: {f[i]:R} vs {0.5 * (dense.F[i] + dense.G[i]):R}");
        }

        var solution = model.SolvePotential(x, a);
        Assert.True(solution.Residual <= 1e-12 * Math.Max(1, solution.Potential.Max(Math.Abs)));
        Assert.InRange(solution.Iterations, 2, 200);
    }

    [Theory]
    [InlineData(false, 6, 2.0)]
    [InlineData(true, 11, 3.0)]
    [InlineData(true, 7, 0.0)]
    public void VelocityIsThePlanAverageOfTheValues(bool onSphere, int n, double beta)
    {
        // Truth: sum_j (P_ij / a_i) V x_j with P from the dense Sinkhorn (then P^perp on the sphere): 1e-10.
        const int d = 3;
        var x = UniformSphere(n, d, seed: 111);
        var a = RandomWeights(n, seed: 112);
        var v = Gaussians(d * d, seed: 113);
        var model = new SinkformerModel(d, beta, onSphere, new AttentionMatrices(d, value: v));
        var velocity = new double[n * d];
        Evaluate(model, x, a, d, 0.0, velocity);
        var dense = new DenseSelfTransport(x, a, d, beta);
        var vx = Apply(v, x, d);
        var expected = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var c = 0; c < d; c++)
                {
                    expected[(i * d) + c] += dense.Plan[i, j] / a[i] * vx[(j * d) + c];
                }
            }

            if (onSphere)
            {
                var dot = 0.0;
                for (var c = 0; c < d; c++)
                {
                    dot += x[(i * d) + c] * expected[(i * d) + c];
                }

                for (var c = 0; c < d; c++)
                {
                    expected[(i * d) + c] -= dot * x[(i * d) + c];
                }
            }
        }

        AssertClose(expected, velocity, 1e-10, $"sinkformer velocity (sphere {onSphere}, beta {beta})");
    }

    [Fact]
    public void VelocityIsTheScaledGradientOfSelfTransport()
    {
        // TR-5: n = 6, d = 3, beta = 2, V = I: sum_j A_ij x_j = -(n/(2 beta)) dOT_1/dx_i, OT_1 from the dense
        // Sinkhorn, central differences with step 1e-5, tokens uniform on the sphere. Tolerance 1e-7.
        const int n = 6;
        const int d = 3;
        const double beta = 2.0;
        const double step = 1e-5;
        var x = UniformSphere(n, d, seed: 121);
        var a = Uniform(n);
        var model = new SinkformerModel(d, beta);
        var velocity = new double[n * d];
        Evaluate(model, x, a, d, 0.0, velocity);
        var worst = 0.0;
        for (var e = 0; e < n * d; e++)
        {
            var plus = (double[])x.Clone();
            plus[e] += step;
            var minus = (double[])x.Clone();
            minus[e] -= step;
            var gradient = (new DenseSelfTransport(plus, a, d, beta).Value - new DenseSelfTransport(minus, a, d, beta).Value) / (2 * step);
            worst = Math.Max(worst, Math.Abs(velocity[e] + (n / (2 * beta) * gradient)));
        }

        Assert.True(worst < 1e-7, $"gradient identity: max discrepancy {worst:E3}");
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    public void EnergyIsHalfTheSelfTransportOverBeta(double beta)
    {
        // F = OT_1(alpha, alpha) / (2 beta), OT_1 from the dense Sinkhorn: relative 1e-11.
        const int n = 10;
        const int d = 3;
        var x = Gaussians(n * d, seed: 131, scale: 0.5);
        var a = RandomWeights(n, seed: 132);
        var model = new SinkformerModel(d, beta);
        var expected = new DenseSelfTransport(x, a, d, beta).Value / (2 * beta);
        TestData.AssertRelative(expected, Energy(model, x, a, d), 1e-11, what: "sinkformer energy");
    }

    [Fact]
    public void EnergyAtBetaZeroIsMinusHalfTheSquaredMean()
    {
        const int n = 10;
        const int d = 3;
        var x = Gaussians(n * d, seed: 141);
        var a = RandomWeights(n, seed: 142);
        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < d; c++)
            {
                mean[c] += a[i] * x[(i * d) + c];
            }
        }

        var expected = -0.5 * mean.Sum(m => m * m);
        TestData.AssertRelative(expected, Energy(new SinkformerModel(d, 0.0), x, a, d), 1e-13, what: "beta = 0 energy");
    }

    [Fact]
    public void EnergyDecreasesAlongTheFlow()
    {
        // V = I, Euclidean: x_i' = -(1/a_i) dF/dx_i, so F never increases (slack 1e-12); RK4 h = 0.05, 60 steps.
        const int n = 16;
        const int d = 3;
        var x = Gaussians(n * d, seed: 151);
        var a = Uniform(n);
        var model = new SinkformerModel(d, 1.0, maxDegreeOfParallelism: 1);
        var previous = Energy(model, x, a, d);
        var initial = previous;
        var worstRise = 0.0;
        Rk4(model, x, a, d, 0.05, 60, renormalise: false, (_, positions) =>
        {
            var energy = Energy(model, positions, a, d);
            worstRise = Math.Max(worstRise, energy - previous);
            previous = energy;
        });

        Assert.True(worstRise <= 1e-12, $"energy rose by {worstRise:E3}");
        Assert.True(previous < initial - 1e-3, $"energy should decrease: {initial} -> {previous}");
    }

    [Fact]
    public void SinglePrecisionVelocityIsCloseToDouble()
    {
        // The potential is solved in float64 either way; the float32 velocity kernel is within 1e-5.
        const int n = 40;
        const int d = 3;
        var x = UniformSphere(n, d, seed: 171);
        var a = Uniform(n);
        var exact = new double[n * d];
        Evaluate(new SinkformerModel(d, 2.0, onSphere: true), x, a, d, 0.0, exact);
        var single = new double[n * d];
        Evaluate(new SinkformerModel(d, 2.0, onSphere: true, precision: Precision.Single), x, a, d, 0.0, single);
        AssertClose(exact, single, 1e-5, "float32 sinkformer velocity");
    }

    [Fact]
    public void UnreachableToleranceIsAnError()
    {
        var x = UniformSphere(8, 3, seed: 161);
        var model = new SinkformerModel(3, 2.0, maxIterations: 3);
        var error = Assert.Throws<InvalidOperationException>(() => model.SolvePotential(x, Uniform(8)));
        Assert.Contains("did not reach", error.Message, StringComparison.Ordinal);
    }
}
