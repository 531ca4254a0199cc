using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The Fokker-Planck flow of F = int V drho + T int rho log rho with V = (lambda/2)|x - c|^2 in its Gaussian closure
/// (math.md 4.4): the entropy's gradient T grad log rho is taken for the Gaussian with the particles' own mean m and
/// covariance C (R1 reductions: every stage sums the mass, the first and the second moments over the blocks), so
/// v(x) = -lambda (x - c) + T C^-1 (x - m). An affine field keeps a Gaussian cloud Gaussian; the covariance follows
/// C' = -2 lambda C + 2 T I, to the stationary N(c, (T / lambda) I). With the <c>jko</c> integrator the step is the JKO
/// step of the closed form (math.md 4.3, WGF-1): in 1-D the standard deviation goes s -&gt;
/// [s + sqrt(s^2 + 4 tau (1 + tau))] / (2 (1 + tau)) for lambda = T = 1, whatever the particles.
/// </summary>
public sealed class GaussianFokkerPlanckModel : IFlowModel
{
    private readonly double[] center;

    /// <summary>The closure for stiffness <paramref name="lambda"/> &gt; 0, centre <paramref name="center"/> and temperature <paramref name="temperature"/> &gt; 0.</summary>
    public GaussianFokkerPlanckModel(double lambda, double[] center, double temperature)
    {
        ArgumentNullException.ThrowIfNull(center);
        if (!(double.IsFinite(lambda) && lambda > 0))
        {
            throw new InvalidInputException("lambda", $"must be a finite number > 0, got {lambda}");
        }

        if (!(double.IsFinite(temperature) && temperature > 0))
        {
            throw new InvalidInputException("temperature", $"must be a finite number > 0, got {temperature}");
        }

        if (center.Length == 0 || center.Any(c => !double.IsFinite(c)))
        {
            throw new InvalidInputException("center", "must be a non-empty vector of finite numbers");
        }

        Lambda = lambda;
        Temperature = temperature;
        this.center = [.. center];
        Dimension = center.Length;
    }

    /// <summary>lambda.</summary>
    public double Lambda { get; }

    /// <summary>T.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public string Name => "gaussian-fokker-planck";

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FlowManifold Manifold => FlowManifold.Euclidean;

    /// <inheritdoc />
    public bool NeedsAllPositions => false;

    /// <inheritdoc />
    public int PartialLength => 1 + Dimension + (Dimension * Dimension);

    /// <inheritdoc />
    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
        ArgumentNullException.ThrowIfNull(block);
        var d = Dimension;
        for (var i = 0; i < block.Count; i++)
        {
            var a = block.Weights[i];
            var x = block.Particle(i);
            partials[0] += a;
            for (var k = 0; k < d; k++)
            {
                partials[1 + k] += a * x[k];
                for (var l = 0; l < d; l++)
                {
                    partials[1 + d + (k * d) + l] += a * x[k] * x[l];
                }
            }
        }
    }

    /// <summary>The stage data: the mean m (d), then T C^-1 (d x d), from the combined moments.</summary>
    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var d = Dimension;
        var sums = globals.Sums.Span;
        var mass = sums[0];
        var mean = new double[d];
        for (var k = 0; k < d; k++)
        {
            mean[k] = sums[1 + k] / mass;
        }

        var covariance = Matrix<double>.Build.Dense(d, d);
        for (var k = 0; k < d; k++)
        {
            for (var l = 0; l < d; l++)
            {
                covariance[k, l] = (sums[1 + d + (k * d) + l] / mass) - (mean[k] * mean[l]);
            }
        }

        if (covariance.Evd(Symmetricity.Symmetric).EigenValues.Min(e => e.Real) <= 0)
        {
            throw new InvalidOperationException("gaussian-fokker-planck: the particles' covariance is singular (the closure needs a cloud that spans every dimension)");
        }

        var precision = covariance.Inverse() * Temperature;
        var data = new double[d + (d * d)];
        mean.CopyTo(data, 0);
        for (var k = 0; k < d; k++)
        {
            for (var l = 0; l < d; l++)
            {
                data[d + (k * d) + l] = precision[k, l];
            }
        }

        return data;
    }

    /// <inheritdoc />
    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(globals);
        var d = Dimension;
        var data = globals.StageData.Span;
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            for (var k = 0; k < d; k++)
            {
                var entropy = 0.0;
                for (var l = 0; l < d; l++)
                {
                    entropy += data[d + (k * d) + l] * (x[l] - data[l]);
                }

                velocity[(i * d) + k] = (-Lambda * (x[k] - center[k])) + entropy;
            }
        }
    }

    /// <summary>The potential energy's share; the entropy term is a global of the closure (see <see cref="GlobalEnergy"/>).</summary>
    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(block);
        var d = Dimension;
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            var x = block.Particle(i);
            var squared = 0.0;
            for (var k = 0; k < d; k++)
            {
                squared += (x[k] - center[k]) * (x[k] - center[k]);
            }

            sum += block.Weights[i] * 0.5 * Lambda * squared;
        }

        return sum;
    }

    /// <summary>T times the Gaussian's negative entropy, -(T/2) log det(2 pi e C), with C from the stage's precision.</summary>
    public double GlobalEnergy(FlowGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var d = Dimension;
        var data = globals.StageData.Span;
        if (data.Length < d + (d * d))
        {
            return double.NaN;
        }

        var precision = Matrix<double>.Build.Dense(d, d);
        for (var k = 0; k < d; k++)
        {
            for (var l = 0; l < d; l++)
            {
                precision[k, l] = data[d + (k * d) + l] / Temperature;
            }
        }

        return 0.5 * Temperature * (precision.Determinant() is var det && det > 0 ? Math.Log(det) - (d * Math.Log(2 * Math.PI * Math.E)) : double.NaN);
    }

    /// <inheritdoc />
    public double Diffusion(double time) => 0.0;
}
