using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using static Transport.Numerics.Tests.Flows.GradientFlowTestSupport;

namespace Transport.Numerics.Tests.Flows;

public sealed class MeanFieldNetworkTests
{
    private static readonly double[] Teacher = [1.0, -0.5];

    /// <summary>
    /// MF-1 dataset: z = +/- sqrt(2) e_k (k = 1, 2), so (1/N) sum z z^T = I exactly (the population
    /// S = I), and y = &lt;w*, z&gt; exactly, so R = w*.
    /// </summary>
    private static MeanFieldDataset LinearDataset()
    {
        var r = Math.Sqrt(2);
        double[] z = [r, 0, -r, 0, 0, r, 0, -r];
        var y = new double[4];
        for (var k = 0; k < 4; k++)
        {
            y[k] = (Teacher[0] * z[2 * k]) + (Teacher[1] * z[(2 * k) + 1]);
        }

        return new MeanFieldDataset(z, y, 4, 2, 1);
    }

    /// <summary>The two neurons of MF-1: u1 = (0.5, 0), v1 = 0.5, u2 = (0, 0.5), v2 = -0.5; a_i = 1/2.</summary>
    private static ParticleBlock LinearNeurons() => new([0.5, 0, 0.5, 0, 0.5, -0.5], [0.5, 0.5], 3, 0);

    /// <summary>
    /// MF-1: with sigma(s) = s the moments A = int u u^T, B = int v v^T, Q = int v u^T follow
    /// A' = -(H^T Q + Q^T H), B' = -(H Q^T + Q H^T), Q' = -(H A + B H) with H = Q S - R. Particles and
    /// the moment ODE are both integrated with RK4 (h = 1e-3) and agree to 1e-8 at t = 1 and t = 5;
    /// the risk starts at 0.453125 = |Q - w*|^2 / 2.
    /// </summary>
    [Fact]
    public void LinearActivationFollowsTheMomentOde()
    {
        var model = new MeanFieldNetworkModel(LinearDataset(), NetworkActivation.Linear);
        var block = LinearNeurons();
        Assert.Equal(0.453125, LocalFlowStage.Energy(model, block, 0), 1e-15);
        var moments = Moments(block);
        const double h = 1e-3;
        var t = 0.0;
        foreach (var checkpoint in new[] { 1.0, 5.0 })
        {
            while (t < checkpoint - (h / 2))
            {
                Rk4Step(model, block, t, h);
                moments = MomentRk4(moments, h);
                t += h;
            }

            var particle = Moments(block);
            for (var q = 0; q < moments.Length; q++)
            {
                Assert.Equal(moments[q], particle[q], 1e-8);
            }

            var q0 = moments[5] - Teacher[0];
            var q1 = moments[6] - Teacher[1];
            Assert.Equal(0.5 * ((q0 * q0) + (q1 * q1)), LocalFlowStage.Energy(model, block, t), 1e-12);
        }

        Assert.True(LocalFlowStage.Energy(model, block, t) < 0.01 * 0.453125);
    }

    /// <summary>
    /// MF-2: along RK4 (h = 0.05) the risk never increases (1e-14 round-off), and one Euler step of size
    /// eta changes it by -eta sum_i a_i |x_i'|^2 + O(eta^2) (checked at two eta: first-order error).
    /// Also with weight decay (energy = risk + lambda/2 sum a_i |x_i|^2) and tanh.
    /// </summary>
    [Theory]
    [InlineData(NetworkActivation.Relu, 0.0)]
    [InlineData(NetworkActivation.Tanh, 0.0)]
    [InlineData(NetworkActivation.Tanh, 0.05)]
    [InlineData(NetworkActivation.Linear, 0.1)]
    public void RiskDissipatesAlongTheFlow(NetworkActivation activation, double weightDecay)
    {
        var data = MeanFieldDataset.Teacher(3, 2, width: 3, count: 20, seed: 5);
        var model = new MeanFieldNetworkModel(data, activation, weightDecay);
        var block = new ParticleBlock(TestData.Points(16, 5, seed: 6, scale: 1.5), Uniform(16), 5, 0);
        var previous = LocalFlowStage.Energy(model, block, 0);
        var initial = previous;
        for (var step = 0; step < 40; step++)
        {
            Rk4Step(model, block, step * 0.05, 0.05);
            var energy = LocalFlowStage.Energy(model, block, 0);
            Assert.True(energy <= previous + 1e-14, $"step {step}: energy rose from {previous:R} to {energy:R}");
            previous = energy;
        }

        Assert.True(previous < initial);
        var v = Velocity(model, block, 0);
        var kinetic = Kinetic(block, v);
        double Slope(double eta)
        {
            var probe = new ParticleBlock((double[])block.PositionArray.Clone(), block.WeightArray, 5, 0);
            var f0 = LocalFlowStage.Energy(model, probe, 0);
            EulerStep(model, probe, 0, eta);
            return (LocalFlowStage.Energy(model, probe, 0) - f0) / eta;
        }

        var e1 = Math.Abs(Slope(1e-3) + kinetic);
        var e2 = Math.Abs(Slope(5e-4) + kinetic);
        Assert.True(e1 <= 1e-2 * kinetic, $"dissipation mismatch {e1:E3} for kinetic {kinetic:E3}");
        Assert.True(e2 <= (0.6 * e1) + 1e-13, $"dissipation error not first order: {e1:E3} then {e2:E3}");
    }

    /// <summary>The velocity is -n grad_{x_i} of the risk (C5): central finite differences of the energy agree to 1e-7.</summary>
    [Theory]
    [InlineData(NetworkActivation.Tanh, 0.0)]
    [InlineData(NetworkActivation.Linear, 0.2)]
    public void VelocityIsTheNormalisedNegativeGradient(NetworkActivation activation, double weightDecay)
    {
        var data = MeanFieldDataset.Teacher(2, 2, width: 4, count: 15, seed: 8);
        var model = new MeanFieldNetworkModel(data, activation, weightDecay);
        const int n = 6;
        var x = TestData.Points(n, 4, seed: 9);
        var w = Normalised(TestData.Weights(n, 10));
        var v = Velocity(model, new ParticleBlock((double[])x.Clone(), w, 4, 0), 0);
        const double delta = 1e-6;
        for (var q = 0; q < x.Length; q++)
        {
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[q] += delta;
            minus[q] -= delta;
            var gradient = (LocalFlowStage.Energy(model, new ParticleBlock(plus, w, 4, 0), 0) - LocalFlowStage.Energy(model, new ParticleBlock(minus, w, 4, 0), 0)) / (2 * delta);
            Assert.Equal(-gradient / w[q / 4], v[q], 1e-7);
        }
    }

    /// <summary>
    /// Mean-field time: duplicating every neuron (n -> 2n, same empirical measure) leaves the network,
    /// the risk and every velocity unchanged (1e-13).
    /// </summary>
    [Fact]
    public void ResultsDoNotDependOnTheNumberOfNeurons()
    {
        var data = MeanFieldDataset.Teacher(3, 1, width: 2, count: 12, seed: 12);
        var model = new MeanFieldNetworkModel(data, NetworkActivation.Relu);
        var x = TestData.Points(5, 4, seed: 13);
        var single = new ParticleBlock((double[])x.Clone(), Uniform(5), 4, 0);
        var doubled = new ParticleBlock([.. x, .. x], Uniform(10), 4, 0);
        var v1 = Velocity(model, single, 0);
        var v2 = Velocity(model, doubled, 0);
        for (var q = 0; q < v1.Length; q++)
        {
            Assert.Equal(v1[q], v2[q], 1e-13);
            Assert.Equal(v1[q], v2[q + v1.Length], 1e-13);
        }

        Assert.Equal(LocalFlowStage.Energy(model, single, 0), LocalFlowStage.Energy(model, doubled, 0), 1e-13);
    }

    /// <summary>
    /// ReLU teacher-student (math.md 5.4): a ReLU teacher of width 2 on N = 64 Gaussian inputs in
    /// d = 3, fitted by 128 student neurons (u ~ N(0, I), v ~ N(0, 1)) with RK4, h = 0.5 up to t = 60.
    /// The risk decreases monotonically and falls below 1e-3 of its initial value (measured: 8.7e-4 at
    /// t = 25, about 3e-4 at t = 60, 6e-5 at t = 200). Everything is seeded and deterministic; the
    /// student is heavily over-parameterised (512 parameters for 64 points) and ReLU features are
    /// 2-homogeneous with initial directions covering the sphere (Chizat-Bach), so the fit is not
    /// borderline.
    /// </summary>
    [Fact]
    public void ReluTeacherStudentRiskVanishes()
    {
        var data = MeanFieldDataset.Teacher(3, 1, width: 2, count: 64, seed: 2);
        var model = new MeanFieldNetworkModel(data, NetworkActivation.Relu);
        const int n = 128;
        var random = new Random(3);
        var x = new double[n * 4];
        for (var q = 0; q < x.Length; q++)
        {
            x[q] = Gaussian(random);
        }

        var block = new ParticleBlock(x, Uniform(n), 4, 0);
        var initial = LocalFlowStage.Energy(model, block, 0);
        var previous = initial;
        const double h = 0.5;
        var steps = 0;
        while (steps < 120)
        {
            Rk4Step(model, block, steps * h, h);
            steps++;
            var risk = LocalFlowStage.Energy(model, block, 0);
            Assert.True(risk <= previous + 1e-15, $"step {steps}: risk rose from {previous:R} to {risk:R}");
            previous = risk;
        }

        Assert.True(previous < 1e-3 * initial, $"risk {initial:R} -> {previous:R} (ratio {previous / initial:E3}) after {steps} steps");
    }

    /// <summary>Splitting neurons into blocks: the combined partial outputs, velocities and energy agree to 1e-12 (MF-3).</summary>
    [Fact]
    public void SplittingIntoBlocksChangesNothing()
    {
        var data = MeanFieldDataset.Teacher(3, 2, width: 3, count: 17, seed: 14);
        var model = new MeanFieldNetworkModel(data, NetworkActivation.Tanh, weightDecay: 0.01);
        var x = TestData.Points(21, 5, seed: 15);
        var w = Normalised(TestData.Weights(21, 16));
        AssertSplitInvariance(model, x, w, [8, 1, 12], 1e-12);
        AssertSplitInvariance(model, x, w, [3, 3, 3, 3, 3, 3, 3], 1e-12);
    }

    /// <summary>Inputs are validated naming the field; noise is sqrt(2 tau).</summary>
    [Fact]
    public void ValidatesItsInputs()
    {
        Assert.Equal("targets", Assert.Throws<InvalidInputException>(() => new MeanFieldDataset([1, 2], [1], 2, 1, 1)).Field);
        Assert.Equal("inputs", Assert.Throws<InvalidInputException>(() => new MeanFieldDataset([1, double.NaN], [1, 2], 2, 1, 1)).Field);
        Assert.Equal("activation", Assert.Throws<InvalidInputException>(() => NetworkActivations.Parse("sigmoid")).Field);
        var data = MeanFieldDataset.Teacher(2, 1, 2, 5, 1);
        Assert.Equal("weight_decay", Assert.Throws<InvalidInputException>(() => new MeanFieldNetworkModel(data, NetworkActivation.Relu, -1)).Field);
        Assert.Equal(Math.Sqrt(0.2), new MeanFieldNetworkModel(data, NetworkActivation.Relu, temperature: 0.1).Diffusion(0), 1e-15);
        Assert.Equal(NetworkActivation.Tanh, NetworkActivations.Parse(NetworkActivation.Tanh.Name()));
    }

    /// <summary>[A11, A12, A22, B, Q1, Q2] packed as [A11, A12, A21, A22, B, Q1, Q2] (7 numbers).</summary>
    private static double[] Moments(ParticleBlock block)
    {
        var m = new double[7];
        for (var i = 0; i < block.Count; i++)
        {
            var a = block.Weights[i];
            var x = block.Particle(i);
            m[0] += a * x[0] * x[0];
            m[1] += a * x[0] * x[1];
            m[2] += a * x[1] * x[0];
            m[3] += a * x[1] * x[1];
            m[4] += a * x[2] * x[2];
            m[5] += a * x[2] * x[0];
            m[6] += a * x[2] * x[1];
        }

        return m;
    }

    /// <summary>The MF-1 moment ODE (S = I, R = w*, d' = 1).</summary>
    private static double[] MomentDerivative(double[] m)
    {
        double[] hh = [m[5] - Teacher[0], m[6] - Teacher[1]];
        double[] q = [m[5], m[6]];
        var result = new double[7];
        // A' = -(H^T Q + Q^T H), entries (r, c).
        for (var r = 0; r < 2; r++)
        {
            for (var c = 0; c < 2; c++)
            {
                result[(2 * r) + c] = -((hh[r] * q[c]) + (q[r] * hh[c]));
            }
        }

        // B' = -(H Q^T + Q H^T).
        result[4] = -2 * ((hh[0] * q[0]) + (hh[1] * q[1]));

        // Q' = -(H A + B H).
        for (var c = 0; c < 2; c++)
        {
            result[5 + c] = -((hh[0] * m[c]) + (hh[1] * m[2 + c]) + (m[4] * hh[c]));
        }

        return result;
    }

    private static double[] MomentRk4(double[] m, double h)
    {
        var k1 = MomentDerivative(m);
        var k2 = MomentDerivative(Add(m, k1, h / 2));
        var k3 = MomentDerivative(Add(m, k2, h / 2));
        var k4 = MomentDerivative(Add(m, k3, h));
        var result = new double[m.Length];
        for (var q = 0; q < m.Length; q++)
        {
            result[q] = m[q] + (h / 6 * (k1[q] + (2 * k2[q]) + (2 * k3[q]) + k4[q]));
        }

        return result;
    }

    private static double[] Add(double[] m, double[] k, double h) => m.Select((value, q) => value + (h * k[q])).ToArray();

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
