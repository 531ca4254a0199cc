using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The unconstrained attention ODE in R^d (math.md 6.1), depth as time, for weighted tokens:
/// x_i' = Gamma[alpha](x_i) with Gamma[alpha](x) = sum_j softmax_j(beta &lt;Q x, K x_j&gt; + log a_j) V x_j
/// (beta = 1 gives the formula of math.md). One softmax-weighted sum of the shared reduction per token
/// (R5); no energy (the dynamics is not a Wasserstein gradient flow of a fixed functional).
/// </summary>
public sealed class AttentionModel : IFlowModel
{
    private readonly int maxDegreeOfParallelism;

    /// <summary>Creates the model.</summary>
    /// <param name="dimension">Token dimension d.</param>
    /// <param name="matrices">Q, K, V (identity when null).</param>
    /// <param name="beta">Inverse temperature multiplying the scores, finite and &gt;= 0 (1 by default).</param>
    /// <param name="precision">Kernel arithmetic (float64 by default).</param>
    /// <param name="maxDegreeOfParallelism">Threads used by the kernel (-1: all).</param>
    public AttentionModel(
        int dimension,
        AttentionMatrices? matrices = null,
        double beta = 1.0,
        Precision precision = Precision.Double,
        int maxDegreeOfParallelism = -1)
    {
        if (dimension <= 0)
        {
            throw new InvalidInputException("dim", $"token dimension must be positive, got {dimension}");
        }

        if (!double.IsFinite(beta) || beta < 0)
        {
            throw new InvalidInputException("beta", $"inverse temperature must be finite and >= 0, got {beta}");
        }

        Matrices = matrices ?? AttentionMatrices.Identity(dimension);
        if (Matrices.Dimension != dimension)
        {
            throw new InvalidInputException("dim", $"the attention matrices act on dimension {Matrices.Dimension}, the tokens have {dimension}");
        }

        Dimension = dimension;
        Beta = beta;
        Precision = precision;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    /// <inheritdoc/>
    public string Name => "attention";

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Inverse temperature beta.</summary>
    public double Beta { get; }

    /// <summary>The query, key and value matrices.</summary>
    public AttentionMatrices Matrices { get; }

    /// <summary>Kernel arithmetic.</summary>
    public Precision Precision { get; }

    /// <inheritdoc/>
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc/>
    public bool NeedsAllPositions => true;

    /// <summary>False: the stage preparation reads no position (the shards exchange them among themselves).</summary>
    public bool PrepareNeedsAllPositions => false;

    /// <inheritdoc/>
    public int PartialLength => 0;

    /// <inheritdoc/>
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    /// <inheritdoc/>
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var d = Dimension;
        var partials = AttentionReduction.AttendAll(Name, d, Matrices, Beta, Precision, maxDegreeOfParallelism, block, globals, velocity);
        for (var i = 0; i < block.Count; i++)
        {
            var factor = partials.Sum[i] > 0 ? 1.0 / partials.Sum[i] : 0.0;
            for (var k = 0; k < d; k++)
            {
                velocity[(i * d) + k] = factor * partials.Weighted[(i * d) + k];
            }
        }
    }

    /// <inheritdoc/>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => double.NaN;

    /// <inheritdoc/>
    public double GlobalEnergy(FlowGlobals globals) => double.NaN;

    /// <inheritdoc/>
    public double Diffusion(double time) => 0;
}
