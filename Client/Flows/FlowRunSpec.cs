using Transport.Numerics;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;

namespace Transport.Client.Flows;

/// <summary>
/// A validated flow run specification (issue contract): <c>model</c> and its parameters, <c>initial</c>,
/// <c>integrator</c>, <c>step</c>, <c>t_end</c>, <c>snapshot_every</c>, <c>shards</c>, <c>seed</c>, and
/// <c>target</c> / <c>data</c> where the model needs them. Everything (files included) is read and checked
/// here, before any output exists; unknown keys are errors.
/// </summary>
internal sealed record FlowRunSpec
{
    /// <summary>Model name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The model, built by <see cref="FlowModelCatalog"/>.</summary>
    public required IFlowModel Model { get; init; }

    /// <summary>Integrator options.</summary>
    public required FlowOptions Options { get; init; }

    /// <summary>Shards (blocks) of particles.</summary>
    public required int Shards { get; init; }

    /// <summary>Initial positions and weights.</summary>
    public required CloudData Initial { get; init; }

    /// <summary>Points drawn beside the particles (for plots): the target cloud, or a teacher network's neurons.</summary>
    public double[]? Target { get; init; }

    /// <summary>The model's data (target cloud, training data), sent to the silos with the model.</summary>
    public required FlowModelData ModelData { get; init; }

    /// <summary>The specification's JSON text (silos rebuild the model from it).</summary>
    public required string Json { get; init; }

    /// <summary><c>cluster_angle</c>: the angular threshold (radians, 0 to pi) of the token cluster count; default 0.01.</summary>
    public double ClusterAngle { get; init; } = Grains.Interfaces.FlowJobSpec.DefaultClusterAngle;

    /// <summary>Reads and validates a specification file.</summary>
    public static FlowRunSpec Load(string path) => Load(path, json => json);

    /// <summary>Reads a specification file, rewrites its text with <paramref name="edit"/> (command-line overrides), then validates it.</summary>
    public static FlowRunSpec Load(string path, Func<string, string> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (!File.Exists(path))
        {
            throw new InvalidInputException("spec", $"file not found: {path}");
        }

        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new InvalidInputException("spec", $"{path}: {ex.Message}");
        }

        return Parse(edit(json), Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>Parses and validates a specification; relative paths resolve against <paramref name="folder"/>.</summary>
    public static FlowRunSpec Parse(string json, string folder)
    {
        var spec = JsonSpecReader.Parse(json);
        var model = spec.String("model");
        var options = new FlowOptions
        {
            Integrator = FlowNames.ParseIntegrator(spec.OptionalString("integrator") ?? "rk4"),
            Step = spec.Number("step"),
            EndTime = spec.Number("t_end"),
            SnapshotEvery = (int)spec.Integer("snapshot_every", 1, int.MinValue, int.MaxValue),
            Seed = spec.Integer("seed", 0),
            RelativeTolerance = spec.Number("rtol", 1e-6),
            AbsoluteTolerance = spec.Number("atol", 1e-9),
            ErrorNorm = FlowNames.ParseErrorNorm(spec.OptionalString("error_norm") ?? "rms"),
            SphereStep = FlowNames.ParseSphereStep(spec.OptionalString("sphere_step") ?? "renormalise"),
            MaxSteps = (int)spec.Integer("max_steps", 1_000_000, 1, int.MaxValue),
        };
        options.Validate();
        var shards = (int)spec.Integer("shards", 1, 1, 4096);
        var clusterAngle = spec.Number("cluster_angle", Grains.Interfaces.FlowJobSpec.DefaultClusterAngle, 0, Math.PI);
        var initialSpec = spec.Object("initial") ?? throw new InvalidInputException("initial", "is required ({\"npy\": path} or a generator)");
        var initial = CloudSource.Resolve(initialSpec, folder);
        var checkedInitial = PointCloud.Create(initial.Positions, initial.Count, initial.Dimension, initial.Weights, "initial", "initial.weights");
        var target = spec.Object("target") is { } targetSpec ? Cloud(CloudSource.Resolve(targetSpec, folder), "target") : null;
        var dataset = spec.Object("data") is { } dataSpec ? DatasetSource.Resolve(dataSpec, folder) : null;
        var modelData = new FlowModelData(target, dataset);
        var built = FlowModelCatalog.Build(model, initial.Dimension, spec, modelData);
        options = options with { Eulerian = EulerianSpecReader.Read(spec, initial.Dimension, options.Seed, initial.Positions, target?.Positions.ToArray()) };
        spec.RejectUnknown();
        // The first stage's check of eps against the clouds' admissible range, before anything starts (every stage
        // checks its own clouds again).
        if (built is SinkhornDivergenceFlowModel sinkhorn)
        {
            sinkhorn.CheckEpsilon(checkedInitial);
        }
        else if (built is SinkformerHeatModel heat)
        {
            heat.CheckEpsilon(checkedInitial.Positions, checkedInitial.Count);
        }

        return new FlowRunSpec
        {
            ModelName = model,
            Model = built,
            Options = options,
            Shards = shards,
            Initial = initial with { Weights = checkedInitial.Weights.ToArray() },
            // The points drawn beside the particles: the target cloud, or a teacher network's neurons.
            Target = target?.Positions.ToArray() ?? dataset?.TeacherNeurons,
            ModelData = modelData,
            Json = json,
            ClusterAngle = clusterAngle,
        };
    }

    private static PointCloud Cloud(CloudData data, string field) =>
        PointCloud.Create(data.Positions, data.Count, data.Dimension, data.Weights, field, $"{field}.weights");
}
