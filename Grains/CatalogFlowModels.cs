using Microsoft.Extensions.DependencyInjection;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;

namespace Transport.Grains;

/// <summary>
/// Connects the run-specification models of <see cref="FlowModelCatalog"/> to the grains: silos register
/// every catalog name with the flow-model factory, and clients describe a model as a
/// <see cref="FlowModelSpec"/> whose parameters are the run specification's JSON and whose data blocks
/// are the target cloud and the training data. Both sides build the model with the same catalog call.
/// </summary>
public static class CatalogFlowModels
{
    /// <summary>Data block name: target positions (m x d).</summary>
    public const string Target = "target";

    /// <summary>Data block name: target weights (m x 1).</summary>
    public const string TargetWeights = "target-weights";

    /// <summary>Data block name: network inputs (N x p).</summary>
    public const string Inputs = "inputs";

    /// <summary>Data block name: network targets (N x d').</summary>
    public const string Targets = "targets";

    /// <summary>Registers every catalog model with the silo's flow-model factory.</summary>
    public static IServiceCollection AddCatalogFlowModels(this IServiceCollection services)
    {
        foreach (var name in FlowModelCatalog.Names)
        {
            services.AddFlowModel(name, Build);
        }

        return services;
    }

    /// <summary>
    /// The keys of a run specification that the client reads itself (the run's options; its clouds and data, which travel
    /// as data blocks); the model reads the others.
    /// </summary>
    public static IReadOnlyList<string> RunKeys { get; } =
        ["model", "integrator", "step", "t_end", "snapshot_every", "seed", "rtol", "atol", "error_norm", "sphere_step", "max_steps", "shards", "initial", "target", "data", "cluster_angle", "eulerian"];

    /// <summary>
    /// Builds the model a spec describes (the silo side). A key of the parameters that neither the run
    /// (<see cref="RunKeys"/>) nor the model reads is refused, naming it.
    /// </summary>
    public static IFlowModel Build(FlowModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.DataNames.FirstOrDefault(name => name is not (Target or TargetWeights or Inputs or Targets)) is { } unknown)
        {
            // As an unknown parameter key: a block under a misspelt name ("traget") was ignored and the model ran without it.
            throw new JobInputException("model", $"model: unknown data block '{unknown}' (expected {Target}, {TargetWeights}, {Inputs} or {Targets})");
        }

        var parameters = JsonSpecReader.Parse(spec.ParametersJson);
        var model = FlowModelCatalog.Build(spec.Name, spec.Dimension, parameters, Data(spec));

        // The console refuses such a key (a typo: "lenght_scale") before it submits; a client of the grain API does not
        // pass through the console, and the model would run with the default it meant to change.
        foreach (var key in RunKeys)
        {
            _ = parameters.Has(key);
        }

        parameters.RejectUnknown();
        return model;
    }

    /// <summary>Describes a model for the wire (the client side).</summary>
    public static FlowModelSpec Describe(string name, string specificationJson, int dimension, FlowModelData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var names = new List<string>();
        var blocks = new List<FloatBlock>();
        if (data.Target is { } target)
        {
            names.Add(Target);
            blocks.Add(FloatBlock.From(target.Positions, target.Count, target.Dimension));
            names.Add(TargetWeights);
            blocks.Add(FloatBlock.FromVector(target.Weights));
        }

        if (data.Dataset is { } dataset)
        {
            names.Add(Inputs);
            blocks.Add(FloatBlock.From(dataset.Inputs, dataset.Count, dataset.InputDimension));
            names.Add(Targets);
            blocks.Add(FloatBlock.From(dataset.Targets, dataset.Count, dataset.OutputDimension));
        }

        return new FlowModelSpec
        {
            Name = name,
            ParametersJson = specificationJson,
            Dimension = dimension,
            Data = [.. blocks],
            DataNames = [.. names],
        };
    }

    private static FlowModelData Data(FlowModelSpec spec)
    {
        PointCloud? target = null;
        if (spec.FindData(Target) is { } positions)
        {
            var weights = spec.FindData(TargetWeights);
            target = PointCloud.Create(positions.Values, positions.Rows, positions.Columns, weights is null ? [] : weights.Values, Target, TargetWeights);
        }

        MeanFieldDataset? dataset = null;
        if (spec.FindData(Inputs) is { } inputs && spec.FindData(Targets) is { } targets)
        {
            dataset = new MeanFieldDataset(inputs.Values, targets.Values, inputs.Rows, inputs.Columns, targets.Columns);
        }

        return new FlowModelData(target, dataset);
    }
}
