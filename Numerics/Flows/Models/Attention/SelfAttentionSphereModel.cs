using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// GLPR self-attention dynamics of tokens on the unit sphere S^{d-1} (math.md 6.2), for weighted tokens
/// (weights a_j, summing to 1; uniform weights a_j = 1/n give the paper's models):
/// <list type="bullet">
/// <item>SA: x_i' = P^perp_{x_i}( sum_j a_j e^{beta &lt;Q x_i, K x_j&gt;} V x_j / Z_i ), Z_i = sum_k a_k e^{beta &lt;Q x_i, K x_k&gt;};</item>
/// <item>USA: x_i' = P^perp_{x_i}( sum_j a_j e^{beta &lt;Q x_i, K x_j&gt;} V x_j ).</item>
/// </list>
/// P^perp_x v = v - (&lt;x, v&gt; / |x|^2) x is the projection onto the tangent space of the sphere through x
/// (the usual P^perp_x on the unit sphere; integrator stages off the sphere stay tangent to their own sphere).
/// Every sum runs through the shared softmax reduction with per-key log-weights (never an n x n array):
/// SA is its softmax mean, USA the unnormalised sum u_i e^{m_i}. The exponentials of USA and of the
/// energy must stay finite: beta |Q x| |K x| below about 700.
/// <para>
/// Energy: E_beta = (1/(2 beta)) sum_{i,j} a_i a_j e^{beta &lt;Q x_i, K x_j&gt;} for beta &gt; 0 and
/// E_0 = 1/2 sum_{i,j} a_i a_j &lt;Q x_i, K x_j&gt; (1/2 |mean|^2 for identity weights). With Q = K = V = I it is
/// non-decreasing along both SA and USA; each block contributes the terms of its own tokens i.
/// </para>
/// </summary>
public sealed class SelfAttentionSphereModel : IFlowModel
{
    private readonly int maxDegreeOfParallelism;

    /// <summary>Creates the model.</summary>
    /// <param name="dimension">Ambient dimension d (tokens on S^{d-1}).</param>
    /// <param name="variant">SA or USA.</param>
    /// <param name="beta">Inverse temperature, finite and &gt;= 0.</param>
    /// <param name="matrices">Q, K, V (identity when null).</param>
    /// <param name="precision">Kernel arithmetic (float64 by default).</param>
    /// <param name="maxDegreeOfParallelism">Threads used by the kernel (-1: all).</param>
    public SelfAttentionSphereModel(
        int dimension,
        AttentionVariant variant,
        double beta,
        AttentionMatrices? matrices = null,
        Precision precision = Precision.Double,
        int maxDegreeOfParallelism = -1)
    {
        if (dimension < 2)
        {
            throw new InvalidInputException("dim", $"tokens on the sphere need dimension >= 2, got {dimension}");
        }

        if (!double.IsFinite(beta) || beta < 0)
        {
            throw new InvalidInputException("beta", $"inverse temperature must be finite and >= 0, got {beta}");
        }

        if (variant is not AttentionVariant.SA and not AttentionVariant.USA)
        {
            throw new InvalidInputException("variant", $"unknown attention variant {variant}");
        }

        Matrices = matrices ?? AttentionMatrices.Identity(dimension);
        if (Matrices.Dimension != dimension)
        {
            throw new InvalidInputException("dim", $"the attention matrices act on dimension {Matrices.Dimension}, the tokens have {dimension}");
        }

        Dimension = dimension;
        Variant = variant;
        Beta = beta;
        Precision = precision;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    /// <inheritdoc/>
    public string Name => "attention-sphere";

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>SA or USA.</summary>
    public AttentionVariant Variant { get; }

    /// <summary>Inverse temperature beta.</summary>
    public double Beta { get; }

    /// <summary>The query, key and value matrices.</summary>
    public AttentionMatrices Matrices { get; }

    /// <summary>Kernel arithmetic.</summary>
    public Precision Precision { get; }

    /// <inheritdoc/>
    public FlowManifold Manifold => FlowManifold.Sphere;

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
            var v = velocity.Slice(i * d, d);
            var u = partials.Weighted.AsSpan(i * d, d);
            double factor;
            if (partials.Sum[i] == 0)
            {
                factor = 0;
            }
            else if (Variant == AttentionVariant.SA)
            {
                factor = 1.0 / partials.Sum[i];
            }
            else
            {
                factor = Math.Exp(partials.Max[i]);
            }

            for (var k = 0; k < d; k++)
            {
                v[k] = factor * u[k];
            }

            AttentionReduction.ProjectTangent(block.Particle(i), v);
        }
    }

    /// <inheritdoc/>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        AttentionReduction.CheckBlock(block, Dimension, Name);
        var n = AttentionReduction.CheckAllPositions(globals, Dimension, Name);
        if (Beta == 0)
        {
            return AttentionReduction.MeanScoreShare(Matrices, block, globals.AllPositions.Span, globals.AllWeights.Span);
        }

        var partials = AttentionReduction.Attend(
            Matrices,
            block.Positions,
            block.Count,
            globals.AllPositions.Span,
            n,
            AttentionReduction.LogWeights(globals.AllWeights.Span),
            Beta,
            withValues: false,
            Precision,
            maxDegreeOfParallelism);
        var share = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            if (block.Weights[i] > 0 && partials.Sum[i] > 0)
            {
                share += block.Weights[i] * Math.Exp(partials.LogSumExp(i));
            }
        }

        return share / (2 * Beta);
    }

    /// <inheritdoc/>
    public double GlobalEnergy(FlowGlobals globals) => 0;

    /// <inheritdoc/>
    public double Diffusion(double time) => 0;
}
