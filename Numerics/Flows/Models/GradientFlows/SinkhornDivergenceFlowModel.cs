using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Sinkhorn-divergence gradient flow toward a fixed target cloud beta (math.md 3.6, 4.2):
/// S_eps(alpha, beta) = OT_eps(alpha, beta) - OT_eps(alpha, alpha)/2 - OT_eps(beta, beta)/2.
/// <para>
/// Convention: the velocity is the Wasserstein gradient flow of S_eps for the chosen cost
/// c = s |x - y|^2, v_i = -(1/a_i) grad_{x_i} S_eps = 2 s (T_ab(x_i) - T_aa(x_i)). For
/// <see cref="CostFunction.HalfSquaredEuclidean"/> (s = 1/2) this is exactly T_ab - T_aa (the
/// formula of math.md 3.6); for <see cref="CostFunction.SquaredEuclidean"/> (s = 1) it is
/// 2 (T_ab - T_aa) (as in OT-8). T_ab(x_i) = sum_j P^ab_ij y_j / a_i and T_aa(x_i) = sum_j P^aa_ij x_j / a_i
/// are barycentric maps computed by soft c-transform reductions (row-normalised) against the target
/// with g_ab and against all particles with p_aa.
/// </para>
/// <para>
/// <see cref="PrepareStage"/> (once per stage, on the coordinator) solves the cross problem (re-annealed,
/// over-relaxed) and the particles' self problem, the latter warm-started from the previous stage's
/// potentials f_aa, g_aa (kept in this instance in particle order; the first stage, or a change of
/// particle count, starts cold with eps-annealing; warm self solves run without annealing and need
/// about half the iterations of a cold one, while the cross problem at small eps gains nothing from
/// its old potentials because its slow smooth mode dominates). Its stage data is
/// [f_ab (n), p_aa (n), g_ab (m), S_eps] with p_aa = (f_aa + g_aa) / 2 the symmetric self potential:
/// the potentials and the divergence value (the energy). OT_eps(beta, beta) is solved once.
/// Not thread-safe: one stage at a time.
/// </para>
/// <para>
/// With <see cref="Multiscale"/> set, the three problems are solved by <see cref="MultiscaleSinkhornSolver"/>
/// instead and the stage data carries the barycentric maps themselves (see
/// <c>SinkhornDivergenceFlowModel.Multiscale.cs</c>), so the velocities need no dense pass over all particle pairs.
/// </para>
/// </summary>
public sealed partial class SinkhornDivergenceFlowModel : IFlowModel
{
    private double[]? crossSource;
    private double[]? crossTarget;
    private double[]? selfSourceF;
    private double[]? selfSourceG;
    private double targetSelfValue = double.NaN;

    /// <summary>Creates the model.</summary>
    /// <param name="target">The target cloud beta (weights b).</param>
    /// <param name="options">Sinkhorn options: eps, cost, tolerance, iteration cap, annealing factor of the cold start, precision, threads.</param>
    /// <param name="multiscale">Multiscale solver options; null (the default) keeps the dense solver.</param>
    public SinkhornDivergenceFlowModel(PointCloud target, SinkhornOptions options, MultiscaleOptions? multiscale = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        multiscale?.Validate();
        Target = target;
        Options = options;
        Multiscale = multiscale;
    }

    /// <summary>The target cloud.</summary>
    public PointCloud Target { get; }

    /// <summary>The Sinkhorn options.</summary>
    public SinkhornOptions Options { get; }

    /// <summary>Multiscale solver options, or null for the dense solver.</summary>
    public MultiscaleOptions? Multiscale { get; }

    /// <summary>Whether the cross and self solves of the last prepared stage both converged.</summary>
    public bool LastStageConverged { get; private set; }

    /// <summary>Sinkhorn iterations (cross + self) of the last prepared stage.</summary>
    public int LastStageIterations => LastCrossIterations + LastSelfIterations;

    /// <summary>Iterations of the cross problem in the last prepared stage.</summary>
    public int LastCrossIterations { get; private set; }

    /// <summary>Iterations of the particles' self problem in the last prepared stage.</summary>
    public int LastSelfIterations { get; private set; }

    /// <inheritdoc />
    public string Name => "sinkhorn-flow";

    /// <inheritdoc />
    public int Dimension => Target.Dimension;

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => true;

    /// <inheritdoc />
    public int PartialLength => 0;

    /// <summary>Forgets the warm-start potentials (the next stage starts cold).</summary>
    public void ResetWarmStart()
    {
        crossSource = null;
        crossTarget = null;
        selfSourceF = null;
        selfSourceG = null;
        multiscaleCross = null;
        multiscaleSelf = null;
    }

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    /// <summary>
    /// Solves the cross and self problems; returns [f_ab (n), p_aa (n), g_ab (m), S_eps] (dense) or
    /// [T_ab (n x d), T_aa (n x d), S_eps] (multiscale).
    /// </summary>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        if (Multiscale is not null)
        {
            return PrepareMultiscaleStage(globals, Multiscale);
        }

        var source = AllParticles(globals);
        var n = source.Count;
        var problem = new SinkhornProblem(source, Target);

        // The particles move: eps is checked against every stage's clouds (the self problems against the joint scale).
        var options = StageOptions(problem);
        var warm = crossTarget is not null && crossSource!.Length == n;

        // The cross problem re-anneals from cold potentials with its own adaptive relaxation: measured on the flow
        // test (80 particles, eps 0.05), warm potentials without annealing took 47-98 iterations against 53-73
        // re-annealed, and starting from the previous stage's (adapted) factor took 226. The self problem starts
        // from its previous potentials without annealing (9 symmetric iterations against 19 cold).
        var cross = SinkhornSolver.Run(problem, options, warmStart: null, progress: null, SinkhornTerm.Cross.Name(), CancellationToken.None);
        var selfProblem = new SinkhornProblem(source, source);
        var selfStart = warm ? new MultiscaleWarmStart(selfSourceF!, selfSourceG!) : null;
        var self = SinkhornSolver.Run(selfProblem, options, selfStart, progress: null, SinkhornTerm.SelfSource.Name(), CancellationToken.None);
        if (double.IsNaN(targetSelfValue))
        {
            var targetSelf = SinkhornSolver.Run(new SinkhornProblem(Target, Target), options, warmStart: null, progress: null, SinkhornTerm.SelfTarget.Name(), CancellationToken.None);
            targetSelfValue = targetSelf.Dual;
        }

        crossSource = cross.F;
        crossTarget = cross.G;
        selfSourceF = self.F;
        selfSourceG = self.G;
        LastStageConverged = cross.Converged && self.Converged;
        LastCrossIterations = cross.Iterations;
        LastSelfIterations = self.Iterations;

        // The velocity's T_aa uses the symmetric self potential (f_aa + g_aa) / 2 (see
        // SinkhornDivergence.SymmetricSelfPotential), as SinkhornDivergence.SourceGradient does.
        var m = Target.Count;
        var data = new double[(2 * n) + m + 1];
        crossSource.CopyTo(data, 0);
        SinkhornDivergence.SymmetricSelfPotential(selfSourceF, selfSourceG).CopyTo(data, n);
        crossTarget.CopyTo(data, 2 * n);
        data[^1] = DebiasedDivergence.Combine(cross.Dual, self.Dual, targetSelfValue);
        return data;
    }

    /// <summary>
    /// Throws an <see cref="InvalidInputException"/> for <c>epsilon</c> when eps is outside the admissible range
    /// (<see cref="EpsilonRange"/>) of <paramref name="particles"/> against the target: the check every stage makes, for
    /// callers that want it before the run.
    /// </summary>
    public void CheckEpsilon(PointCloud particles) => EpsilonRange.Check(new SinkhornProblem(particles, Target), Options);

    /// <summary>
    /// The options of one stage's solves: eps checked against the admissible range of the particles and the target
    /// (<see cref="EpsilonRange"/>; an <see cref="InvalidInputException"/> for <c>epsilon</c> otherwise), with the joint
    /// cost scale for the self problems.
    /// </summary>
    private SinkhornOptions StageOptions(SinkhornProblem problem)
    {
        EpsilonRange.Check(problem, Options);
        return Options.WithJointCostScale(problem);
    }

    /// <summary>Every particle of the stage as one cloud (checks that the positions fit the weights).</summary>
    private PointCloud AllParticles(FlowGlobals globals)
    {
        var d = Dimension;
        var weights = globals.AllWeights.ToArray();
        var n = weights.Length;
        var positions = globals.AllPositions.ToArray();
        if (positions.Length != n * d)
        {
            throw new ArgumentException($"{positions.Length} coordinates for {n} particles in dimension {d}", nameof(globals));
        }

        return PointCloud.FromBlock(positions, weights, d);
    }

    /// <summary>v_i = 2 s (T_ab(x_i) - T_aa(x_i)) for the block's particles.</summary>
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(globals);
        if (globals.AllWeights.IsEmpty)
        {
            // Solved on the shards: the stage data holds this block's own rows of the maps.
            BlockMapVelocity(block, globals, velocity);
            return;
        }

        if (Multiscale is not null)
        {
            MultiscaleVelocity(block, globals, velocity);
            return;
        }

        var d = Dimension;
        var n = globals.AllWeights.Length;
        var m = Target.Count;
        var data = globals.StageData.Span;
        if (data.Length != (2 * n) + m + 1)
        {
            throw new ArgumentException("the stage data does not come from this model's PrepareStage", nameof(globals));
        }

        var selfPotential = data.Slice(n, n);
        var targetPotential = data.Slice(2 * n, m);
        var cross = SoftCTransform.Create(block.PositionArray, block.Count, Target, Options.Cost, Options.Precision, Options.MaxDegreeOfParallelism);
        var crossPartials = cross.Reduce(targetPotential, Options.Epsilon, withKeyPositions: true, withMoment: false);
        var particles = PointCloud.FromBlock(globals.AllPositions.ToArray(), globals.AllWeights.ToArray(), d);
        var self = SoftCTransform.Create(block.PositionArray, block.Count, particles, Options.Cost, Options.Precision, Options.MaxDegreeOfParallelism);
        var selfPartials = self.Reduce(selfPotential, Options.Epsilon, withKeyPositions: true, withMoment: false);
        var factor = 2 * Options.Cost.Scale();
        for (var i = 0; i < block.Count; i++)
        {
            var zab = crossPartials.Sum[i];
            var zaa = selfPartials.Sum[i];
            for (var k = 0; k < d; k++)
            {
                var tab = crossPartials.Weighted[(i * d) + k] / zab;
                var taa = selfPartials.Weighted[(i * d) + k] / zaa;
                velocity[(i * d) + k] = factor * (tab - taa);
            }
        }
    }

    /// <summary>0: the whole energy is the global term.</summary>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => 0.0;

    /// <summary>S_eps(alpha, beta), the last entry of the stage data.</summary>
    public double GlobalEnergy(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var data = globals.StageData.Span;
        return data.IsEmpty ? double.NaN : data[^1];
    }

    /// <inheritdoc />
    public double Diffusion(double time) => 0.0;
}
