namespace Transport.Numerics.Flows.Models;

/// <summary>The interaction kernel W of an <see cref="InteractionFlowModel"/>.</summary>
public enum InteractionKernel
{
    /// <summary>W(z) = |z|^2 / 2: v_i = -(M x_i - sum_j a_j x_j) with M = sum_j a_j (the mean through partial sums only).</summary>
    Quadratic,

    /// <summary>W(z) = -exp(-|z|^2 / (2 l^2)): particles attract each other.</summary>
    GaussianAttractive,

    /// <summary>W(z) = +exp(-|z|^2 / (2 l^2)): particles repel each other.</summary>
    GaussianRepulsive,
}

/// <summary>
/// Interaction-energy Wasserstein gradient flow (math.md 4.2):
/// f(alpha) = (1/2) sum_ij a_i a_j W(x_i - x_j), velocity v(x_i) = -sum_j a_j grad W(x_i - x_j).
/// <para>
/// Quadratic W needs only the R1 partial sums (M, sum a_j x_j, sum a_j |x_j|^2); then
/// f = (M Q - |P|^2)/2 and, for unit mass, x_i - mean contracts exactly as e^{-t} about the conserved
/// mean (WGF-2). Gaussian W = s exp(-|z|^2/(2 l^2)) (s = -1 attractive, +1 repulsive) uses the shared
/// softmax reduction over all particles: v_i = (s / l^2) (x_i S_i - U_i) with
/// S_i = sum_j a_j k_ij, U_i = sum_j a_j k_ij x_j, and f = (s/2) sum_i a_i S_i.
/// </para>
/// </summary>
public sealed class InteractionFlowModel : IFlowModel
{
    private readonly double sign;

    /// <summary>Creates the model.</summary>
    /// <param name="dimension">Dimension of the particles.</param>
    /// <param name="kernel">The interaction kernel.</param>
    /// <param name="lengthScale">l &gt; 0 of the Gaussian kernels (ignored for <see cref="InteractionKernel.Quadratic"/>).</param>
    /// <param name="maxDegreeOfParallelism">Threads of the reduction (-1: all).</param>
    public InteractionFlowModel(int dimension, InteractionKernel kernel, double lengthScale = 1.0, int maxDegreeOfParallelism = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (!double.IsFinite(lengthScale) || lengthScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "must be a finite number > 0");
        }

        Dimension = dimension;
        Kernel = kernel;
        LengthScale = lengthScale;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        sign = kernel switch
        {
            InteractionKernel.Quadratic => 0.0,
            InteractionKernel.GaussianAttractive => -1.0,
            InteractionKernel.GaussianRepulsive => 1.0,
            _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown interaction kernel"),
        };
    }

    /// <summary>The interaction kernel.</summary>
    public InteractionKernel Kernel { get; }

    /// <summary>Length scale l of the Gaussian kernels.</summary>
    public double LengthScale { get; }

    /// <summary>Threads of the reduction (-1: all).</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <inheritdoc />
    public string Name => "interaction";

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => Kernel != InteractionKernel.Quadratic;

    /// <summary>False: the stage preparation reads no position (the shards exchange them among themselves).</summary>
    public bool PrepareNeedsAllPositions => false;

    /// <summary>Quadratic: [M, sum a x (d), sum a |x|^2]; Gaussian: none.</summary>
    public int PartialLength => Kernel == InteractionKernel.Quadratic ? Dimension + 2 : 0;

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (Kernel != InteractionKernel.Quadratic)
        {
            return;
        }

        var d = Dimension;
        for (var i = 0; i < block.Count; i++)
        {
            var a = block.Weights[i];
            var x = block.Particle(i);
            partials[0] += a;
            var norm = 0.0;
            for (var k = 0; k < d; k++)
            {
                partials[1 + k] += a * x[k];
                norm += x[k] * x[k];
            }

            partials[d + 1] += a * norm;
        }
    }

    /// <inheritdoc />
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(globals);
        var d = Dimension;
        if (Kernel == InteractionKernel.Quadratic)
        {
            var sums = globals.Sums.Span;
            var mass = sums[0];
            for (var i = 0; i < block.Count; i++)
            {
                var x = block.Particle(i);
                for (var k = 0; k < d; k++)
                {
                    velocity[(i * d) + k] = -((mass * x[k]) - sums[1 + k]);
                }
            }

            return;
        }

        var (s, u) = KernelSums(block, globals);
        var factor = sign / (LengthScale * LengthScale);
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            for (var k = 0; k < d; k++)
            {
                velocity[(i * d) + k] = factor * ((x[k] * s[i]) - u[(i * d) + k]);
            }
        }
    }

    /// <inheritdoc />
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (Kernel == InteractionKernel.Quadratic)
        {
            return 0.0;
        }

        var (s, _) = KernelSums(block, globals);
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            sum += block.Weights[i] * s[i];
        }

        return 0.5 * sign * sum;
    }

    /// <inheritdoc />
    public double GlobalEnergy(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        if (Kernel != InteractionKernel.Quadratic)
        {
            return 0.0;
        }

        var sums = globals.Sums.Span;
        var d = Dimension;
        var meanNorm = 0.0;
        for (var k = 0; k < d; k++)
        {
            meanNorm += sums[1 + k] * sums[1 + k];
        }

        return 0.5 * ((sums[0] * sums[d + 1]) - meanNorm);
    }

    /// <inheritdoc />
    public double Diffusion(double time) => 0.0;

    private (double[] Sums, double[] Weighted) KernelSums(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var scale = 1.0 / (2 * LengthScale * LengthScale);
        var kernel = new GaussianKernelSums(globals.AllPositions.Span, globals.AllWeights.Span, Dimension, scale, MaxDegreeOfParallelism);
        var s = new double[block.Count];
        var u = new double[block.Count * Dimension];
        kernel.Compute(block.PositionArray, block.Count, s, u);
        return (s, u);
    }
}
