using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;
using Xunit.Abstractions;
using static Transport.Numerics.Tests.Flows.GradientFlowTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>The Sinkhorn-divergence flow with the multiscale solver: agreement with the dense flow, closed forms, warm starts.</summary>
public sealed class SinkhornFlowMultiscaleTests(ITestOutputHelper output)
{
    // Three levels with small leaf clusters, so a few hundred points really are clustered and truncated.
    private static readonly MultiscaleOptions ThreeLevels = new() { Levels = 3, LeafClusterSize = 16 };

    /// <summary>
    /// 300 particles flowing toward a shifted cloud (2-D, half cost, blur 0.05 of the diameter), three
    /// Euler steps run side by side with the dense and the multiscale model. Both solve to marginal error
    /// 1e-9, so what separates them is the kept-block plan: it differs from the dense plan by at most the
    /// neglected mass (safeguard tolerance 1e-5 of the unit mass), which moves a barycentric map by at most
    /// that mass over a_i times the diameter; the dropped blocks carry densities below e^-5 and sit at the
    /// far end of the plan, so the measured gap is far below this bound (about 1e-7 here). Tolerance: 1e-5
    /// of the diameter for velocities and positions, 1e-6 relative for the divergence.
    /// </summary>
    [Fact]
    public void Multiscale_flow_matches_the_dense_flow()
    {
        const int n = 300;
        const int m = 280;
        var x = TestData.Points(n, 2, seed: 501);
        var target = PointCloud.Create(TestData.Points(m, 2, seed: 502, scale: 0.7, shift: 0.6), m, 2);
        var diameter = Math.Sqrt(8) + 0.6;
        var options = new SinkhornOptions { Epsilon = 0.5 * Math.Pow(0.05 * diameter, 2), Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-9 };
        var dense = new SinkhornDivergenceFlowModel(target, options);
        var multiscale = new SinkhornDivergenceFlowModel(target, options, ThreeLevels);
        var denseBlock = new ParticleBlock((double[])x.Clone(), Uniform(n), 2, 0);
        var multiscaleBlock = new ParticleBlock((double[])x.Clone(), Uniform(n), 2, 0);
        const double h = 0.1;
        var worstVelocity = 0.0;
        for (var step = 0; step < 3; step++)
        {
            var vDense = Velocity(dense, denseBlock, step * h);
            var vMultiscale = new double[vDense.Length];
            var globals = LocalFlowStage.Velocity(multiscale, multiscaleBlock, step * h, vMultiscale);
            Assert.True(dense.LastStageConverged && multiscale.LastStageConverged, $"step {step}: not converged");
            output.WriteLine($"step {step}: S dense {dense.GlobalEnergy(LocalFlowStage.Globals(dense, denseBlock, step * h)):R} multiscale {multiscale.GlobalEnergy(globals):R}, neglected {multiscale.LastStageNeglectedMass:E2}, kernel evaluations {multiscale.LastStageKernelEvaluations}");
            for (var q = 0; q < vDense.Length; q++)
            {
                worstVelocity = Math.Max(worstVelocity, Math.Abs(vDense[q] - vMultiscale[q]));
                Assert.True(Math.Abs(vDense[q] - vMultiscale[q]) <= 1e-5 * diameter, $"step {step}, velocity {q}: dense {vDense[q]:R}, multiscale {vMultiscale[q]:R}");
                denseBlock.PositionArray[q] += h * vDense[q];
                multiscaleBlock.PositionArray[q] += h * vMultiscale[q];
            }

            var denseEnergy = LocalFlowStage.Energy(dense, denseBlock, (step + 1) * h);
            var multiscaleEnergy = LocalFlowStage.Energy(multiscale, multiscaleBlock, (step + 1) * h);
            TestData.AssertRelative(denseEnergy, multiscaleEnergy, 1e-6, floor: 1e-12, what: $"divergence after step {step}");
        }

        output.WriteLine($"largest velocity gap {worstVelocity:E2}");
        for (var q = 0; q < x.Length; q++)
        {
            Assert.True(Math.Abs(denseBlock.PositionArray[q] - multiscaleBlock.PositionArray[q]) <= 1e-5 * diameter, $"position {q}");
        }
    }

    /// <summary>
    /// For a translated copy y_j = x_j + h (same weights, c = |.|^2/2) the cross plan is the self plan, so
    /// T_ab(x) = T_aa(x) + h exactly and S_eps = |h|^2/2 (the linear terms of the cost cancel under equal
    /// marginals): a theorem, checked to 1e-6 (relative divergence, velocities in units of |h|).
    /// </summary>
    [Fact]
    public void Translated_copy_gives_half_squared_shift_and_velocity_h()
    {
        const int n = 300;
        double[] h = [0.7, -0.4];
        var x = TestData.Points(n, 2, seed: 511);
        var w = Normalised(TestData.Weights(n, 512));
        var y = new double[x.Length];
        for (var q = 0; q < x.Length; q++)
        {
            y[q] = x[q] + h[q % 2];
        }

        var options = new SinkhornOptions { Epsilon = 0.5 * Math.Pow(0.05 * 3.6, 2), Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-10 };
        var model = new SinkhornDivergenceFlowModel(PointCloud.Create(y, n, 2, w), options, ThreeLevels);
        var v = new double[x.Length];
        var globals = LocalFlowStage.Velocity(model, new ParticleBlock((double[])x.Clone(), w, 2, 0), 0, v);
        Assert.True(model.LastStageConverged);
        var shift = Math.Sqrt((h[0] * h[0]) + (h[1] * h[1]));
        var worst = 0.0;
        for (var q = 0; q < v.Length; q++)
        {
            worst = Math.Max(worst, Math.Abs(v[q] - h[q % 2]));
        }

        output.WriteLine($"S {model.GlobalEnergy(globals):R} (|h|^2/2 = {0.5 * shift * shift:R}), largest |v - h| {worst:E2}, neglected {model.LastStageNeglectedMass:E2}");
        Assert.True(worst <= 1e-6 * shift, $"largest |v - h| = {worst:E3}");
        TestData.AssertRelative(0.5 * shift * shift, model.GlobalEnergy(globals), 1e-6, floor: 1e-12, what: "divergence");
        Assert.Equal((2 * n * 2) + 1, globals.StageData.Length);
    }

    /// <summary>
    /// Identical clouds: the cross, self and target problems are the same problem, so the divergence is zero
    /// (within 1e-9 of the squared diameter) and so is every velocity.
    /// </summary>
    [Fact]
    public void Identical_clouds_give_zero_divergence_and_zero_velocity()
    {
        const int n = 250;
        var x = TestData.Points(n, 2, seed: 521);
        var w = Normalised(TestData.Weights(n, 522));
        var options = new SinkhornOptions { Epsilon = 0.5 * Math.Pow(0.05 * 2.8, 2), Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-9 };
        var model = new SinkhornDivergenceFlowModel(PointCloud.Create((double[])x.Clone(), n, 2, w), options, ThreeLevels);
        var v = new double[x.Length];
        var globals = LocalFlowStage.Velocity(model, new ParticleBlock((double[])x.Clone(), w, 2, 0), 0, v);
        Assert.True(model.LastStageConverged);
        Assert.True(Math.Abs(model.GlobalEnergy(globals)) <= 1e-9 * 8, $"divergence {model.GlobalEnergy(globals):R}");
        // The cross solve (over-relaxed alternating) and the self solve (symmetric averaged) reach the same fixed
        // point by different iterations, each to L1 marginal error 1e-9: a point's two images differ by at most its
        // relative row error times the diameter, about n x 1e-9 x 2.8 = 7e-7 here (measured 5.6e-9).
        Assert.All(v, value => Assert.True(Math.Abs(value) <= 1e-6, $"velocity {value:R}"));
    }

    /// <summary>
    /// After one Euler step the second stage, warm-started from the first stage's potentials, needs no more
    /// iterations than a cold (annealed) solve at the same positions and gives the same velocities: both stop
    /// at marginal error 1e-9 with neglected mass within 1e-5, so they agree to 1e-4 of the diameter.
    /// </summary>
    [Fact]
    public void Warm_started_second_stage_needs_no_more_iterations_than_a_cold_one()
    {
        const int n = 300;
        const int m = 260;
        var x = TestData.Points(n, 2, seed: 531);
        var target = PointCloud.Create(TestData.Points(m, 2, seed: 532, scale: 0.6, shift: 0.5), m, 2);
        var diameter = Math.Sqrt(8) + 0.5;
        var options = new SinkhornOptions { Epsilon = 0.5 * Math.Pow(0.05 * diameter, 2), Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-9 };
        var model = new SinkhornDivergenceFlowModel(target, options, ThreeLevels);
        var block = new ParticleBlock(x, Uniform(n), 2, 0);
        EulerStep(model, block, 0, 0.05);
        var firstIterations = model.LastStageIterations;
        var warm = Velocity(model, block, 0.05);
        var cold = new SinkhornDivergenceFlowModel(target, options, ThreeLevels);
        var reference = Velocity(cold, block, 0.05);
        output.WriteLine($"first stage (cold) {firstIterations}; second stage warm {model.LastStageIterations} (cross {model.LastCrossIterations}, self {model.LastSelfIterations}), cold {cold.LastStageIterations} (cross {cold.LastCrossIterations}, self {cold.LastSelfIterations})");
        Assert.True(model.LastStageConverged && cold.LastStageConverged);
        Assert.True(model.LastStageIterations <= cold.LastStageIterations, $"warm {model.LastStageIterations}, cold {cold.LastStageIterations}");
        for (var q = 0; q < warm.Length; q++)
        {
            Assert.True(Math.Abs(warm[q] - reference[q]) <= 1e-4 * diameter, $"velocity {q}: warm {warm[q]:R}, cold {reference[q]:R}");
        }
    }

    /// <summary>Blocks read their own rows of the stage's maps: splitting changes nothing (1e-12).</summary>
    [Fact]
    public void Splitting_into_blocks_changes_nothing()
    {
        const int n = 90;
        var x = TestData.Points(n, 2, seed: 541);
        var w = Normalised(TestData.Weights(n, 542));
        var target = PointCloud.Create(TestData.Points(70, 2, seed: 543, shift: 0.3), 70, 2);
        var model = new SinkhornDivergenceFlowModel(target, new SinkhornOptions { Epsilon = 0.02, Tolerance = 1e-8 }, new MultiscaleOptions { Levels = 2, LeafClusterSize = 8 });
        AssertSplitInvariance(model, x, w, [40, 7, 43], 1e-12);
    }
}
