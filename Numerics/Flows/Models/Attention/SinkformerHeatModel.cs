using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The Sinkformer with the L^2 cost c(x, y) = |x - y|^2 / 2 at entropic scale eps' (math.md 6.3, heat
/// limit, TR-6): P is the entropic self-transport plan of alpha, T(x_i) = sum_j (P_ij / a_i) x_j its
/// barycentric map, and x_i' = (2/eps') (x_i - T(x_i)), which tends to -grad log rho (the heat equation)
/// as eps' -&gt; 0. <see cref="PrepareStage"/> solves the symmetric potential from all positions by
/// f &lt;- (f + T(f))/2 (first step f = T(0)), T(f)_i = -eps' log sum_j a_j e^{(f_j - |x_i - x_j|^2/2)/eps'},
/// until max |T(f) - f| &lt;= tolerance * max(1, max |f|); velocities are softmax means of the shared
/// reduction with per-key log-weights log a_j + f_j / eps'. No energy (NaN).
/// </summary>
public sealed class SinkformerHeatModel : IFlowModel
{
    private readonly int maxDegreeOfParallelism;

    /// <summary>Creates the model.</summary>
    /// <param name="dimension">Particle dimension d.</param>
    /// <param name="epsilon">Entropic scale eps' &gt; 0.</param>
    /// <param name="tolerance">Symmetric Sinkhorn tolerance (relative to max(1, |f|)); 1e-12 by default.</param>
    /// <param name="maxIterations">Iteration cap; reaching it without convergence is an error.</param>
    /// <param name="maxDegreeOfParallelism">Threads used by the kernel (-1: all).</param>
    public SinkformerHeatModel(int dimension, double epsilon, double tolerance = 1e-12, int maxIterations = 10_000, int maxDegreeOfParallelism = -1)
    {
        if (dimension <= 0)
        {
            throw new InvalidInputException("dim", $"dimension must be positive, got {dimension}");
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new InvalidInputException("epsilon", $"entropic scale must be positive and finite, got {epsilon}");
        }

        if (!(tolerance > 0) || !double.IsFinite(tolerance))
        {
            throw new InvalidInputException("tolerance", $"Sinkhorn tolerance must be positive and finite, got {tolerance}");
        }

        if (maxIterations <= 0)
        {
            throw new InvalidInputException("max-iterations", $"must be positive, got {maxIterations}");
        }

        Dimension = dimension;
        Epsilon = epsilon;
        Tolerance = tolerance;
        MaxIterations = maxIterations;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
    }

    /// <inheritdoc/>
    public string Name => "sinkformer-heat";

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Entropic scale eps'.</summary>
    public double Epsilon { get; }

    /// <summary>Symmetric Sinkhorn tolerance.</summary>
    public double Tolerance { get; }

    /// <summary>Symmetric Sinkhorn iteration cap.</summary>
    public int MaxIterations { get; }

    /// <inheritdoc/>
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc/>
    public bool NeedsAllPositions => true;

    /// <inheritdoc/>
    public int PartialLength => 0;

    /// <inheritdoc/>
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    /// <summary>
    /// Throws an <see cref="InvalidInputException"/> for <c>epsilon</c> when eps' is outside the admissible range
    /// (<see cref="EpsilonRange"/>, float64 kernels) of the self problem of <paramref name="count"/> particles at
    /// <paramref name="positions"/> (row-major), whose largest cost is half their bounding box's squared diameter: the
    /// check every stage makes, for callers that want it before the run.
    /// </summary>
    public void CheckEpsilon(ReadOnlySpan<double> positions, int count)
    {
        var d = Dimension;
        var squaredDiameter = 0.0;
        for (var k = 0; k < d; k++)
        {
            var low = double.PositiveInfinity;
            var high = double.NegativeInfinity;
            for (var i = 0; i < count; i++)
            {
                low = Math.Min(low, positions[(i * d) + k]);
                high = Math.Max(high, positions[(i * d) + k]);
            }

            squaredDiameter += count > 0 ? (high - low) * (high - low) : 0.0;
        }

        if (!double.IsFinite(squaredDiameter))
        {
            throw new InvalidInputException("initial", "the particles are too far apart for float64 costs");
        }

        EpsilonRange.For(0.5 * squaredDiameter, count, Precision.Double).Check(Epsilon);
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        var n = AttentionReduction.CheckAllPositions(globals, Dimension, Name);
        var positions = globals.AllPositions.Span;

        // The particles move: eps' is checked against every stage's spread.
        CheckEpsilon(positions, n);
        var logWeights = AttentionReduction.LogWeights(globals.AllWeights.Span);
        var queries = new QueryPoints<double>(positions, n, Dimension);
        var keys = new KeyPoints<double>(positions, n, Dimension);
        var buffer = keys.CreateLogWeightBuffer();
        var potential = new double[n];
        var transformed = new double[n];
        void Transform()
        {
            for (var j = 0; j < n; j++)
            {
                buffer[j] = logWeights[j] + (potential[j] / Epsilon);
            }

            var partials = new SoftmaxPartials(n);
            SoftmaxReduction.Reduce(queries, keys, buffer, 0.5 / Epsilon, partials, null, maxDegreeOfParallelism);
            for (var i = 0; i < n; i++)
            {
                transformed[i] = -Epsilon * partials.LogSumExp(i);
            }
        }

        if (n == 0)
        {
            return potential;
        }

        Transform();
        Array.Copy(transformed, potential, n);
        var residual = double.PositiveInfinity;
        for (var iteration = 2; iteration <= MaxIterations; iteration++)
        {
            Transform();
            residual = 0.0;
            var largest = 0.0;
            for (var i = 0; i < n; i++)
            {
                if (double.IsNegativeInfinity(logWeights[i]))
                {
                    potential[i] = transformed[i];
                    continue;
                }

                residual = Math.Max(residual, Math.Abs(transformed[i] - potential[i]));
                potential[i] = 0.5 * (potential[i] + transformed[i]);
                largest = Math.Max(largest, Math.Abs(potential[i]));
            }

            if (residual <= Tolerance * Math.Max(1.0, largest))
            {
                return potential;
            }
        }

        throw new InvalidOperationException(
            $"sinkformer-heat: symmetric Sinkhorn did not reach tolerance {Tolerance:E1} in {MaxIterations} iterations (residual {residual:E2})");
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

        if (globals.StageData.Length != n)
        {
            throw new ArgumentException($"sinkformer-heat: the stage data must be the potential of the {n} particles (PrepareStage), got {globals.StageData.Length} values", nameof(globals));
        }

        var potential = globals.StageData.Span;
        var positions = globals.AllPositions.Span;
        var keys = new KeyPoints<double>(positions, n, d);
        var buffer = keys.CreateLogWeightBuffer();
        var logWeights = AttentionReduction.LogWeights(globals.AllWeights.Span);
        for (var j = 0; j < n; j++)
        {
            buffer[j] = logWeights[j] + (potential[j] / Epsilon);
        }

        var queries = new QueryPoints<double>(block.Positions, block.Count, d);
        var partials = new SoftmaxPartials(block.Count, d);
        SoftmaxReduction.Reduce(queries, keys, buffer, 0.5 / Epsilon, partials, keys.LayoutValues(positions, d), maxDegreeOfParallelism);
        var rate = 2.0 / Epsilon;
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            var inverse = partials.Sum[i] > 0 ? 1.0 / partials.Sum[i] : 0.0;
            for (var k = 0; k < d; k++)
            {
                var barycentre = partials.Sum[i] > 0 ? partials.Weighted[(i * d) + k] * inverse : x[k];
                velocity[(i * d) + k] = rate * (x[k] - barycentre);
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
