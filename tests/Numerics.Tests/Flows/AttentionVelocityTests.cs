using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Kernels;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// Attention velocities and energies through the shared reduction vs a brute-force float64 O(n^2)
/// implementation (tolerance 1e-10 relative to the largest velocity entry), and independence from the
/// split of the tokens into blocks (bitwise velocities, energies to 1e-14).
/// </summary>
public sealed class AttentionVelocityTests
{
    private static double[] ModelVelocity(IFlowModel model, double[] x, double[] a, int d)
    {
        var velocity = new double[x.Length];
        Evaluate(model, x, a, d, 0.0, velocity);
        return velocity;
    }

    [Theory]
    [InlineData(AttentionVariant.SA, 0.0, 3)]
    [InlineData(AttentionVariant.SA, 1.0, 3)]
    [InlineData(AttentionVariant.SA, 9.0, 12)]
    [InlineData(AttentionVariant.USA, 0.0, 3)]
    [InlineData(AttentionVariant.USA, 1.0, 5)]
    [InlineData(AttentionVariant.USA, 9.0, 12)]
    public void SphereVelocitiesMatchBruteForce(AttentionVariant variant, double beta, int d)
    {
        const int n = 45;
        var x = UniformSphere(n, d, seed: 3);
        var a = RandomWeights(n, seed: 4);
        var model = new SelfAttentionSphereModel(d, variant, beta);
        var mode = variant == AttentionVariant.SA ? BruteMode.SoftmaxSphere : BruteMode.UnnormalisedSphere;
        AssertClose(BruteForce(mode, x, a, d, beta), ModelVelocity(model, x, a, d), 1e-10, $"{variant} beta {beta}");
    }

    [Theory]
    [InlineData(AttentionVariant.SA, 3, 3)]
    [InlineData(AttentionVariant.USA, 4, 2)]
    [InlineData(AttentionVariant.SA, 10, 6)]
    public void SphereVelocitiesWithRandomMatricesMatchBruteForce(AttentionVariant variant, int d, int r)
    {
        const int n = 37;
        const double beta = 1.5;
        var x = UniformSphere(n, d, seed: 5);
        var a = RandomWeights(n, seed: 6);
        var q = Gaussians(r * d, seed: 7, scale: 0.6);
        var k = Gaussians(r * d, seed: 8, scale: 0.6);
        var v = Gaussians(d * d, seed: 9);
        var model = new SelfAttentionSphereModel(d, variant, beta, new AttentionMatrices(d, q, k, v));
        var mode = variant == AttentionVariant.SA ? BruteMode.SoftmaxSphere : BruteMode.UnnormalisedSphere;
        AssertClose(BruteForce(mode, x, a, d, beta, q, k, v), ModelVelocity(model, x, a, d), 1e-10, $"{variant} with Q, K, V");
    }

    [Theory]
    [InlineData(2, 2, 1.0)]
    [InlineData(3, 5, 1.0)]
    [InlineData(16, 9, 0.7)]
    public void UnconstrainedVelocitiesWithRandomMatricesMatchBruteForce(int d, int r, double beta)
    {
        const int n = 53;
        var x = Gaussians(n * d, seed: 11);
        var a = RandomWeights(n, seed: 12);
        var q = Gaussians(r * d, seed: 13, scale: 0.5);
        var k = Gaussians(r * d, seed: 14, scale: 0.5);
        var v = Gaussians(d * d, seed: 15);
        var model = new AttentionModel(d, new AttentionMatrices(d, q, k, v), beta);
        AssertClose(BruteForce(BruteMode.SoftmaxEuclidean, x, a, d, beta, q, k, v), ModelVelocity(model, x, a, d), 1e-10, "unconstrained attention");
        Assert.True(double.IsNaN(Energy(model, x, a, d)));
    }

    [Fact]
    public void UnconstrainedIdentityIsTheSoftmaxMeanOfTheTokens()
    {
        const int n = 20;
        const int d = 4;
        var x = Gaussians(n * d, seed: 21);
        var a = Uniform(n);
        AssertClose(BruteForce(BruteMode.SoftmaxEuclidean, x, a, d, 1.0), ModelVelocity(new AttentionModel(d), x, a, d), 1e-10, "identity attention");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void SphereEnergyMatchesBruteForce(double beta)
    {
        const int n = 30;
        const int d = 3;
        var x = UniformSphere(n, d, seed: 31);
        var a = RandomWeights(n, seed: 32);
        var expected = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var dot = Dot(x, i, x, j, d);
                expected += a[i] * a[j] * (beta == 0 ? 0.5 * dot : Math.Exp(beta * dot) / (2 * beta));
            }
        }

        foreach (var variant in new[] { AttentionVariant.SA, AttentionVariant.USA })
        {
            var model = new SelfAttentionSphereModel(d, variant, beta);
            TestData.AssertRelative(expected, Energy(model, x, a, d), 1e-12, what: $"E_beta ({variant}, beta {beta})");
        }
    }

    [Fact]
    public void SplittingIntoBlocksGivesTheSameVelocitiesAndEnergies()
    {
        const int n = 41;
        const int d = 3;
        var x = UniformSphere(n, d, seed: 41);
        var a = RandomWeights(n, seed: 42);
        var q = Gaussians(d * d, seed: 43, scale: 0.7);
        var k = Gaussians(d * d, seed: 44, scale: 0.7);
        var v = Gaussians(d * d, seed: 45);
        IFlowModel[] models =
        [
            new SelfAttentionSphereModel(d, AttentionVariant.SA, 2.0),
            new SelfAttentionSphereModel(d, AttentionVariant.USA, 2.0, new AttentionMatrices(d, q, k, v)),
            new AttentionModel(d, new AttentionMatrices(d, q, k, v)),
            new SinkformerModel(d, 2.0),
            new SinkformerModel(d, 1.0, onSphere: true, new AttentionMatrices(d, value: v)),
        ];
        int[] sizes = [7, 1, 20, 13];
        foreach (var model in models)
        {
            var whole = new ParticleBlock((double[])x.Clone(), a, d, 0);
            var globals = LocalFlowStage.Globals(model, whole, 0.0);
            var expected = new double[n * d];
            model.Velocity(whole, globals, expected);
            var expectedEnergy = LocalFlowStage.Energy(model, whole, globals);

            var actual = new double[n * d];
            var energy = model.GlobalEnergy(globals);
            var start = 0;
            foreach (var size in sizes)
            {
                var block = new ParticleBlock(x.AsSpan(start * d, size * d).ToArray(), a.AsSpan(start, size).ToArray(), d, start);
                model.Velocity(block, globals, actual.AsSpan(start * d, size * d));
                energy += model.EnergyShare(block, globals);
                start += size;
            }

            Assert.Equal(n, start);
            Assert.Equal(expected, actual);
            if (double.IsNaN(expectedEnergy))
            {
                Assert.True(double.IsNaN(energy));
            }
            else
            {
                TestData.AssertRelative(expectedEnergy, energy, 1e-14, what: $"{model.Name} energy over blocks");
            }
        }
    }

    [Fact]
    public void ZeroWeightTokensAreCarriedButDoNotAttract()
    {
        const int n = 12;
        const int d = 3;
        var x = UniformSphere(n, d, seed: 51);
        var a = RandomWeights(n, seed: 52);
        a[4] = 0;
        a[9] = 0;
        var total = a.Sum();
        for (var i = 0; i < n; i++)
        {
            a[i] /= total;
        }

        var model = new SelfAttentionSphereModel(d, AttentionVariant.SA, 3.0);
        var velocity = ModelVelocity(model, x, a, d);
        AssertClose(BruteForce(BruteMode.SoftmaxSphere, x, a, d, 3.0), velocity, 1e-10, "zero-weight tokens");
        Assert.All(velocity, value => Assert.True(double.IsFinite(value)));
    }

    [Fact]
    public void SinglePrecisionKernelIsCloseToDouble()
    {
        const int n = 64;
        const int d = 16;
        var x = UniformSphere(n, d, seed: 61);
        var a = Uniform(n);
        var single = new SelfAttentionSphereModel(d, AttentionVariant.SA, 4.0, precision: Precision.Single);
        AssertClose(BruteForce(BruteMode.SoftmaxSphere, x, a, d, 4.0), ModelVelocity(single, x, a, d), 1e-5, "float32 kernel");
    }

    [Fact]
    public void VelocitiesOnTheSphereAreTangent()
    {
        const int n = 25;
        const int d = 4;
        var x = UniformSphere(n, d, seed: 71);
        var a = Uniform(n);
        foreach (var model in new IFlowModel[] { new SelfAttentionSphereModel(d, AttentionVariant.USA, 2.0), new SinkformerModel(d, 2.0, onSphere: true) })
        {
            var velocity = ModelVelocity(model, x, a, d);
            for (var i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(Dot(x, i, velocity, i, d)) < 1e-14, $"{model.Name}: token {i} velocity not tangent");
            }
        }
    }

    [Fact]
    public void InvalidOptionsAreErrorsNamingTheField()
    {
        Assert.Equal("beta", Assert.Throws<InvalidInputException>(() => new SelfAttentionSphereModel(3, AttentionVariant.SA, -1)).Field);
        Assert.Equal("beta", Assert.Throws<InvalidInputException>(() => new AttentionModel(3, beta: double.NaN)).Field);
        Assert.Equal("dim", Assert.Throws<InvalidInputException>(() => new SelfAttentionSphereModel(1, AttentionVariant.SA, 1)).Field);
        Assert.Equal("value", Assert.Throws<InvalidInputException>(() => new AttentionMatrices(3, value: new double[4])).Field);
        Assert.Equal("key", Assert.Throws<InvalidInputException>(() => new AttentionMatrices(3, query: new double[6], key: new double[9])).Field);
        Assert.Equal("query", Assert.Throws<InvalidInputException>(() => new AttentionMatrices(3, query: new double[5])).Field);
        Assert.Equal("dim", Assert.Throws<InvalidInputException>(() => new AttentionModel(4, AttentionMatrices.Identity(3))).Field);
        Assert.Equal("variant", Assert.Throws<InvalidInputException>(() => AttentionVariants.Parse("softmax")).Field);
        Assert.Equal(AttentionVariant.USA, AttentionVariants.Parse("usa"));
        var nonSymmetric = new AttentionMatrices(2, query: [1, 1, 0, 1]);
        Assert.Equal("key", Assert.Throws<InvalidInputException>(() => new SinkformerModel(2, 1.0, matrices: nonSymmetric)).Field);
    }
}
