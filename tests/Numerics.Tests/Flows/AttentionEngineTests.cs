using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using static Transport.Numerics.Tests.Flows.AttentionTestSupport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// The attention models through the flow engine (FlowDriver over LocalFlowBackend): the same trajectory
/// for 1 and 3 blocks (1e-12), agreement with the test's own RK4 + renormalisation loop (1e-10), and the
/// engine's energy column monotone (non-decreasing for SA, non-increasing for the Sinkformer; slack 1e-12).
/// </summary>
public sealed class AttentionEngineTests
{
    private static FlowTrajectory Run(IFlowModel model, double[] x, double[] a, double step, double end, int blocks)
    {
        var options = new FlowOptions { Integrator = FlowIntegrator.Rk4, Step = step, EndTime = end, SnapshotEvery = 1000 };
        var backend = new LocalFlowBackend(model, x, a, options, blocks);
        return FlowDriver.RunAsync(backend, model, options, null, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public void SelfAttentionThroughTheEngine()
    {
        const int n = 24;
        const int d = 3;
        var x = UniformSphere(n, d, seed: 201);
        var a = RandomWeights(n, seed: 202);
        var model = new SelfAttentionSphereModel(d, AttentionVariant.SA, 2.0, maxDegreeOfParallelism: 1);
        var one = Run(model, x, a, 0.05, 5.0, 1);
        var three = Run(model, x, a, 0.05, 5.0, 3);
        AssertClose(one.FinalPositions, three.FinalPositions, 1e-12, "1 vs 3 blocks");

        var reference = (double[])x.Clone();
        Rk4(model, reference, a, d, 0.05, 100, renormalise: true);
        AssertClose(reference, one.FinalPositions, 1e-10, "engine vs test RK4");

        var energies = one.Diagnostics.Select(row => row.Energy).ToArray();
        for (var k = 1; k < energies.Length; k++)
        {
            Assert.True(energies[k] >= energies[k - 1] - 1e-12, $"energy fell at step {k}: {energies[k - 1]:R} -> {energies[k]:R}");
        }
    }

    [Fact]
    public void SinkformerThroughTheEngine()
    {
        const int n = 20;
        const int d = 3;
        var x = Gaussians(n * d, seed: 211, scale: 0.7);
        var a = Uniform(n);
        var model = new SinkformerModel(d, 1.0, maxDegreeOfParallelism: 1);
        var one = Run(model, x, a, 0.05, 1.0, 1);
        var three = Run(model, x, a, 0.05, 1.0, 3);
        AssertClose(one.FinalPositions, three.FinalPositions, 1e-12, "1 vs 3 blocks");

        var reference = (double[])x.Clone();
        Rk4(model, reference, a, d, 0.05, 20, renormalise: false);
        AssertClose(reference, one.FinalPositions, 1e-10, "engine vs test RK4");

        var energies = one.Diagnostics.Select(row => row.Energy).ToArray();
        for (var k = 1; k < energies.Length; k++)
        {
            Assert.True(energies[k] <= energies[k - 1] + 1e-12, $"energy rose at step {k}: {energies[k - 1]:R} -> {energies[k]:R}");
        }
    }
}
