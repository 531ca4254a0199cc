using Transport.Numerics.Flows;

namespace Transport.Tests.Shared;

// Test flow models shared by the Numerics and Grains test projects (compiled into both, see their csproj).
/// <summary>v = b + A (x - m) with m the weighted particle mean (an R1 partial sum): math.md 4.4.</summary>
internal sealed class AffineMeanModel(double[] b, double[,] a) : IFlowModel
{
    public string Name => "affine-mean";

    public int Dimension => b.Length;

    public FlowManifold Manifold => FlowManifold.Euclidean;

    public bool NeedsAllPositions => false;

    public int PartialLength => b.Length;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
        var d = Dimension;
        for (var i = 0; i < block.Count; i++)
        {
            for (var c = 0; c < d; c++)
            {
                partials[c] += block.Weights[i] * block.PositionArray[(i * d) + c];
            }
        }
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var d = Dimension;
        var m = globals.Sums.Span;
        for (var i = 0; i < block.Count; i++)
        {
            for (var r = 0; r < d; r++)
            {
                var value = b[r];
                for (var c = 0; c < d; c++)
                {
                    value += a[r, c] * (block.PositionArray[(i * d) + c] - m[c]);
                }

                velocity[(i * d) + r] = value;
            }
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => double.NaN;

    public double GlobalEnergy(FlowGlobals globals) => double.NaN;

    public double Diffusion(double time) => 0;
}

/// <summary>Langevin for V(x) = |x|^2/(2 s^2): dX = -x/s^2 dt + sqrt(2) dW; energy sum a_i V(x_i).</summary>
internal sealed class QuadraticLangevinModel(double variance, int dimension) : IFlowModel
{
    public string Name => "test-langevin";

    public int Dimension => dimension;

    public FlowManifold Manifold => FlowManifold.Euclidean;

    public bool NeedsAllPositions => false;

    public int PartialLength => 0;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        for (var c = 0; c < block.PositionArray.Length; c++)
        {
            velocity[c] = -block.PositionArray[c] / variance;
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            var squared = 0.0;
            foreach (var value in block.Particle(i))
            {
                squared += value * value;
            }

            sum += block.Weights[i] * squared / (2 * variance);
        }

        return sum;
    }

    public double GlobalEnergy(FlowGlobals globals) => 0;

    public double Diffusion(double time) => Math.Sqrt(2);
}

/// <summary>
/// An all-pairs model exercising every part of the protocol: attraction to the mean (partial sums), Gaussian
/// kernel repulsion over all positions, stage data from <see cref="PrepareStage"/>, an energy, and optional noise.
/// </summary>
internal sealed class PairModel(double noise) : IFlowModel
{
    public string Name => "pairs";

    public int Dimension => 2;

    public FlowManifold Manifold => FlowManifold.Euclidean;

    public bool NeedsAllPositions => true;

    public int PartialLength => 3;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
        for (var i = 0; i < block.Count; i++)
        {
            var p = block.Particle(i);
            partials[0] += block.Weights[i] * p[0];
            partials[1] += block.Weights[i] * p[1];
            partials[2] += block.Weights[i] * ((p[0] * p[0]) + (p[1] * p[1]));
        }
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        var s = globals.Sums.Span;
        var spread = s[2] - (s[0] * s[0]) - (s[1] * s[1]);
        return new[] { 1.0 / (1.0 + spread) };
    }

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var s = globals.Sums.Span;
        var pull = globals.StageData.Span[0];
        var all = globals.AllPositions.Span;
        var weights = globals.AllWeights.Span;
        for (var i = 0; i < block.Count; i++)
        {
            var p = block.Particle(i);
            var vx = -pull * (p[0] - s[0]);
            var vy = -pull * (p[1] - s[1]);
            for (var j = 0; j < weights.Length; j++)
            {
                var dx = p[0] - all[2 * j];
                var dy = p[1] - all[(2 * j) + 1];
                var k = Math.Exp(-((dx * dx) + (dy * dy)) / 2);
                vx += weights[j] * k * dx;
                vy += weights[j] * k * dy;
            }

            velocity[2 * i] = vx;
            velocity[(2 * i) + 1] = vy;
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        var all = globals.AllPositions.Span;
        var weights = globals.AllWeights.Span;
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            var p = block.Particle(i);
            for (var j = 0; j < weights.Length; j++)
            {
                var dx = p[0] - all[2 * j];
                var dy = p[1] - all[(2 * j) + 1];
                sum += 0.5 * block.Weights[i] * weights[j] * Math.Exp(-((dx * dx) + (dy * dy)) / 2);
            }
        }

        return sum;
    }

    public double GlobalEnergy(FlowGlobals globals)
    {
        var s = globals.Sums.Span;
        return 0.5 * (s[2] - (s[0] * s[0]) - (s[1] * s[1]));
    }

    public double Diffusion(double time) => noise;
}

/// <summary>
/// On the sphere S^2: v = S x + p with S the rotation generator about the z axis and p a fixed direction
/// (the engine projects v onto the tangent space).
/// </summary>
internal sealed class SphereModel(double rotation, double[] pull) : IFlowModel
{
    public string Name => "sphere";

    public int Dimension => 3;

    public FlowManifold Manifold => FlowManifold.Sphere;

    public bool NeedsAllPositions => false;

    public int PartialLength => 0;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        for (var i = 0; i < block.Count; i++)
        {
            var p = block.Particle(i);
            velocity[3 * i] = (-rotation * p[1]) + pull[0];
            velocity[(3 * i) + 1] = (rotation * p[0]) + pull[1];
            velocity[(3 * i) + 2] = pull[2];
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => double.NaN;

    public double GlobalEnergy(FlowGlobals globals) => double.NaN;

    public double Diffusion(double time) => 0;
}
