namespace Transport.Numerics.Flows;

/// <summary>
/// One stage of a model on a single block holding every particle: the single-process path of the
/// protocol in <see cref="IFlowModel"/> (partials, stage preparation, velocities, energy).
/// </summary>
public static class LocalFlowStage
{
    /// <summary>Builds the globals of the stage at <paramref name="time"/> for the particles of <paramref name="block"/>.</summary>
    public static FlowGlobals Globals(IFlowModel model, ParticleBlock block, double time)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(block);
        var sums = new double[model.PartialLength];
        model.AccumulatePartials(time, block, sums);
        var globals = model.NeedsAllPositions
            ? new FlowGlobals(time, block.PositionArray, block.WeightArray, sums, ReadOnlyMemory<double>.Empty)
            : new FlowGlobals(time, ReadOnlyMemory<double>.Empty, ReadOnlyMemory<double>.Empty, sums, ReadOnlyMemory<double>.Empty);
        return globals.WithStageData(model.PrepareStage(globals));
    }

    /// <summary>Writes the drift velocity of every particle at <paramref name="time"/>; returns the stage's globals.</summary>
    public static FlowGlobals Velocity(IFlowModel model, ParticleBlock block, double time, Span<double> velocity)
    {
        var globals = Globals(model, block, time);
        model.Velocity(block, globals, velocity);
        return globals;
    }

    /// <summary>The model's energy at <paramref name="time"/> (NaN when it has none).</summary>
    public static double Energy(IFlowModel model, ParticleBlock block, double time)
    {
        var globals = Globals(model, block, time);
        return Energy(model, block, globals);
    }

    /// <summary>The model's energy from already built globals: the block's share plus the global term.</summary>
    public static double Energy(IFlowModel model, ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.EnergyShare(block, globals) + model.GlobalEnergy(globals);
    }
}
