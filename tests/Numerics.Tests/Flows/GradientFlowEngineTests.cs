using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Flows;

/// <summary>
/// The models run through the flow engine (<see cref="FlowDriver"/> over <see cref="LocalFlowBackend"/>):
/// 1 and 3 blocks give the same trajectory and energies, and the engine's energy column decreases.
/// </summary>
public sealed class GradientFlowEngineTests
{
    [Theory]
    [InlineData("mmd", FlowIntegrator.Rk4, 1e-10)]
    [InlineData("interaction", FlowIntegrator.Heun, 1e-10)]
    [InlineData("network", FlowIntegrator.Rk4, 1e-10)]
    [InlineData("sinkhorn", FlowIntegrator.Euler, 1e-9)]
    public async Task OneAndThreeBlocksGiveTheSameTrajectory(string which, FlowIntegrator integrator, double tolerance)
    {
        var (start, dimension) = Start(which);
        var options = new FlowOptions { Integrator = integrator, Step = 0.1, EndTime = 0.6, SnapshotEvery = 2, Seed = 5 };
        var reference = await FlowRuns.RunAsync(Build(which), start, options, blocks: 1);
        var split = await FlowRuns.RunAsync(Build(which), start, options, blocks: 3);
        Assert.Equal(reference.Snapshots.Count, split.Snapshots.Count);
        for (var s = 0; s < reference.Snapshots.Count; s++)
        {
            for (var q = 0; q < start.Length; q++)
            {
                TestData.AssertRelative(reference.Snapshots[s].Positions[q], split.Snapshots[s].Positions[q], tolerance, what: $"snapshot {s} coordinate {q}");
            }
        }

        var energies = reference.Diagnostics.Select(d => d.Energy).ToArray();
        var splitEnergies = split.Diagnostics.Select(d => d.Energy).ToArray();
        for (var k = 0; k < energies.Length; k++)
        {
            TestData.AssertRelative(energies[k], splitEnergies[k], tolerance, what: $"energy {k}");
            Assert.True(double.IsFinite(energies[k]));
            if (k > 0)
            {
                Assert.True(energies[k] < energies[k - 1], $"{which}: energy rose at row {k}: {energies[k - 1]:R} -> {energies[k]:R}");
            }
        }

        Assert.Equal(start.Length / dimension, reference.Count);
    }

    private static (double[] Start, int Dimension) Start(string which) => which switch
    {
        "network" => (FlowRuns.Gaussian(24, 4, 7), 4),
        _ => (FlowRuns.Gaussian(31, 2, 8, 0.6), 2),
    };

    private static IFlowModel Build(string which)
    {
        var target = PointCloud.Create(TestData.Points(27, 2, seed: 9, shift: 0.7), 27, 2);
        return which switch
        {
            "mmd" => new MmdFlowModel(target, 0.5),
            "interaction" => new InteractionFlowModel(2, InteractionKernel.GaussianAttractive, 0.8),
            "network" => new MeanFieldNetworkModel(MeanFieldDataset.Teacher(3, 1, width: 2, count: 16, seed: 10), NetworkActivation.Relu),
            "sinkhorn" => new SinkhornDivergenceFlowModel(target, new SinkhornOptions { Epsilon = 0.1, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-9 }),
            _ => throw new ArgumentException(which, nameof(which)),
        };
    }
}
