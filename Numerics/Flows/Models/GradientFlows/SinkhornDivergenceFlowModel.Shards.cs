using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// What the Sinkhorn-divergence flow (dense or multiscale) needs when its solves run on the shard grains that hold the particles and
/// the target (the cluster's path): the stage's solve options from bounding boxes (the only thing the coordinator learns
/// about the clouds), and the velocity of a block from its own rows of the two barycentric maps, which the shards
/// computed next to the particles. The stage data a shard then hands to <see cref="Velocity"/> is block-local,
/// [T_ab (block x d), T_aa (block x d), S_eps], and its globals carry no positions or weights (that is how
/// <see cref="Velocity"/> tells it from the coordinator-prepared layout, whose globals always carry every weight).
/// </summary>
public sealed partial class SinkhornDivergenceFlowModel
{
    /// <summary>
    /// The options of one stage's three solves from the bounding boxes of the particles and the target: eps checked
    /// against the admissible range of the joint box (an <see cref="InvalidInputException"/> for <c>epsilon</c>
    /// otherwise), with the joint cost scale, exactly as the in-process stage derives them from the clouds.
    /// </summary>
    public SinkhornOptions StageOptions(BoundingBox particles, BoundingBox target, int particleCount)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(target);
        var joint = particles.Union(target);
        EpsilonRange.For(Options, joint, Math.Max(particleCount, Target.Count)).Check(Options.Epsilon);
        var scale = SinkhornProblem.MaxCost(joint, Options.Cost);
        return Options.CostScale is not null || !double.IsFinite(scale) ? Options : Options with { CostScale = scale };
    }

    /// <summary>The block-local stage data of a shard: its rows of T_ab and T_aa (row-major, d columns) and S_eps.</summary>
    public static double[] BlockStageData(ReadOnlySpan<double> crossMap, ReadOnlySpan<double> selfMap, double divergence)
    {
        if (crossMap.Length != selfMap.Length)
        {
            throw new ArgumentException($"{crossMap.Length} cross-map values against {selfMap.Length} self-map values", nameof(selfMap));
        }

        var data = new double[(2 * crossMap.Length) + 1];
        crossMap.CopyTo(data);
        selfMap.CopyTo(data.AsSpan(crossMap.Length));
        data[^1] = divergence;
        return data;
    }

    /// <summary>Records the iterations and convergence of a stage whose solves ran elsewhere (on shards).</summary>
    public void RecordStage(int crossIterations, int selfIterations, bool converged)
    {
        LastCrossIterations = crossIterations;
        LastSelfIterations = selfIterations;
        LastStageConverged = converged;
    }

    /// <summary>Records what the in-process multiscale stage records of its cross and self solves, solved elsewhere (on shards).</summary>
    public void RecordStage(MultiscaleOutput cross, MultiscaleOutput self)
    {
        ArgumentNullException.ThrowIfNull(cross);
        ArgumentNullException.ThrowIfNull(self);
        RecordStage(cross.Iterations, self.Iterations, cross.Converged && self.Converged);
        LastStageKernelEvaluations = cross.KernelEvaluations + self.KernelEvaluations;
        LastStageNeglectedMass = Math.Max(cross.NeglectedMass, self.NeglectedMass);
    }

    /// <summary>v_i = 2 s (T_ab(x_i) - T_aa(x_i)) from the block's own rows of the maps.</summary>
    private void BlockMapVelocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var rows = block.Count * Dimension;
        var data = globals.StageData.Span;
        if (data.Length != (2 * rows) + 1)
        {
            throw new ArgumentException($"block-local stage data holds {data.Length} values, a block of {block.Count} particles needs {(2 * rows) + 1}", nameof(globals));
        }

        MapVelocity(data[..rows], data.Slice(rows, rows), velocity);
    }

    /// <summary>v = 2 s (T_ab - T_aa) row by row: the one formula of every layout of the maps.</summary>
    private void MapVelocity(ReadOnlySpan<double> crossMap, ReadOnlySpan<double> selfMap, Span<double> velocity)
    {
        var factor = 2 * Options.Cost.Scale();
        for (var q = 0; q < crossMap.Length; q++)
        {
            velocity[q] = factor * (crossMap[q] - selfMap[q]);
        }
    }
}
