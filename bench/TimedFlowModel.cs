using System.Diagnostics;
using Transport.Numerics.Flows;

namespace Transport.Bench;

/// <summary>
/// Delegates to a model and adds up the wall time of <see cref="IFlowModel.PrepareStage"/> (the once-per-stage
/// work the coordinator does when distributed, e.g. the Sinkhorn solves of the Sinkhorn-divergence flow).
/// </summary>
internal sealed class TimedFlowModel(IFlowModel inner) : IFlowModel
{
    /// <summary>Seconds spent in <see cref="PrepareStage"/> so far.</summary>
    public double PrepareSeconds { get; private set; }

    public string Name => inner.Name;

    public int Dimension => inner.Dimension;

    public FlowManifold Manifold => inner.Manifold;

    public bool NeedsAllPositions => inner.NeedsAllPositions;

    public int PartialLength => inner.PartialLength;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials) => inner.AccumulatePartials(time, block, partials);

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        var start = Stopwatch.GetTimestamp();
        var result = inner.PrepareStage(globals);
        PrepareSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        return result;
    }

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity) => inner.Velocity(block, globals, velocity);

    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => inner.EnergyShare(block, globals);

    public double GlobalEnergy(FlowGlobals globals) => inner.GlobalEnergy(globals);

    public double Diffusion(double time) => inner.Diffusion(time);
}
