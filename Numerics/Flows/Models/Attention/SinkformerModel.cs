using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>The symmetric entropic potential of the Sinkformer at one stage.</summary>
/// <param name="Potential">f_i in global-id order (P_ij = a_i a_j e^{f_i + f_j - C_ij}).</param>
/// <param name="Iterations">Symmetric Sinkhorn iterations used (the first, f = T(0), included).</param>
/// <param name="Residual">max_i |T(f)_i - f_i| at the last iteration (the row and column marginal defect in log scale).</param>
public sealed record SinkformerPotential(double[] Potential, int Iterations, double Residual);

/// <summary>
/// The Sinkformer (math.md 6.3): attention made doubly stochastic by entropic optimal transport.
/// P is the entropic plan (eps = 1) between alpha = sum_i a_i delta_{x_i} and itself for the cost
/// C_ij = -beta &lt;Q x_i, K x_j&gt; (Q = K = I by default, i.e. Q = K = sqrt(beta) I in math.md's notation),
/// A_ij = P_ij / a_i (= n P for uniform weights), and x_i' = sum_j A_ij V x_j, projected onto the tangent
/// space of the sphere when <see cref="OnSphere"/>.
/// <para>
/// <see cref="PrepareStage"/> solves the symmetric problem from all positions with the log-domain update
/// f &lt;- (f + T(f))/2, T(f)_i = -log sum_j a_j e^{f_j - C_ij} (first step f = T(0)), until
/// max_i |T(f)_i - f_i| &lt;= tolerance * max(1, max_i |f_i|), and returns f as the stage data. Every
/// T(f) and the velocity run through the shared softmax reduction (scores beta &lt;Q x_i, K x_j&gt; with
/// per-key log-weights log a_j + f_j): the velocity is the softmax mean, so rows of A sum to 1 exactly and
/// columns to within the tolerance. Q^T K must be symmetric (the cost is then symmetric).
/// </para>
/// <para>
/// Energy: F = OT_1(alpha, alpha) / (2 beta) = (1/beta) sum_i a_i f_i for beta &gt; 0, and its limit
/// -1/2 sum_{i,j} a_i a_j &lt;Q x_i, K x_j&gt; at beta = 0. With V = I, x_i' = -(1/a_i) dF/dx_i (math.md 6.3:
/// sum_j A_ij x_j = -(n/(2 beta)) d OT_1/dx_i for uniform weights), so F is non-increasing.
/// </para>
/// </summary>
public sealed class SinkformerModel : IFlowModel
{
    private readonly int maxDegreeOfParallelism;

    /// <summary>Creates the model.</summary>
    /// <param name="dimension">Token dimension d.</param>
    /// <param name="beta">Inverse temperature, finite and &gt;= 0 (cost -beta &lt;Q x, K y&gt;).</param>
    /// <param name="onSphere">Tokens on S^{d-1} (velocities projected) rather than in R^d.</param>
    /// <param name="matrices">Q, K, V (identity when null); Q^T K must be symmetric.</param>
    /// <param name="tolerance">Symmetric Sinkhorn tolerance on max |T(f) - f| (relative to max(1, |f|)); 1e-12 by default.</param>
    /// <param name="maxIterations">Iteration cap; reaching it without convergence is an error.</param>
    /// <param name="precision">Kernel arithmetic of the velocity (float64 by default); the potential is always solved in float64.</param>
    /// <param name="maxDegreeOfParallelism">Threads used by the kernel (-1: all).</param>
    public SinkformerModel(
        int dimension,
        double beta,
        bool onSphere = false,
        AttentionMatrices? matrices = null,
        double tolerance = 1e-12,
        int maxIterations = 10_000,
        Precision precision = Precision.Double,
        int maxDegreeOfParallelism = -1)
    {
        if (dimension <= 0 || (onSphere && dimension < 2))
        {
            throw new InvalidInputException("dim", $"token dimension must be positive (>= 2 on the sphere), got {dimension}");
        }

        if (!double.IsFinite(beta) || beta < 0)
        {
            throw new InvalidInputException("beta", $"inverse temperature must be finite and >= 0, got {beta}");
        }

        if (!(tolerance > 0) || !double.IsFinite(tolerance))
        {
            throw new InvalidInputException("tolerance", $"Sinkhorn tolerance must be positive and finite, got {tolerance}");
        }

        if (maxIterations <= 0)
        {
            throw new InvalidInputException("max-iterations", $"must be positive, got {maxIterations}");
        }

        Matrices = matrices ?? AttentionMatrices.Identity(dimension);
        if (Matrices.Dimension != dimension)
        {
            throw new InvalidInputException("dim", $"the attention matrices act on dimension {Matrices.Dimension}, the tokens have {dimension}");
        }

        if (!Matrices.HasSymmetricScores())
        {
            throw new InvalidInputException("key", "the Sinkformer needs a symmetric cost: Q^T K must be symmetric");
        }

        Dimension = dimension;
        Beta = beta;
        OnSphere = onSphere;
        Tolerance = tolerance;
        MaxIterations = maxIterations;
        Precision = precision;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    /// <inheritdoc/>
    public string Name => "sinkformer";

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Inverse temperature beta.</summary>
    public double Beta { get; }

    /// <summary>Whether tokens live on the unit sphere.</summary>
    public bool OnSphere { get; }

    /// <summary>The query, key and value matrices.</summary>
    public AttentionMatrices Matrices { get; }

    /// <summary>Symmetric Sinkhorn tolerance.</summary>
    public double Tolerance { get; }

    /// <summary>Symmetric Sinkhorn iteration cap.</summary>
    public int MaxIterations { get; }

    /// <summary>Kernel arithmetic of the velocity (the potential is always solved in float64).</summary>
    public Precision Precision { get; }

    /// <inheritdoc/>
    public FlowManifold Manifold => OnSphere ? FlowManifold.Sphere : FlowManifold.Euclidean;

    /// <inheritdoc/>
    public bool NeedsAllPositions => true;

    /// <inheritdoc/>
    public int PartialLength => 0;

    /// <inheritdoc/>
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        AttentionReduction.CheckAllPositions(globals, Dimension, Name);
        return SolvePotential(globals.AllPositions.Span, globals.AllWeights.Span).Potential;
    }

    /// <summary>
    /// Solves the symmetric entropic problem OT_1(alpha, alpha) for tokens <paramref name="positions"/>
    /// (row-major) with weights <paramref name="weights"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tolerance was not reached within the iteration cap.</exception>
    public SinkformerPotential SolvePotential(ReadOnlySpan<double> positions, ReadOnlySpan<double> weights)
    {
        var n = weights.Length;
        if (positions.Length != n * Dimension)
        {
            throw new ArgumentException($"expected {n * Dimension} coordinates for {n} tokens, got {positions.Length}", nameof(positions));
        }

        var r = Matrices.ScoreDimension;
        var queries = new double[n * r];
        Matrices.ApplyQuery(positions, n, queries);
        var keys = new double[n * r];
        Matrices.ApplyKey(positions, n, keys);
        var logWeights = AttentionReduction.LogWeights(weights);
        var potential = new double[n];
        var transformed = new double[n];
        var keyLogWeights = new double[n];
        void Transform(double[] f)
        {
            for (var j = 0; j < n; j++)
            {
                keyLogWeights[j] = logWeights[j] + f[j];
            }

            // Always float64: a float32 kernel could not meet a tight tolerance on the potential.
            var partials = AttentionReduction.Reduce(queries, n, keys, n, r, keyLogWeights, Beta, [], 0, Precision.Double, maxDegreeOfParallelism);
            for (var i = 0; i < n; i++)
            {
                transformed[i] = -partials.LogSumExp(i);
            }
        }

        if (n == 0)
        {
            return new SinkformerPotential(potential, 0, 0);
        }

        Transform(potential);
        Array.Copy(transformed, potential, n);
        var residual = double.PositiveInfinity;
        for (var iteration = 2; iteration <= MaxIterations; iteration++)
        {
            Transform(potential);
            residual = 0.0;
            var largest = 0.0;
            for (var i = 0; i < n; i++)
            {
                if (double.IsNegativeInfinity(logWeights[i]))
                {
                    // A token without mass has no marginal constraint: keep its potential T(f)_i.
                    potential[i] = transformed[i];
                    continue;
                }

                residual = Math.Max(residual, Math.Abs(transformed[i] - potential[i]));
                potential[i] = 0.5 * (potential[i] + transformed[i]);
                largest = Math.Max(largest, Math.Abs(potential[i]));
            }

            if (residual <= Tolerance * Math.Max(1.0, largest))
            {
                return new SinkformerPotential(potential, iteration, residual);
            }
        }

        throw new InvalidOperationException(
            $"sinkformer: symmetric Sinkhorn did not reach tolerance {Tolerance:E1} in {MaxIterations} iterations (residual {residual:E2})");
    }

    /// <inheritdoc/>
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        AttentionReduction.CheckBlock(block, Dimension, Name);
        var n = AttentionReduction.CheckAllPositions(globals, Dimension, Name);
        var d = Dimension;
        if (velocity.Length != block.Count * d)
        {
            throw new ArgumentException($"expected {block.Count * d} velocity entries, got {velocity.Length}", nameof(velocity));
        }

        var potential = CheckPotential(globals, n);
        var keyLogWeights = AttentionReduction.LogWeights(globals.AllWeights.Span);
        for (var j = 0; j < n; j++)
        {
            keyLogWeights[j] += potential[j];
        }

        var partials = AttentionReduction.Attend(
            Matrices,
            block.Positions,
            block.Count,
            globals.AllPositions.Span,
            n,
            keyLogWeights,
            Beta,
            withValues: true,
            Precision,
            maxDegreeOfParallelism);
        for (var i = 0; i < block.Count; i++)
        {
            var v = velocity.Slice(i * d, d);
            var factor = partials.Sum[i] > 0 ? 1.0 / partials.Sum[i] : 0.0;
            for (var k = 0; k < d; k++)
            {
                v[k] = factor * partials.Weighted[(i * d) + k];
            }

            if (OnSphere)
            {
                AttentionReduction.ProjectTangent(block.Particle(i), v);
            }
        }
    }

    /// <inheritdoc/>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        AttentionReduction.CheckBlock(block, Dimension, Name);
        var n = AttentionReduction.CheckAllPositions(globals, Dimension, Name);
        if (Beta == 0)
        {
            return -AttentionReduction.MeanScoreShare(Matrices, block, globals.AllPositions.Span, globals.AllWeights.Span);
        }

        var potential = CheckPotential(globals, n);
        var share = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            if (block.Weights[i] > 0)
            {
                share += block.Weights[i] * potential[checked((int)(block.FirstId + i))];
            }
        }

        return share / Beta;
    }

    /// <inheritdoc/>
    public double GlobalEnergy(FlowGlobals globals) => 0;

    /// <inheritdoc/>
    public double Diffusion(double time) => 0;

    private static ReadOnlySpan<double> CheckPotential(FlowGlobals globals, int n)
    {
        if (globals.StageData.Length != n)
        {
            throw new ArgumentException($"sinkformer: the stage data must be the potential of the {n} tokens (PrepareStage), got {globals.StageData.Length} values", nameof(globals));
        }

        return globals.StageData.Span;
    }
}
