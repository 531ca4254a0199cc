using Transport.Numerics.Geometry;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// MMD gradient flow toward a fixed target cloud (math.md 4.2, Arbel et al. 2019), halved convention:
/// f(alpha) = (1/2) ||alpha - beta||_k^2 with the Gaussian kernel k(x, y) = exp(-|x - y|^2 / (2 l^2)).
/// <para>
/// Velocity v(x_i) = -sum_j a_j grad_1 k(x_i, x_j) + sum_l b_l grad_1 k(x_i, y_l) with
/// grad_1 k = -k (x - y) / l^2, i.e. v_i = [(x_i S^a_i - U^a_i) - (x_i S^b_i - U^b_i)] / l^2 where
/// S_i = sum_j w_j k_ij and U_i = sum_j w_j k_ij y_j are computed by the shared softmax reduction
/// (log-weights log w_j, score scale 1/(2 l^2), values = key positions), against all particles
/// (a) and against the target (b). Energy: the exact (1/2) MMD^2 including the constant target term
/// (1/2) sum_lm b_l b_m k_lm, which is computed once.
/// </para>
/// </summary>
public sealed class MmdFlowModel : IFlowModel
{
    private readonly GaussianKernelSums targetSums;
    private readonly double scale;
    private double targetTerm = double.NaN;

    /// <summary>Creates the model.</summary>
    /// <param name="target">The target cloud beta (its weights are b_l).</param>
    /// <param name="lengthScale">Kernel length scale l &gt; 0.</param>
    /// <param name="maxDegreeOfParallelism">Threads of the reduction (-1: all).</param>
    public MmdFlowModel(PointCloud target, double lengthScale, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!double.IsFinite(lengthScale) || lengthScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "must be a finite number > 0");
        }

        Target = target;
        LengthScale = lengthScale;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        scale = 1.0 / (2 * lengthScale * lengthScale);
        targetSums = new GaussianKernelSums(target.Positions, target.Weights, target.Dimension, scale, maxDegreeOfParallelism);
    }

    /// <summary>The target cloud.</summary>
    public PointCloud Target { get; }

    /// <summary>Kernel length scale l.</summary>
    public double LengthScale { get; }

    /// <summary>Threads of the reduction (-1: all).</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <inheritdoc />
    public string Name => "mmd-flow";

    /// <inheritdoc />
    public int Dimension => Target.Dimension;

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => true;

    /// <summary>False: the stage preparation reads no position (the shards exchange them among themselves).</summary>
    public bool PrepareNeedsAllPositions => false;

    /// <inheritdoc />
    public int PartialLength => 0;

    /// <summary>The constant (1/2) sum_lm b_l b_m k(y_l, y_m) of the energy.</summary>
    public double TargetTerm
    {
        get
        {
            if (double.IsNaN(targetTerm))
            {
                var m = Target.Count;
                var s = new double[m];
                var u = new double[m * Dimension];
                targetSums.Compute(Target.Positions, m, s, u);
                var sum = 0.0;
                for (var l = 0; l < m; l++)
                {
                    sum += Target.Weights[l] * s[l];
                }

                targetTerm = 0.5 * sum;
            }

            return targetTerm;
        }
    }

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    /// <inheritdoc />
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(block);
        var d = Dimension;
        var (sa, ua, sb, ub) = Sums(block, globals);
        var factor = 1.0 / (LengthScale * LengthScale);
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            for (var k = 0; k < d; k++)
            {
                var own = (x[k] * sa[i]) - ua[(i * d) + k];
                var toward = (x[k] * sb[i]) - ub[(i * d) + k];
                velocity[(i * d) + k] = factor * (own - toward);
            }
        }
    }

    /// <summary>The block's share sum_{i in block} a_i (S^a_i / 2 - S^b_i).</summary>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(block);
        var (sa, _, sb, _) = Sums(block, globals);
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            sum += block.Weights[i] * ((0.5 * sa[i]) - sb[i]);
        }

        return sum;
    }

    /// <summary>The constant target term <see cref="TargetTerm"/>.</summary>
    public double GlobalEnergy(FlowGlobals globals) => TargetTerm;

    /// <inheritdoc />
    public double Diffusion(double time) => 0.0;

    private (double[] Sa, double[] Ua, double[] Sb, double[] Ub) Sums(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        if (block.Dimension != Dimension)
        {
            throw new ArgumentException($"particles have dimension {block.Dimension}, the target {Dimension}", nameof(block));
        }

        var d = Dimension;
        var particles = new GaussianKernelSums(globals.AllPositions.Span, globals.AllWeights.Span, d, scale, MaxDegreeOfParallelism);
        var sa = new double[block.Count];
        var ua = new double[block.Count * d];
        particles.Compute(block.PositionArray, block.Count, sa, ua);
        var sb = new double[block.Count];
        var ub = new double[block.Count * d];
        targetSums.Compute(block.PositionArray, block.Count, sb, ub);
        return (sa, ua, sb, ub);
    }
}
