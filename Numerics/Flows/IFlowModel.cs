namespace Transport.Numerics.Flows;

/// <summary>Where particles live.</summary>
public enum FlowManifold
{
    /// <summary>R^d.</summary>
    Euclidean,

    /// <summary>The unit sphere S^{d-1}: velocities are tangent and steps are projected back (math.md 1.4, 6.2).</summary>
    Sphere,
}

/// <summary>
/// A particle model (math.md 1.3): the velocity of each particle is a local term plus mean-field terms
/// built from reductions over the population, with optional noise dX = v dt + g(t) dW.
/// <para>
/// The same model object runs single-process and on shards. Per integrator stage the caller
/// (1) lets every block add its partial sums (<see cref="AccumulatePartials"/>), adds them in block
/// order, and all-gathers positions when <see cref="NeedsAllPositions"/>; (2) calls
/// <see cref="PrepareStage"/> once on the combined globals; (3) asks every block for its velocities
/// and energy share. Every method must give each particle a result that depends only on the globals
/// and that particle, never on how particles are split into blocks.
/// </para>
/// </summary>
public interface IFlowModel
{
    /// <summary>The model's name as run specifications spell it (e.g. <c>mmd-flow</c>).</summary>
    string Name { get; }

    /// <summary>Dimension of a particle's state.</summary>
    int Dimension { get; }

    /// <summary>Euclidean or spherical state space.</summary>
    FlowManifold Manifold { get; }

    /// <summary>Whether velocities need every particle's position (all-pairs models).</summary>
    bool NeedsAllPositions { get; }

    /// <summary>
    /// Whether <see cref="PrepareStage"/> reads every particle's position (a Sinkhorn solve over the particles). A
    /// distributed coordinator gathers the positions only then: an all-pairs model whose shards exchange positions among
    /// themselves but whose stage preparation does not need them keeps them off the coordinator. Defaults to
    /// <see cref="NeedsAllPositions"/>.
    /// </summary>
    bool PrepareNeedsAllPositions => NeedsAllPositions;

    /// <summary>Length of the partial-sum vector each block contributes per stage (0 if none).</summary>
    int PartialLength { get; }

    /// <summary>Adds this block's contribution to the stage's partial sums (R1 reductions).</summary>
    void AccumulatePartials(double time, ParticleBlock block, Span<double> partials);

    /// <summary>
    /// Computes data shared by all blocks for this stage from the combined globals (e.g. Sinkhorn
    /// potentials); runs once per stage, on the coordinator when distributed. Empty when not needed.
    /// </summary>
    ReadOnlyMemory<double> PrepareStage(FlowGlobals globals);

    /// <summary>Writes the drift velocity of every particle of the block (row-major).</summary>
    void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity);

    /// <summary>The block's additive share of the energy (or risk); NaN when the model has no energy.</summary>
    double EnergyShare(ParticleBlock block, FlowGlobals globals);

    /// <summary>The part of the energy computed once from the globals (0 when none; NaN when no energy).</summary>
    double GlobalEnergy(FlowGlobals globals);

    /// <summary>Diffusion coefficient g(t) of dX = v dt + g dW (0 for deterministic models).</summary>
    double Diffusion(double time);
}
