using System.Text.Json;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains.Tests;

/// <summary>
/// Test flow models (the model classes are shared with the Numerics tests, tests/Shared) and their builders from a
/// <see cref="FlowModelSpec"/>. The silos of the test cluster register <see cref="Builders"/>; the tests build
/// the single-process reference from the same spec with <see cref="Build"/>.
/// </summary>
internal static class FlowTestModels
{
    public static IReadOnlyDictionary<string, Func<FlowModelSpec, IFlowModel>> Builders { get; } = new Dictionary<string, Func<FlowModelSpec, IFlowModel>>
    {
        ["affine-mean"] = spec =>
        {
            using var json = JsonDocument.Parse(spec.ParametersJson);
            var b = json.RootElement.GetProperty("b").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var rows = json.RootElement.GetProperty("a").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
            var a = new double[b.Length, b.Length];
            for (var r = 0; r < b.Length; r++)
            {
                for (var c = 0; c < b.Length; c++)
                {
                    a[r, c] = rows[r][c];
                }
            }

            return new AffineMeanModel(b, a);
        },
        ["pairs"] = spec =>
        {
            using var json = JsonDocument.Parse(spec.ParametersJson);
            return new PairModel(json.RootElement.TryGetProperty("noise", out var noise) ? noise.GetDouble() : 0.0);
        },
        ["test-langevin"] = spec =>
        {
            using var json = JsonDocument.Parse(spec.ParametersJson);
            return new QuadraticLangevinModel(json.RootElement.GetProperty("variance").GetDouble(), json.RootElement.GetProperty("dim").GetInt32());
        },
        ["sphere"] = spec =>
        {
            using var json = JsonDocument.Parse(spec.ParametersJson);
            var pull = json.RootElement.GetProperty("pull").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return new SphereModel(json.RootElement.GetProperty("rotation").GetDouble(), pull);
        },
        ["wide"] = _ => new WideModel(),
        ["anchor"] = spec =>
        {
            var target = spec.FindData("target")
                ?? throw new Transport.Numerics.InvalidInputException("target", "target: the anchor model needs a data block named 'target'");
            if (target.Columns != spec.Dimension)
            {
                throw new Transport.Numerics.InvalidInputException("target", $"target: has dimension {target.Columns}; the particles have dimension {spec.Dimension}");
            }

            return new AnchorModel(target.Values.ToArray(), target.Rows, target.Columns);
        },
    };

    public static IFlowModel Build(FlowModelSpec spec) => Builders[spec.Name](spec);

    public static FlowModelSpec AffineSpec() => new()
    {
        Name = "affine-mean",
        ParametersJson = """{"b": [0.3, -0.2], "a": [[-0.5, 0.4], [-0.6, -0.3]]}""",
    };

    public static FlowModelSpec PairsSpec(double noise) => new()
    {
        Name = "pairs",
        ParametersJson = JsonSerializer.Serialize(new Dictionary<string, double> { ["noise"] = noise }),
    };

    public static FlowModelSpec LangevinSpec() => new() { Name = "test-langevin", ParametersJson = """{"variance": 0.5, "dim": 2}""" };

    public static FlowModelSpec SphereSpec() => new() { Name = "sphere", ParametersJson = """{"rotation": 1.3, "pull": [0.2, -0.1, 0.4]}""" };

    public static FlowModelSpec AnchorSpec()
    {
        var target = FlowData.Gaussian(13, 2, 99, 0.5).Select(v => v + 1.0).ToArray();
        return new FlowModelSpec { Name = "anchor", Data = [FloatBlock.From(target, 13, 2)], DataNames = ["target"] };
    }
}




/// <summary>
/// Pull towards the mean of a fixed target cloud carried as model data (<see cref="FlowModelSpec.Data"/>):
/// v = mean(target) - x; energy sum_i a_i |x_i - mean|^2 / 2.
/// </summary>
internal sealed class AnchorModel : IFlowModel
{
    private readonly double[] mean;

    public AnchorModel(double[] target, int rows, int dimension)
    {
        mean = new double[dimension];
        for (var i = 0; i < rows; i++)
        {
            for (var c = 0; c < dimension; c++)
            {
                mean[c] += target[(i * dimension) + c] / rows;
            }
        }
    }

    public string Name => "anchor";

    public int Dimension => mean.Length;

    public FlowManifold Manifold => FlowManifold.Euclidean;

    public bool NeedsAllPositions => false;

    public int PartialLength => 0;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals) => ReadOnlyMemory<double>.Empty;

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var d = Dimension;
        for (var c = 0; c < block.PositionArray.Length; c++)
        {
            velocity[c] = mean[c % d] - block.PositionArray[c];
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals)
    {
        var d = Dimension;
        var sum = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            for (var c = 0; c < d; c++)
            {
                var e = block.PositionArray[(i * d) + c] - mean[c];
                sum += 0.5 * block.Weights[i] * e * e;
            }
        }

        return sum;
    }

    public double GlobalEnergy(FlowGlobals globals) => 0;

    public double Diffusion(double time) => 0;
}


/// <summary>
/// A model whose partial sums and stage data are longer than one <see cref="FloatBlock"/> (like per-data-point
/// partial outputs of a network over a large dataset), so they cross the wire in chunks. Particle i adds its
/// weight to entry (7919 i) mod L, and its weighted coordinates to entries 0 and L - 1.
/// </summary>
internal sealed class WideModel : IFlowModel
{
    public const int Length = 1_100_000;

    public string Name => "wide";

    public int Dimension => 2;

    public FlowManifold Manifold => FlowManifold.Euclidean;

    public bool NeedsAllPositions => false;

    public int PartialLength => Length;

    public void AccumulatePartials(double time, ParticleBlock block, Span<double> partials)
    {
        for (var i = 0; i < block.Count; i++)
        {
            var p = block.Particle(i);
            partials[0] += block.Weights[i] * p[0];
            partials[Length - 1] += block.Weights[i] * p[1];
            partials[Slot(block.FirstId + i)] += block.Weights[i];
        }
    }

    public ReadOnlyMemory<double> PrepareStage(FlowGlobals globals)
    {
        var sums = globals.Sums.Span;
        var data = new double[Length];
        for (var j = 0; j < Length; j++)
        {
            data[j] = 0.5 * sums[j];
        }

        data[Length - 1] = sums[0];
        return data;
    }

    public void Velocity(ParticleBlock block, FlowGlobals globals, Span<double> velocity)
    {
        var sums = globals.Sums.Span;
        var data = globals.StageData.Span;
        for (var i = 0; i < block.Count; i++)
        {
            var p = block.Particle(i);
            var rate = 1 + data[Slot(block.FirstId + i)];
            velocity[2 * i] = -rate * (p[0] - data[Length - 1]);
            velocity[(2 * i) + 1] = -rate * (p[1] - sums[Length - 1]);
        }
    }

    public double EnergyShare(ParticleBlock block, FlowGlobals globals) => double.NaN;

    public double GlobalEnergy(FlowGlobals globals) => double.NaN;

    public double Diffusion(double time) => 0;

    private static int Slot(long id) => (int)(id * 7919 % Length);
}

/// <summary>Seeded inputs of the flow tests.</summary>
internal static class FlowData
{
    public static double[] Gaussian(int count, int dimension, int seed, double scale = 1.0)
    {
        var random = new Random(seed);
        var result = new double[count * dimension];
        for (var i = 0; i < result.Length; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            result[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return result;
    }

    public static double[] OnSphere(int count, int seed)
    {
        var result = Gaussian(count, 3, seed);
        for (var i = 0; i < count; i++)
        {
            var norm = Math.Sqrt((result[3 * i] * result[3 * i]) + (result[(3 * i) + 1] * result[(3 * i) + 1]) + (result[(3 * i) + 2] * result[(3 * i) + 2]));
            for (var c = 0; c < 3; c++)
            {
                result[(3 * i) + c] /= norm;
            }
        }

        return result;
    }

    public static double[] Weights(int count)
    {
        var weights = Enumerable.Range(0, count).Select(i => 1.0 + (i % 5)).ToArray();
        var total = weights.Sum();
        return weights.Select(w => w / total).ToArray();
    }
}
