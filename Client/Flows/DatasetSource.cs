using Transport.Numerics;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.IO;

namespace Transport.Client.Flows;

/// <summary>
/// Resolves a network's <c>data</c>: <c>{"inputs": "z.npy", "targets": "y.npy"}</c> or a seeded teacher,
/// <c>{"generator": "teacher", "input_dim": 3, "output_dim": 1, "width": 2, "n": 64, "seed": 1, "activation": "relu"}</c>.
/// </summary>
internal static class DatasetSource
{
    /// <summary>Reads or generates the dataset.</summary>
    public static MeanFieldDataset Resolve(JsonSpecReader spec, string folder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Has("inputs"))
        {
            var (inputs, rows, inputDim) = NpyArray.Read(CloudSource.Resolve(folder, spec.String("inputs")), spec.FieldOf("inputs")).AsMatrix(spec.FieldOf("inputs"));
            var (targets, targetRows, outputDim) = NpyArray.Read(CloudSource.Resolve(folder, spec.String("targets")), spec.FieldOf("targets")).AsMatrix(spec.FieldOf("targets"));
            if (targetRows != rows)
            {
                throw new InvalidInputException(spec.FieldOf("targets"), $"has {targetRows} rows; inputs have {rows}");
            }

            spec.RejectUnknown();
            return new MeanFieldDataset(inputs, targets, rows, inputDim, outputDim);
        }

        var generator = spec.OptionalString("generator")
            ?? throw new InvalidInputException(spec.Path, "expected {\"inputs\": path, \"targets\": path} or {\"generator\": \"teacher\", ...}");
        if (generator != "teacher")
        {
            throw new InvalidInputException(spec.FieldOf("generator"), $"unknown data generator '{generator}' (expected teacher)");
        }

        var dataset = MeanFieldDataset.Teacher(
            (int)spec.Integer("input_dim", min: 1, max: 10_000),
            (int)spec.Integer("output_dim", 1, 1, 10_000),
            (int)spec.Integer("width", 2, 1, 100_000),
            (int)spec.Integer("n", min: 1, max: 10_000_000),
            (int)spec.Integer("seed", 0, int.MinValue, int.MaxValue),
            NetworkActivations.Parse(spec.OptionalString("activation") ?? "relu", spec.FieldOf("activation")));
        spec.RejectUnknown();
        return dataset;
    }
}
