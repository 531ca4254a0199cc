namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Potential-energy Wasserstein gradient flow (math.md 4.2): f(alpha) = sum_i a_i V(x_i), velocity
/// v(x_i) = -grad V(x_i). Purely local: no reduction, no all-gather. The quadratic potential
/// V(x) = (lambda/2) |x - m|^2 has the exact flow x(t) = m + e^{-lambda t}(x0 - m) (WGF-4).
/// </summary>
public sealed class PotentialFlowModel : IFlowModel
{
    private readonly ScalarField potential;
    private readonly GradientField gradient;

    /// <summary>A general potential given by its value and gradient.</summary>
    /// <param name="dimension">Dimension of the particles.</param>
    /// <param name="potential">V(x).</param>
    /// <param name="gradient">grad V(x).</param>
    public PotentialFlowModel(int dimension, ScalarField potential, GradientField gradient)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(gradient);
        Dimension = dimension;
        this.potential = potential;
        this.gradient = gradient;
    }

    /// <summary>The quadratic potential V(x) = (lambda/2) |x - center|^2.</summary>
    /// <param name="stiffness">lambda (any finite real; lambda &gt; 0 attracts to the center).</param>
    /// <param name="center">m (its length is the dimension).</param>
    public static PotentialFlowModel Quadratic(double stiffness, ReadOnlySpan<double> center)
    {
        if (!double.IsFinite(stiffness))
        {
            throw new ArgumentOutOfRangeException(nameof(stiffness), stiffness, "must be finite");
        }

        if (center.IsEmpty)
        {
            throw new ArgumentException("the center must have at least one coordinate", nameof(center));
        }

        var m = center.ToArray();
        return new PotentialFlowModel(
            m.Length,
            x =>
            {
                var sum = 0.0;
                for (var k = 0; k < m.Length; k++)
                {
                    var diff = x[k] - m[k];
                    sum += diff * diff;
                }

                return 0.5 * stiffness * sum;
            },
            (x, g) =>
            {
                for (var k = 0; k < m.Length; k++)
                {
                    g[k] = stiffness * (x[k] - m[k]);
                }
            });
    }

    /// <inheritdoc />
    public string Name => "potential";

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => false;

    /// <inheritdoc />
    public int PartialLength => 0;

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
        for (var i = 0; i < block.Count; i++)
        {
            var v = velocity.Slice(i * d, d);
            gradient(block.Particle(i), v);
            for (var k = 0; k < d; k++)
            {
                v[k] = -v[k];
            }
        }
    }

    /// <inheritdoc />
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(block);
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            sum += block.Weights[i] * potential(block.Particle(i));
        }

        return sum;
    }

    /// <inheritdoc />
    public double GlobalEnergy(FlowGlobals globals) => 0.0;

    /// <inheritdoc />
    public double Diffusion(double time) => 0.0;
}
