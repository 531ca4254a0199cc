namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Mean-field training of a two-layer network with neurons as particles (math.md 5; Mei, Montanari and
/// Nguyen 2018; Chizat and Bach 2018). A particle is x = [u (p), v (d')], the network is
/// G(z) = sum_i a_i v_i sigma(&lt;u_i, z&gt;) (uniform weights a_i = 1/n give the mean-field 1/n
/// scaling), the risk is (1/(2N)) sum_k |G(z_k) - y_k|^2 and the velocity is
/// -grad_x deltaF(alpha)(x_i) of math.md 5.2:
/// u_i' = -(1/N) sum_k sigma'(&lt;u_i, z_k&gt;) &lt;v_i, r_k&gt; z_k and
/// v_i' = -(1/N) sum_k sigma(&lt;u_i, z_k&gt;) r_k, minus lambda x_i with weight decay lambda.
/// Time is mean-field time: results do not depend on n.
/// <para>
/// Protocol (math.md 5.3): every block adds its partial outputs sum_{i in block} a_i v_i sigma(&lt;u_i, z_k&gt;)
/// (N x d', <see cref="PartialLength"/>); <see cref="PrepareStage"/> forms the residuals
/// r_k = G(z_k) - y_k from the combined sums and returns them (row-major N x d'), so shards get the
/// residuals; <see cref="GlobalEnergy"/> is the risk and <see cref="EnergyShare"/> the weight-decay
/// term (lambda/2) sum a_i |x_i|^2. With temperature tau the noise is sqrt(2 tau) dW (MMN's noisy
/// dynamics). A bias is obtained by appending a constant 1 to the inputs.
/// </para>
/// </summary>
public sealed class MeanFieldNetworkModel : IFlowModel
{
    /// <summary>Creates the model.</summary>
    /// <param name="data">The training set.</param>
    /// <param name="activation">sigma.</param>
    /// <param name="weightDecay">lambda &gt;= 0.</param>
    /// <param name="temperature">tau &gt;= 0 (noise sqrt(2 tau)).</param>
    public MeanFieldNetworkModel(MeanFieldDataset data, NetworkActivation activation, double weightDecay = 0.0, double temperature = 0.0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
        {
            throw new InvalidInputException("weight_decay", $"must be a finite number >= 0, got {weightDecay.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (!double.IsFinite(temperature) || temperature < 0)
        {
            throw new InvalidInputException("temperature", $"must be a finite number >= 0, got {temperature.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        _ = activation.Name();
        Data = data;
        Activation = activation;
        WeightDecay = weightDecay;
        Temperature = temperature;
    }

    /// <summary>The training set.</summary>
    public MeanFieldDataset Data { get; }

    /// <summary>The activation sigma.</summary>
    public NetworkActivation Activation { get; }

    /// <summary>Weight decay lambda.</summary>
    public double WeightDecay { get; }

    /// <summary>Temperature tau.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public string Name => "mean-field-network";

    /// <summary>p + d'.</summary>
    public int Dimension => Data.InputDimension + Data.OutputDimension;

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => false;

    /// <summary>N x d': the block's partial network outputs.</summary>
    public int PartialLength => Data.Count * Data.OutputDimension;

    /// <summary>Adds sum_{i in block} a_i v_i sigma(&lt;u_i, z_k&gt;) for every data point k.</summary>
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
        ArgumentNullException.ThrowIfNull(block);
        CheckBlock(block);
        var p = Data.InputDimension;
        var dOut = Data.OutputDimension;
        for (var k = 0; k < Data.Count; k++)
        {
            var z = Data.Input(k);
            var output = partials.Slice(k * dOut, dOut);
            for (var i = 0; i < block.Count; i++)
            {
                var x = block.Particle(i);
                var s = block.Weights[i] * Activation.Apply(Dot(x[..p], z));
                for (var c = 0; c < dOut; c++)
                {
                    output[c] += s * x[p + c];
                }
            }
        }
    }

    /// <summary>Returns the residuals r_k = G(z_k) - y_k (row-major N x d').</summary>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var sums = globals.Sums.Span;
        var targets = Data.Targets;
        var residuals = new double[PartialLength];
        for (var k = 0; k < residuals.Length; k++)
        {
            residuals[k] = sums[k] - targets[k];
        }

        return residuals;
    }

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(globals);
        CheckBlock(block);
        var residuals = globals.StageData.Span;
        if (residuals.Length != PartialLength)
        {
            throw new ArgumentException("the stage data does not hold the residuals", nameof(globals));
        }

        var p = Data.InputDimension;
        var dOut = Data.OutputDimension;
        var dim = Dimension;
        var inverseCount = 1.0 / Data.Count;
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            var u = x[..p];
            var v = x[p..];
            var out0 = velocity.Slice(i * dim, dim);
            out0.Clear();
            for (var k = 0; k < Data.Count; k++)
            {
                var z = Data.Input(k);
                var r = residuals.Slice(k * dOut, dOut);
                var pre = Dot(u, z);
                var sigma = Activation.Apply(pre);
                var slope = Activation.Derivative(pre);
                var vr = Dot(v, r);
                var uFactor = slope * vr;
                if (uFactor != 0)
                {
                    for (var q = 0; q < p; q++)
                    {
                        out0[q] -= uFactor * z[q];
                    }
                }

                for (var c = 0; c < dOut; c++)
                {
                    out0[p + c] -= sigma * r[c];
                }
            }

            for (var q = 0; q < dim; q++)
            {
                out0[q] = (out0[q] * inverseCount) - (WeightDecay * x[q]);
            }
        }
    }

    /// <summary>The weight-decay term (lambda/2) sum_{i in block} a_i |x_i|^2 (0 without weight decay).</summary>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (WeightDecay == 0)
        {
            return 0.0;
        }

        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            sum += block.Weights[i] * Dot(x, x);
        }

        return 0.5 * WeightDecay * sum;
    }

    /// <summary>The risk (1/(2N)) sum_k |r_k|^2 from the stage's residuals.</summary>
    public double GlobalEnergy(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var residuals = globals.StageData.Span;
        var sum = 0.0;
        for (var k = 0; k < residuals.Length; k++)
        {
            sum += residuals[k] * residuals[k];
        }

        return sum / (2.0 * Data.Count);
    }

    /// <summary>sqrt(2 tau).</summary>
    public double Diffusion(double time) => Math.Sqrt(2 * Temperature);

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var q = 0; q < a.Length; q++)
        {
            sum += a[q] * b[q];
        }

        return sum;
    }

    private void CheckBlock(ParticleBlock block)
    {
        if (block.Dimension != Dimension)
        {
            throw new ArgumentException($"neurons have dimension {block.Dimension}, expected p + d' = {Dimension}", nameof(block));
        }
    }
}
