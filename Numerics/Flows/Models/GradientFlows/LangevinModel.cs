namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The noisy (Langevin / McKean-Vlasov) version of a deterministic Euclidean model (math.md 4.2):
/// dX = v dt + sqrt(2 tau) dW with temperature tau &gt;= 0; every other member is the inner model's.
/// The reported energy is the inner model's (the entropy term tau int rho log rho of the free energy
/// has no particle estimate).
/// </summary>
public sealed class LangevinModel : IFlowModel
{
    private readonly IFlowModel inner;
    private readonly double diffusion;

    /// <summary>Wraps <paramref name="inner"/> (e.g. a <see cref="PotentialFlowModel"/> or <see cref="InteractionFlowModel"/>).</summary>
    /// <param name="inner">A Euclidean model.</param>
    /// <param name="temperature">tau &gt;= 0.</param>
    public LangevinModel(IFlowModel inner, double temperature)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!double.IsFinite(temperature) || temperature < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "must be a finite number >= 0");
        }

        if (inner.Manifold != FlowManifold.Euclidean)
        {
            throw new ArgumentException("Langevin noise is defined for Euclidean models", nameof(inner));
        }

        this.inner = inner;
        Temperature = temperature;
        diffusion = Math.Sqrt(2 * temperature);
    }

    /// <summary>The wrapped deterministic model.</summary>
    public IFlowModel Inner => inner;

    /// <summary>Temperature tau.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public string Name => "langevin";

    /// <inheritdoc />
    public int Dimension => inner.Dimension;

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => inner.NeedsAllPositions;

    /// <inheritdoc />
    public bool PrepareNeedsAllPositions => inner.PrepareNeedsAllPositions;

    /// <inheritdoc />
    public int PartialLength => inner.PartialLength;

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials) => inner.AccumulatePartials(time, block, partials);

    /// <inheritdoc />
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => inner.PrepareStage(globals);

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity) => inner.Velocity(block, globals, velocity);

    /// <inheritdoc />
    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => inner.EnergyShare(block, globals);

    /// <inheritdoc />
    public double GlobalEnergy(FlowGlobals globals) => inner.GlobalEnergy(globals);

    /// <summary>g = sqrt(2 tau) plus nothing from the inner model (which must be deterministic or is combined in quadrature).</summary>
    public double Diffusion(double time)
    {
        var g = inner.Diffusion(time);
        return g == 0 ? diffusion : Math.Sqrt((g * g) + (diffusion * diffusion));
    }
}
