using Transport.Numerics.Flows;

namespace Transport.Numerics.Tests.Flows;

/// <summary>dx/dt = A x in R^2 (rotation plus decay); closed form e^{At} x0. No energy.</summary>
internal sealed class LinearModel(double decay, double rotation) : IFlowModel
{
    public string Name => "linear";

    public int Dimension => 2;

    public FlowManifold Manifold => FlowManifold.Euclidean;

    public bool NeedsAllPositions => false;

    public int PartialLength => 0;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var x = block.PositionArray;
        for (var i = 0; i < block.Count; i++)
        {
            velocity[2 * i] = (-decay * x[2 * i]) + (rotation * x[(2 * i) + 1]);
            velocity[(2 * i) + 1] = (-rotation * x[2 * i]) - (decay * x[(2 * i) + 1]);
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => double.NaN;

    public double GlobalEnergy(FlowGlobals globals) => double.NaN;

    public double Diffusion(double time) => 0;

    public (double X, double Y) Exact(double x0, double y0, double t)
    {
        var damp = Math.Exp(-decay * t);
        var (sin, cos) = Math.SinCos(rotation * t);
        return (damp * ((cos * x0) + (sin * y0)), damp * ((-sin * x0) + (cos * y0)));
    }
}

internal static class FlowRuns
{
    public static Task<FlowTrajectory> RunAsync(IFlowModel model, double[] positions, FlowOptions options, int blocks = 1, Action<FlowStepDiagnostics>? progress = null, double[]? weights = null)
    {
        var backend = new LocalFlowBackend(model, positions, weights ?? [], options, blocks);
        return FlowDriver.RunAsync(backend, model, options, progress, CancellationToken.None);
    }

    public static double[] Gaussian(int count, int dimension, int seed, double scale = 1.0)
    {
        var random = new System.Random(seed);
        var result = new double[count * dimension];
        for (var i = 0; i < result.Length; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            result[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return result;
    }
}
