using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The multiscale path of the Sinkhorn-divergence flow. <see cref="PrepareStage"/> solves the cross
/// problem (particles against the target) and the particles' self problem (a against a, as
/// <see cref="MultiscaleSinkhornDivergence"/> does) with <see cref="MultiscaleSinkhornSolver"/>, warm-started from
/// the previous stage (the self problem from its potentials and over-relaxation factor, the cross problem from its
/// factor only, re-annealing its potentials), and solves the target's self problem once. The
/// solver already returns the barycentric maps T_ab and T_aa over its kept blocks, so the stage data is
/// [T_ab (n x d), T_aa (n x d), S_eps] and <see cref="Velocity"/> only reads its block's rows: no dense
/// pass over all particle pairs. Beyond the solve tolerance, the kept-block plan differs from the dense
/// plan by at most the neglected mass (in L1), which the solver's safeguard keeps within its tolerance.
/// </summary>
public sealed partial class SinkhornDivergenceFlowModel
{
    // Previous stage's multiscale potentials (input order), null before the first stage and after ResetWarmStart.
    private MultiscaleWarmStart? multiscaleCross;
    private MultiscaleWarmStart? multiscaleSelf;

    /// <summary>Point-pair cost evaluations of the last prepared stage (cross + self; multiscale only, 0 when dense).</summary>
    public long LastStageKernelEvaluations { get; private set; }

    /// <summary>
    /// The larger of the cross and self problems' bounds on the plan mass outside their kept blocks in the last
    /// prepared stage (multiscale only, 0 when dense).
    /// </summary>
    public double LastStageNeglectedMass { get; private set; }

    private ReadOnlyMemory<double> PrepareMultiscaleStage(FlowGlobals globals, MultiscaleOptions multiscale)
    {
        var d = Dimension;
        var particles = AllParticles(globals);
        var n = particles.Count;

        // Potentials of a different population size cannot seed this one: start cold (with annealing).
        if (multiscaleCross is not null && multiscaleCross.F.Length != n)
        {
            multiscaleCross = null;
            multiscaleSelf = null;
        }

        // The cross problem re-anneals from cold potentials but keeps the previous stage's over-relaxation factor:
        // at small eps its slow global mode dominates, and the annealed coarse levels correct it more cheaply than
        // iterating from the old potentials (300 particles, blur 0.05: 231 iterations warm against 187 re-annealed).
        // The self problem starts from its previous potentials and factor (103 against 112 cold).
        var crossOptions = multiscaleCross?.Relaxation is > 1.0 and var w ? multiscale with { Overrelaxation = w } : multiscale;
        var crossProblem = new SinkhornProblem(particles, Target);
        var options = StageOptions(crossProblem);
        var cross = MultiscaleSinkhornSolver.Solve(crossProblem, options, crossOptions, warmStart: null, CancellationToken.None);
        var self = MultiscaleSinkhornSolver.Solve(new SinkhornProblem(particles, particles), options, multiscale, multiscaleSelf, CancellationToken.None);
        if (double.IsNaN(targetSelfValue))
        {
            targetSelfValue = MultiscaleSinkhornSolver.Solve(new SinkhornProblem(Target, Target), options, multiscale, CancellationToken.None).Dual;
        }

        multiscaleCross = new MultiscaleWarmStart(cross.F, cross.G) { Relaxation = cross.Relaxation };
        multiscaleSelf = new MultiscaleWarmStart(self.F, self.G) { Relaxation = self.Relaxation };
        LastStageConverged = cross.Converged && self.Converged;
        LastCrossIterations = cross.Iterations;
        LastSelfIterations = self.Iterations;
        LastStageKernelEvaluations = cross.KernelEvaluations + self.KernelEvaluations;
        LastStageNeglectedMass = Math.Max(cross.NeglectedMass, self.NeglectedMass);

        var data = new double[(2 * n * d) + 1];
        cross.Map.CopyTo(data, 0);
        self.Map.CopyTo(data, n * d);
        data[^1] = DebiasedDivergence.Combine(cross.Dual, self.Dual, targetSelfValue);
        return data;
    }

    private void MultiscaleVelocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var d = Dimension;
        var n = globals.AllWeights.Length;
        var data = globals.StageData.Span;
        if (data.Length != (2 * n * d) + 1)
        {
            throw new ArgumentException("the stage data does not come from this model's multiscale PrepareStage", nameof(globals));
        }

        // Block particle i is global particle FirstId + i: its map rows start at (FirstId + i) d.
        var start = checked((int)block.FirstId * d);
        if (block.FirstId < 0 || start + (block.Count * d) > n * d)
        {
            throw new ArgumentException($"block [{block.FirstId}, {block.FirstId + block.Count}) lies outside the {n} particles", nameof(block));
        }

        MapVelocity(data.Slice(start, block.Count * d), data.Slice((n * d) + start, block.Count * d), velocity);
    }
}
