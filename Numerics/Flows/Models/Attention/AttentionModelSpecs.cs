using Transport.Numerics.IO;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Builds the attention models from their run-specification keys (for <see cref="FlowModelCatalog"/>):
/// <list type="bullet">
/// <item><c>attention-sphere</c>: <c>variant</c> (<c>SA</c> or <c>USA</c>, default SA), <c>beta</c> (&gt;= 0, default 1);</item>
/// <item><c>attention</c>: <c>beta</c> (&gt;= 0, default 1);</item>
/// <item><c>sinkformer</c>: <c>beta</c> (&gt;= 0, default 1), <c>on_sphere</c> (default true), <c>tolerance</c>
/// (default 1e-12), <c>max_iterations</c> (default 10000);</item>
/// <item><c>sinkformer-heat</c>: <c>epsilon</c> (required, &gt; 0), <c>tolerance</c>, <c>max_iterations</c>.</item>
/// </list>
/// The first three also read the optional matrices <c>query</c>, <c>key</c> (r x d) and <c>value</c> (d x d),
/// as arrays of rows, and <c>precision</c> (<c>double</c> or <c>single</c>, default double).
/// </summary>
public static class AttentionModelSpecs
{
    /// <summary>The model names this builder knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["attention-sphere", "attention", "sinkformer", "sinkformer-heat"];

    /// <summary>
    /// Reads the keys of <paramref name="model"/> from <paramref name="spec"/> and builds it for tokens of
    /// dimension <paramref name="dimension"/>; null when <paramref name="model"/> is not an attention model.
    /// Bad values are <see cref="InvalidInputException"/>s naming the field.
    /// </summary>
    public static IFlowModel? Build(string model, int dimension, JsonSpecReader spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return model switch
        {
            "attention-sphere" => new SelfAttentionSphereModel(
                dimension,
                AttentionVariants.Parse(spec.OptionalString("variant") ?? "SA", spec.FieldOf("variant")),
                Beta(spec),
                Matrices(dimension, spec),
                KernelPrecision(spec)),
            "attention" => new AttentionModel(dimension, Matrices(dimension, spec), Beta(spec), KernelPrecision(spec)),
            "sinkformer" => new SinkformerModel(
                dimension,
                Beta(spec),
                spec.Boolean("on_sphere", true),
                Matrices(dimension, spec),
                Tolerance(spec),
                MaxIterations(spec),
                KernelPrecision(spec)),
            "sinkformer-heat" => new SinkformerHeatModel(
                dimension,
                spec.Number("epsilon", min: 0, exclusiveMin: true),
                Tolerance(spec),
                MaxIterations(spec)),
            _ => null,
        };
    }

    private static double Beta(JsonSpecReader spec) => spec.Number("beta", 1.0, 0);

    private static double Tolerance(JsonSpecReader spec) => spec.Number("tolerance", 1e-12, 0, exclusiveMin: true);

    private static int MaxIterations(JsonSpecReader spec) => (int)spec.Integer("max_iterations", 10_000, 1, int.MaxValue);

    private static Precision KernelPrecision(JsonSpecReader spec) =>
        Precisions.Parse(spec.OptionalString("precision") ?? "double", spec.FieldOf("precision"));

    private static AttentionMatrices? Matrices(int dimension, JsonSpecReader spec)
    {
        var query = Matrix(spec, "query", dimension, null);
        var key = Matrix(spec, "key", dimension, null);
        var value = Matrix(spec, "value", dimension, dimension);
        if (query is null && key is null && value is null)
        {
            return null;
        }

        if (dimension <= 0)
        {
            throw new InvalidInputException("initial", $"tokens need a positive dimension, got {dimension}");
        }

        var queryRows = query is null ? dimension : query.Length / dimension;
        var keyRows = key is null ? dimension : key.Length / dimension;
        if (queryRows != keyRows)
        {
            throw new InvalidInputException(spec.FieldOf("key"), $"has {keyRows} rows but query has {queryRows}: both map to the same score dimension");
        }

        return new AttentionMatrices(dimension, query, key, value);
    }

    private static double[]? Matrix(JsonSpecReader spec, string name, int columns, int? rows)
    {
        var matrix = spec.Matrix(name);
        if (matrix is not { } m)
        {
            return null;
        }

        if (m.Columns != columns || (rows is { } r && m.Rows != r))
        {
            var shape = rows is { } required ? $"{required} x {columns}" : $"r x {columns}";
            throw new InvalidInputException(spec.FieldOf(name), $"must be {shape} (tokens have dimension {columns}), got {m.Rows} x {m.Columns}");
        }

        return m.Values;
    }
}
