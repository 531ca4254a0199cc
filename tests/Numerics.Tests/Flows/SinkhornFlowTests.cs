using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using static Transport.Numerics.Tests.Flows.GradientFlowTestSupport;

namespace Transport.Numerics.Tests.Flows;

public sealed class SinkhornFlowTests
{
    /// <summary>
    /// OT-5: for a target that is the source translated by h and c = |.|^2/2, every particle's velocity
    /// T_ab - T_aa equals h and S_eps = |h|^2/2, for any eps. With marginal tolerance 1e-10 the
    /// velocities agree to 1e-6 and the divergence to 1e-8.
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void TranslatedTargetMovesEveryParticleByTheTranslation(double epsilon)
    {
        const int n = 60;
        double[] h = [0.7, -0.4];
        var x = TestData.Points(n, 2, seed: 61);
        var w = Normalised(TestData.Weights(n, 62));
        var y = new double[x.Length];
        for (var q = 0; q < x.Length; q++)
        {
            y[q] = x[q] + h[q % 2];
        }

        var options = new SinkhornOptions { Epsilon = epsilon, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-10 };
        var model = new SinkhornDivergenceFlowModel(PointCloud.Create(y, n, 2, w), options);
        var block = new ParticleBlock((double[])x.Clone(), w, 2, 0);
        var v = new double[x.Length];
        var globals = LocalFlowStage.Velocity(model, block, 0, v);
        Assert.True(model.LastStageConverged);
        for (var q = 0; q < v.Length; q++)
        {
            Assert.Equal(h[q % 2], v[q], 1e-6);
        }

        Assert.Equal(0.325, LocalFlowStage.Energy(model, block, globals), 1e-8);
        Assert.Equal((2 * n) + n + 1, globals.StageData.Length);
    }

    /// <summary>
    /// Convention: with c = |.|^2 and eps the plans equal those of c = |.|^2/2 and eps/2, so the
    /// T maps agree and the sqeuclidean velocity is exactly twice the half-sqeuclidean one (the
    /// gradient-flow velocity -(1/a_i) grad S of each cost), and S doubles.
    /// </summary>
    [Fact]
    public void SquaredEuclideanVelocityIsTwiceTheHalfConvention()
    {
        const int n = 30;
        const int m = 35;
        var x = TestData.Points(n, 2, seed: 71);
        var w = Normalised(TestData.Weights(n, 72));
        var target = PointCloud.Create(TestData.Points(m, 2, seed: 73, shift: 0.5), m, 2);
        var full = new SinkhornDivergenceFlowModel(target, new SinkhornOptions { Epsilon = 0.2, Tolerance = 1e-11 });
        var half = new SinkhornDivergenceFlowModel(target, new SinkhornOptions { Epsilon = 0.1, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-11 });
        var vFull = new double[x.Length];
        var vHalf = new double[x.Length];
        var gFull = LocalFlowStage.Velocity(full, new ParticleBlock((double[])x.Clone(), w, 2, 0), 0, vFull);
        var gHalf = LocalFlowStage.Velocity(half, new ParticleBlock((double[])x.Clone(), w, 2, 0), 0, vHalf);
        for (var q = 0; q < x.Length; q++)
        {
            Assert.Equal(2 * vHalf[q], vFull[q], 1e-7);
        }

        Assert.Equal(2 * half.GlobalEnergy(gHalf), full.GlobalEnergy(gFull), 1e-9);
    }

    /// <summary>
    /// The velocity is the negative normalised gradient of the divergence: it matches
    /// -(1/a_i) times the envelope gradient of <see cref="SinkhornDivergence"/> (an independent solve) to 1e-7.
    /// </summary>
    [Fact]
    public void VelocityMatchesTheDivergenceGradient()
    {
        const int n = 25;
        const int m = 31;
        var x = TestData.Points(n, 2, seed: 81);
        var w = Normalised(TestData.Weights(n, 82));
        var target = PointCloud.Create(TestData.Points(m, 2, seed: 83, scale: 0.7, shift: 0.3), m, 2, TestData.Weights(m, 84));
        var options = new SinkhornOptions { Epsilon = 0.3, Tolerance = 1e-11 };
        var model = new SinkhornDivergenceFlowModel(target, options);
        var v = new double[x.Length];
        var globals = LocalFlowStage.Velocity(model, new ParticleBlock((double[])x.Clone(), w, 2, 0), 0, v);
        var divergence = SinkhornDivergence.Compute(new SinkhornProblem(PointCloud.Create(x, n, 2, w), target), options);
        var gradient = divergence.SourceGradient();
        for (var q = 0; q < x.Length; q++)
        {
            Assert.Equal(-gradient[q] / w[q / 2], v[q], 1e-7);
        }

        Assert.Equal(divergence.Value, model.GlobalEnergy(globals), 1e-9);
    }

    /// <summary>
    /// On a general target the divergence decreases along explicit Euler steps (h = 0.05, half cost,
    /// eps = 0.05). Every stage converges, and (checked at steps 0, 3, 6, 9) the warm-started solves never
    /// need more iterations in total than a cold (annealed) solve at the same positions; the warm self
    /// problem needs fewer (about 15 against 29; the cross problem gains little: at eps = 0.05 its slow
    /// smooth mode dominates the iteration count whatever the start).
    /// </summary>
    [Fact]
    public void DivergenceDecreasesAlongTheFlow()
    {
        const int n = 80;
        const int m = 70;
        var x = TestData.Points(n, 2, seed: 91, scale: 0.5, shift: -0.5);
        var y = new double[m * 2];
        for (var j = 0; j < m; j++)
        {
            var angle = 2 * Math.PI * j / m;
            y[2 * j] = 0.8 + Math.Cos(angle);
            y[(2 * j) + 1] = 0.3 + (0.5 * Math.Sin(angle));
        }

        var options = new SinkhornOptions { Epsilon = 0.05, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-8 };
        var model = new SinkhornDivergenceFlowModel(PointCloud.Create(y, m, 2), options);
        var block = new ParticleBlock(x, Uniform(n), 2, 0);
        const double h = 0.05;
        var previous = LocalFlowStage.Energy(model, block, 0);
        var initial = previous;
        for (var step = 0; step < 10; step++)
        {
            EulerStep(model, block, step * h, h);
            var energy = LocalFlowStage.Energy(model, block, (step + 1) * h);
            Assert.True(model.LastStageConverged);
            Assert.True(energy < previous, $"step {step}: divergence rose from {previous:R} to {energy:R}");
            previous = energy;

            if (step % 3 != 0)
            {
                continue;
            }

            var cold = new SinkhornDivergenceFlowModel(model.Target, options);
            LocalFlowStage.Energy(cold, block, 0);
            Assert.True(model.LastSelfIterations < cold.LastSelfIterations, $"self: warm {model.LastSelfIterations}, cold {cold.LastSelfIterations}");
            Assert.True(model.LastStageIterations <= cold.LastStageIterations, $"total: warm {model.LastStageIterations}, cold {cold.LastStageIterations}");
        }

        Assert.True(previous < 0.7 * initial, $"divergence {initial:R} -> {previous:R}");
    }

    /// <summary>Blocks evaluated with the same combined globals (potentials) give the same velocities (1e-12).</summary>
    [Fact]
    public void SplittingIntoBlocksChangesNothing()
    {
        const int n = 29;
        var x = TestData.Points(n, 3, seed: 101);
        var w = Normalised(TestData.Weights(n, 102));
        var target = PointCloud.Create(TestData.Points(17, 3, seed: 103, shift: 0.2), 17, 3);
        var model = new SinkhornDivergenceFlowModel(target, new SinkhornOptions { Epsilon = 0.5, Tolerance = 1e-9 });
        AssertSplitInvariance(model, x, w, [10, 3, 16], 1e-12);
    }
}
