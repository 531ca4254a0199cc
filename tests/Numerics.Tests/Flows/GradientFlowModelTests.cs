using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using static Transport.Numerics.Tests.Flows.GradientFlowTestSupport;

namespace Transport.Numerics.Tests.Flows;

public sealed class GradientFlowModelTests
{
    /// <summary>WGF-4: V = (lambda/2)|x - m|^2 gives x(t) = m + e^{-lambda t}(x0 - m); RK4 (h = 0.01) is exact to 1e-9.</summary>
    [Fact]
    public void QuadraticPotentialFlowMatchesItsClosedForm()
    {
        const double lambda = 1.5;
        double[] center = [0.3, -0.7, 1.1];
        var model = PotentialFlowModel.Quadratic(lambda, center);
        var x0 = TestData.Points(20, 3, seed: 1, scale: 2.0);
        var block = new ParticleBlock((double[])x0.Clone(), Uniform(20), 3, 0);
        const double h = 0.01;
        for (var step = 0; step < 100; step++)
        {
            Rk4Step(model, block, step * h, h);
        }

        var decay = Math.Exp(-lambda);
        var z = -lambda * h;
        var rk4Factor = Math.Pow(1 + z + (z * z / 2) + (z * z * z / 6) + (z * z * z * z / 24), 100);
        for (var q = 0; q < x0.Length; q++)
        {
            var m = center[q % 3];
            Assert.Equal(m + (decay * (x0[q] - m)), block.PositionArray[q], 1e-9);
            Assert.Equal(m + (rk4Factor * (x0[q] - m)), block.PositionArray[q], 1e-13);
        }

        var energy = LocalFlowStage.Energy(model, block, 1.0);
        var expected = 0.0;
        for (var q = 0; q < x0.Length; q++)
        {
            var diff = block.PositionArray[q] - center[q % 3];
            expected += 0.5 * lambda * diff * diff / 20;
        }

        Assert.Equal(expected, energy, 1e-14);
    }

    /// <summary>The delegate-based potential agrees with the quadratic factory.</summary>
    [Fact]
    public void DelegatePotentialAgreesWithQuadratic()
    {
        var quadratic = PotentialFlowModel.Quadratic(2.0, [1.0, -1.0]);
        var general = new PotentialFlowModel(
            2,
            x => (x[0] - 1) * (x[0] - 1) + ((x[1] + 1) * (x[1] + 1)),
            (x, g) =>
            {
                g[0] = 2 * (x[0] - 1);
                g[1] = 2 * (x[1] + 1);
            });
        var x = TestData.Points(9, 2, seed: 3);
        var w = Normalised(TestData.Weights(9, 4));
        var a = new ParticleBlock((double[])x.Clone(), w, 2, 0);
        var b = new ParticleBlock((double[])x.Clone(), w, 2, 0);
        Assert.Equal(Velocity(quadratic, a, 0), Velocity(general, b, 0));
        Assert.Equal(LocalFlowStage.Energy(quadratic, a, 0), LocalFlowStage.Energy(general, b, 0), 1e-15);
    }

    /// <summary>WGF-2: W = |z|^2/2 contracts as e^{-t} about the exactly conserved mean; f(t) = f(0) e^{-2t}.</summary>
    [Fact]
    public void QuadraticInteractionContractsAboutTheConservedMean()
    {
        var model = new InteractionFlowModel(2, InteractionKernel.Quadratic);
        Assert.False(model.NeedsAllPositions);
        var x0 = TestData.Points(30, 2, seed: 5, scale: 3.0, shift: 0.5);
        var w = Normalised(TestData.Weights(30, 6));
        var block = new ParticleBlock((double[])x0.Clone(), w, 2, 0);
        var mean0 = Mean(block);
        var energy0 = LocalFlowStage.Energy(model, block, 0);
        var cov = 0.0;
        for (var i = 0; i < 30; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                cov += w[i] * (x0[(2 * i) + k] - mean0[k]) * (x0[(2 * i) + k] - mean0[k]);
            }
        }

        Assert.Equal(0.5 * cov, energy0, 1e-12);
        const double h = 0.01;
        for (var step = 0; step < 100; step++)
        {
            Rk4Step(model, block, step * h, h);
            var mean = Mean(block);
            Assert.Equal(mean0[0], mean[0], 1e-13);
            Assert.Equal(mean0[1], mean[1], 1e-13);
        }

        var decay = Math.Exp(-1.0);
        for (var i = 0; i < 30; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                Assert.Equal(mean0[k] + (decay * (x0[(2 * i) + k] - mean0[k])), block.PositionArray[(2 * i) + k], 1e-9);
            }
        }

        Assert.Equal(energy0 * Math.Exp(-2.0), LocalFlowStage.Energy(model, block, 1.0), 1e-9);
    }

    /// <summary>Gaussian interaction velocities and energy against a brute-force O(n^2) float64 sum (1e-10).</summary>
    [Theory]
    [InlineData(InteractionKernel.GaussianAttractive, 2)]
    [InlineData(InteractionKernel.GaussianRepulsive, 3)]
    [InlineData(InteractionKernel.GaussianRepulsive, 12)]
    public void GaussianInteractionMatchesBruteForce(InteractionKernel kernel, int d)
    {
        const int n = 37;
        const double l = 0.8;
        var model = new InteractionFlowModel(d, kernel, l);
        var x = TestData.Points(n, d, seed: 7 + d);
        var w = Normalised(TestData.Weights(n, 8));
        var block = new ParticleBlock((double[])x.Clone(), w, d, 0);
        var v = Velocity(model, block, 0);
        var s = kernel == InteractionKernel.GaussianAttractive ? -1.0 : 1.0;
        var energy = 0.0;
        for (var i = 0; i < n; i++)
        {
            var expected = new double[d];
            for (var j = 0; j < n; j++)
            {
                var kij = GaussianKernel(x, i, x, j, d, l);
                energy += 0.5 * s * w[i] * w[j] * kij;
                for (var k = 0; k < d; k++)
                {
                    // -grad W(z) = -s * (-z / l^2) k = s k z / l^2.
                    expected[k] += w[j] * s * kij * (x[(i * d) + k] - x[(j * d) + k]) / (l * l);
                }
            }

            for (var k = 0; k < d; k++)
            {
                Assert.Equal(expected[k], v[(i * d) + k], 1e-10);
            }
        }

        Assert.Equal(energy, LocalFlowStage.Energy(model, block, 0), 1e-10);
    }

    /// <summary>MMD velocities and energy (with its constant target term) against a brute-force O(n^2) float64 sum (1e-10).</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public void MmdFlowMatchesBruteForce(int d)
    {
        const int n = 41;
        const int m = 29;
        const double l = 0.9;
        var x = TestData.Points(n, d, seed: 11);
        var w = Normalised(TestData.Weights(n, 12));
        var y = TestData.Points(m, d, seed: 13, shift: 0.4);
        var b = TestData.Weights(m, 14);
        var target = PointCloud.Create(y, m, d, b);
        var model = new MmdFlowModel(target, l);
        var block = new ParticleBlock((double[])x.Clone(), w, d, 0);
        var v = Velocity(model, block, 0);
        var energy = 0.0;
        for (var i = 0; i < n; i++)
        {
            var expected = new double[d];
            for (var j = 0; j < n; j++)
            {
                var kij = GaussianKernel(x, i, x, j, d, l);
                energy += 0.5 * w[i] * w[j] * kij;
                for (var k = 0; k < d; k++)
                {
                    expected[k] += w[j] * kij * (x[(i * d) + k] - x[(j * d) + k]) / (l * l);
                }
            }

            for (var j = 0; j < m; j++)
            {
                var kij = GaussianKernel(x, i, y, j, d, l);
                energy -= w[i] * target.Weights[j] * kij;
                for (var k = 0; k < d; k++)
                {
                    expected[k] -= target.Weights[j] * kij * (x[(i * d) + k] - y[(j * d) + k]) / (l * l);
                }
            }

            for (var k = 0; k < d; k++)
            {
                Assert.Equal(expected[k], v[(i * d) + k], 1e-10);
            }
        }

        for (var j = 0; j < m; j++)
        {
            for (var jj = 0; jj < m; jj++)
            {
                energy += 0.5 * target.Weights[j] * target.Weights[jj] * GaussianKernel(y, j, y, jj, d, l);
            }
        }

        Assert.Equal(energy, LocalFlowStage.Energy(model, block, 0), 1e-10);
    }

    /// <summary>
    /// WGF-3: MMD^2 between N(0, I_2) and N((1, 0), I_2/2) with l = 1 is 1/3 + 1/2 - 0.8 e^{-0.2}. The
    /// clouds are tensor Gauss-Hermite quadratures (24 nodes per axis, weighted particles), which
    /// integrate these Gaussian kernels essentially exactly: the energy must be MMD^2/2 to 1e-10.
    /// </summary>
    [Fact]
    public void MmdEnergyMatchesTheGaussianClosedForm()
    {
        var (nodes, weights) = GaussHermite(24);
        var count = nodes.Length * nodes.Length;
        var x = new double[2 * count];
        var y = new double[2 * count];
        var w = new double[count];
        var index = 0;
        for (var p = 0; p < nodes.Length; p++)
        {
            for (var q = 0; q < nodes.Length; q++)
            {
                x[2 * index] = nodes[p];
                x[(2 * index) + 1] = nodes[q];
                y[2 * index] = 1 + (Math.Sqrt(0.5) * nodes[p]);
                y[(2 * index) + 1] = Math.Sqrt(0.5) * nodes[q];
                w[index] = weights[p] * weights[q];
                index++;
            }
        }

        var model = new MmdFlowModel(PointCloud.Create(y, count, 2, w), 1.0);
        var block = new ParticleBlock(x, Normalised(w), 2, 0);
        var mmd2 = (1.0 / 3) + 0.5 - (0.8 * Math.Exp(-0.2));
        Assert.Equal(0.1783487, mmd2, 1e-7);
        Assert.Equal(mmd2 / 2, LocalFlowStage.Energy(model, block, 0), 1e-10);
    }

    /// <summary>
    /// Energies never increase along RK4 with small steps (allowing round-off, 1e-13 absolute), and the
    /// first-order dissipation identity f(X + h v) - f(X) = -h sum a_i |v_i|^2 + O(h^2) holds.
    /// </summary>
    [Theory]
    [InlineData("potential")]
    [InlineData("interaction-attractive")]
    [InlineData("interaction-repulsive")]
    [InlineData("mmd")]
    public void EnergyNeverIncreasesAlongTheFlow(string which)
    {
        const int n = 40;
        var model = Build(which);
        var x = TestData.Points(n, 2, seed: 21, scale: 1.5);
        var block = new ParticleBlock(x, Normalised(TestData.Weights(n, 22)), 2, 0);
        const double h = 0.02;
        var previous = LocalFlowStage.Energy(model, block, 0);
        var initial = previous;
        for (var step = 0; step < 60; step++)
        {
            Rk4Step(model, block, step * h, h);
            var energy = LocalFlowStage.Energy(model, block, (step + 1) * h);
            Assert.True(energy <= previous + 1e-13, $"step {step}: energy rose from {previous:R} to {energy:R}");
            previous = energy;
        }

        Assert.True(previous < initial, $"energy did not decrease: {initial:R} -> {previous:R}");

        // Dissipation: slope of the energy along one Euler step of size eta, for two eta.
        var v = Velocity(model, block, 0);
        var kinetic = Kinetic(block, v);
        double Slope(double eta)
        {
            var probe = new ParticleBlock((double[])block.PositionArray.Clone(), block.WeightArray, 2, 0);
            var f0 = LocalFlowStage.Energy(model, probe, 0);
            EulerStep(model, probe, 0, eta);
            return (LocalFlowStage.Energy(model, probe, 0) - f0) / eta;
        }

        var e1 = Math.Abs(Slope(1e-3) + kinetic);
        var e2 = Math.Abs(Slope(5e-4) + kinetic);
        Assert.True(e1 <= 1e-2 * kinetic, $"dissipation mismatch {e1:E3} for kinetic {kinetic:E3}");
        Assert.True(e2 <= (0.6 * e1) + 1e-12, $"dissipation error not first order: {e1:E3} then {e2:E3}");
    }

    /// <summary>Splitting the particles into blocks with the same combined globals gives the same velocities and energy (1e-12).</summary>
    [Theory]
    [InlineData("potential")]
    [InlineData("interaction-quadratic")]
    [InlineData("interaction-attractive")]
    [InlineData("mmd")]
    [InlineData("langevin")]
    public void SplittingIntoBlocksChangesNothing(string which)
    {
        const int n = 23;
        var x = TestData.Points(n, 2, seed: 31);
        var w = Normalised(TestData.Weights(n, 32));
        AssertSplitInvariance(Build(which), x, w, [7, 1, 15], 1e-12);
        AssertSplitInvariance(Build(which), x, w, [5, 5, 5, 5, 3], 1e-12);
    }

    /// <summary>Langevin: diffusion sqrt(2 tau), everything else the inner model's.</summary>
    [Fact]
    public void LangevinAddsDiffusionOnly()
    {
        var inner = PotentialFlowModel.Quadratic(1.0, [0.0, 0.0]);
        var model = new LangevinModel(inner, 0.3);
        Assert.Equal(Math.Sqrt(0.6), model.Diffusion(0.0), 1e-15);
        Assert.Equal(0.0, inner.Diffusion(0.0));
        Assert.Equal("langevin", model.Name);
        var x = TestData.Points(5, 2, seed: 41);
        var block = new ParticleBlock(x, Uniform(5), 2, 0);
        Assert.Equal(Velocity(inner, block, 0), Velocity(model, block, 0));
        Assert.Equal(LocalFlowStage.Energy(inner, block, 0), LocalFlowStage.Energy(model, block, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LangevinModel(inner, -1.0));
    }

    /// <summary>
    /// WGF-4 (Langevin): V = |x - m|^2 / (2 s^2) with temperature 1 has stationary law N(m, s^2); with
    /// Euler-Maruyama (x += h v + g sqrt(h) xi, g = <see cref="IFlowModel.Diffusion"/>) the stationary
    /// variance is s^2 / (1 - h / (2 s^2)). 20,000 independent 1-D particles after 150 steps
    /// (h = 0.2, s^2 = 1: 1.1111 against 1): the sample variance agrees within 4 standard errors
    /// (sd of a sample variance: var sqrt(2/n)), and is far from s^2.
    /// </summary>
    [Fact]
    public void EulerMaruyamaLangevinHasTheDiscreteStationaryVariance()
    {
        const int n = 20_000;
        const double h = 0.2;
        const double s2 = 1.0;
        const double m = 0.5;
        var model = new LangevinModel(PotentialFlowModel.Quadratic(1 / s2, [m]), 1.0);
        var g = model.Diffusion(0);
        var block = new ParticleBlock(new double[n], Uniform(n), 1, 0);
        var random = new Random(77);
        for (var step = 0; step < 150; step++)
        {
            var v = Velocity(model, block, step * h);
            var x = block.PositionArray;
            for (var i = 0; i < n; i += 2)
            {
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                var radius = Math.Sqrt(-2 * Math.Log(u1));
                x[i] += (h * v[i]) + (g * Math.Sqrt(h) * radius * Math.Cos(2 * Math.PI * u2));
                x[i + 1] += (h * v[i + 1]) + (g * Math.Sqrt(h) * radius * Math.Sin(2 * Math.PI * u2));
            }
        }

        var mean = block.PositionArray.Average();
        var variance = block.PositionArray.Sum(value => (value - mean) * (value - mean)) / (n - 1);
        var expected = s2 / (1 - (h / (2 * s2)));
        var standardError = expected * Math.Sqrt(2.0 / n);
        Assert.True(Math.Abs(variance - expected) < 4 * standardError, $"variance {variance:R}, expected {expected:R} +/- {standardError:E2}");
        Assert.True(Math.Abs(variance - s2) > 8 * standardError);
        Assert.Equal(m, mean, 4 * Math.Sqrt(expected / n));
    }

    private static IFlowModel Build(string which)
    {
        var target = PointCloud.Create(TestData.Points(25, 2, seed: 51, shift: 0.8), 25, 2, TestData.Weights(25, 52));
        return which switch
        {
            "potential" => PotentialFlowModel.Quadratic(0.8, [0.2, -0.4]),
            "interaction-quadratic" => new InteractionFlowModel(2, InteractionKernel.Quadratic),
            "interaction-attractive" => new InteractionFlowModel(2, InteractionKernel.GaussianAttractive, 0.7),
            "interaction-repulsive" => new InteractionFlowModel(2, InteractionKernel.GaussianRepulsive, 0.7),
            "mmd" => new MmdFlowModel(target, 0.6),
            "langevin" => new LangevinModel(new InteractionFlowModel(2, InteractionKernel.GaussianRepulsive, 0.5), 0.1),
            _ => throw new ArgumentException(which, nameof(which)),
        };
    }

    private static double[] Mean(ParticleBlock block)
    {
        var mean = new double[block.Dimension];
        for (var i = 0; i < block.Count; i++)
        {
            for (var k = 0; k < block.Dimension; k++)
            {
                mean[k] += block.Weights[i] * block.PositionArray[(i * block.Dimension) + k];
            }
        }

        return mean;
    }

    private static double GaussianKernel(double[] x, int i, double[] y, int j, int d, double l)
    {
        var dist = 0.0;
        for (var k = 0; k < d; k++)
        {
            var diff = x[(i * d) + k] - y[(j * d) + k];
            dist += diff * diff;
        }

        return Math.Exp(-dist / (2 * l * l));
    }

    /// <summary>Gauss-Hermite rule for the standard normal (Golub-Welsch): nodes and weights summing to one.</summary>
    private static (double[] Nodes, double[] Weights) GaussHermite(int count)
    {
        var jacobi = Matrix<double>.Build.Dense(count, count);
        for (var k = 1; k < count; k++)
        {
            jacobi[k - 1, k] = Math.Sqrt(k);
            jacobi[k, k - 1] = Math.Sqrt(k);
        }

        var evd = jacobi.Evd(Symmetricity.Symmetric);
        var nodes = new double[count];
        var weights = new double[count];
        for (var k = 0; k < count; k++)
        {
            nodes[k] = evd.EigenValues[k].Real;
            var first = evd.EigenVectors[0, k];
            weights[k] = first * first;
        }

        return (nodes, weights);
    }
}
