using System.Text.Json;
using Transport.Numerics;
using Transport.Numerics.IO;

using Transport.Numerics.Sampling;

using Transport.Numerics.Sampling.Study;

namespace Transport.Client.Sampling;

/// <summary>
/// Reads and validates the <c>--target</c> of <c>transport sample</c>: a JSON description
/// (<c>{"kind": "gaussian", "mean", "covariance"}</c>, <c>{"kind": "mixture", "weights", "means", "covariances"}</c>
/// or <c>{"kind": "data", "points", "weights"}</c>) or a <c>.npy</c> data set (n x d) with optional
/// <c>--target-weights</c>; and the Gaussian <c>--source</c>. Every error names the field and the value.
/// </summary>
internal static class SampleTargetLoader
{
    /// <summary>Largest number of data points accepted in a target data set.</summary>
    public const int MaxDataPoints = Numerics.Sampling.Study.SampleRequestChecks.MaxDataPoints;

    /// <summary>Loads the target file <paramref name="path"/> (JSON or .npy) and the optional data weights.</summary>
    public static SampleTarget Load(string path, string? weightsPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new InvalidInputException("target", $"file not found: {path}");
        }

        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return FromNpy(path, weightsPath);
        }

        if (weightsPath is not null)
        {
            throw new InvalidInputException("target-weights", $"applies only to a .npy data set target, not to '{path}'");
        }

        return FromJson(ReadJson(path, "target"), "target");
    }

    /// <summary>Parses a target description object; field names start with <paramref name="field"/>.</summary>
    public static SampleTarget FromJson(JsonElement element, string field)
    {
        var spec = new JsonSpecReader(element, field);
        var kind = spec.OptionalString("kind") ?? throw new InvalidInputException($"{field}.kind", "is required (gaussian, mixture or data)");
        SampleTarget target;
        switch (kind)
        {
            case SampleTarget.Gaussian:
                var mean = spec.Vector("mean") ?? throw new InvalidInputException($"{field}.mean", "is required");
                if (mean.Length == 0)
                {
                    // An empty mean is a target of dimension 0: refused here, naming the mean, rather than as a
                    // covariance "expected 0 x 0" (the covariance was right; the mean is what is missing).
                    throw new InvalidInputException($"{field}.mean", "is empty; a Gaussian target needs at least one coordinate");
                }

                var covariance = Square(spec, "covariance", mean.Length);
                target = new SampleTarget(kind, mean.Length, [1.0], [mean], [covariance], null);
                break;
            case SampleTarget.Mixture:
                var weights = spec.Vector("weights") ?? throw new InvalidInputException($"{field}.weights", "is required");
                var means = spec.Matrix("means") ?? throw new InvalidInputException($"{field}.means", "is required");
                var d = means.Columns;
                var rows = Enumerable.Range(0, means.Rows).Select(k => means.Values.AsSpan(k * d, d).ToArray()).ToArray();
                var covariances = Covariances(spec, element, field, d);
                target = new SampleTarget(kind, d, weights, rows, covariances, null);
                break;
            case SampleTarget.Data:
                var points = spec.Matrix("points") ?? throw new InvalidInputException($"{field}.points", "is required");
                var pointWeights = spec.Vector("weights");
                target = Data(points.Values, points.Rows, points.Columns, pointWeights, $"{field}.points", $"{field}.weights");
                break;
            default:
                throw new InvalidInputException($"{field}.kind", $"unknown kind '{kind}' (expected gaussian, mixture or data)");
        }

        spec.RejectUnknown();
        return Normalised(target);
    }

    /// <summary>Parses the Gaussian <c>--source</c> description: (mean, covariance row-major).</summary>
    public static (double[] Mean, double[] Covariance) Source(JsonElement element, string field, int dimension)
    {
        var spec = new JsonSpecReader(element, field);
        var kind = spec.OptionalString("kind") ?? throw new InvalidInputException($"{field}.kind", "is required (gaussian)");
        if (kind != SampleTarget.Gaussian)
        {
            throw new InvalidInputException($"{field}.kind", $"unknown kind '{kind}' (a source must be gaussian)");
        }

        var mean = spec.Vector("mean") ?? throw new InvalidInputException($"{field}.mean", "is required");
        if (mean.Length != dimension)
        {
            throw new InvalidInputException($"{field}.mean", $"has length {mean.Length}, but the target has dimension {dimension}");
        }

        var covariance = Square(spec, "covariance", dimension);
        spec.RejectUnknown();
        try
        {
            // The Gaussian target's constructor checks symmetry and positive definiteness.
            _ = new Numerics.Sampling.GaussianTarget(mean, SampleTarget.Square(covariance, dimension));
        }
        catch (InvalidInputException ex)
        {
            throw SampleTargets.Prefixed(field, ex);
        }

        return (mean, covariance);
    }

    /// <summary>Reads a JSON file's root element; errors name <paramref name="field"/>.</summary>
    public static JsonElement ReadJson(string path, string field)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException(field, $"file not found: {path}");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidInputException(field, $"{path}: malformed JSON: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw new InvalidInputException(field, $"{path}: {ex.Message}");
        }
    }

    /// <summary>Checks finite values, at least one row, a sane size, and positive weights of a data set.</summary>
    public static SampleTarget Data(double[] values, int rows, int columns, double[]? weights, string field, string weightsField)
    {
        if (rows < 1 || columns < 1)
        {
            throw new InvalidInputException(field, $"has shape {rows} x {columns}; expected at least one point of dimension at least 1");
        }

        if (rows > MaxDataPoints)
        {
            throw new InvalidInputException(field, $"has {rows} points, more than the limit {MaxDataPoints}");
        }

        Finite(values, columns, field);
        double[] w;
        if (weights is null)
        {
            w = Enumerable.Repeat(1.0, rows).ToArray();
        }
        else
        {
            if (weights.Length != rows)
            {
                throw new InvalidInputException(weightsField, $"has {weights.Length} entries, expected {rows} (one per data point)");
            }

            for (var i = 0; i < weights.Length; i++)
            {
                if (!(weights[i] > 0.0) || !double.IsFinite(weights[i]))
                {
                    throw new InvalidInputException($"{weightsField}[{i}]", $"weight {weights[i]} is not a positive finite number");
                }
            }

            w = weights;
        }

        return new SampleTarget(SampleTarget.Data, columns, w, [], [], values);
    }

    /// <summary>Throws for the first entry that is NaN or infinite, naming its [row, column].</summary>
    public static void Finite(double[] values, int columns, string field)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidInputException(field, $"entry [{i / columns}, {i % columns}] is {values[i]}, not a finite number");
            }
        }
    }

    private static SampleTarget FromNpy(string path, string? weightsPath)
    {
        var (values, rows, columns) = NpyArray.Read(path, "target").AsMatrix("target");
        double[]? weights = null;
        if (weightsPath is not null)
        {
            if (!File.Exists(weightsPath))
            {
                throw new InvalidInputException("target-weights", $"file not found: {weightsPath}");
            }

            weights = NpyArray.Read(weightsPath, "target-weights").AsVector("target-weights");
        }

        try
        {
            return Normalised(Data(values, rows, columns, weights, "target", "target-weights"));
        }
        catch (InvalidInputException ex)
        {
            throw new InvalidInputException(ex.Field, $"{ex.Message[(ex.Field.Length + 2)..]} (in {(ex.Field.StartsWith("target-weights", StringComparison.Ordinal) ? weightsPath : path)})");
        }
    }

    private static double[] Square(JsonSpecReader spec, string key, int dimension)
    {
        var matrix = spec.Matrix(key) ?? throw new InvalidInputException(spec.FieldOf(key), "is required");
        if (matrix.Rows != dimension || matrix.Columns != dimension)
        {
            throw new InvalidInputException(spec.FieldOf(key), $"is {matrix.Rows} x {matrix.Columns}, expected {dimension} x {dimension} (the mean has length {dimension})");
        }

        return matrix.Values;
    }

    private static double[][] Covariances(JsonSpecReader spec, JsonElement element, string field, int dimension)
    {
        var name = $"{field}.covariances";
        if (!spec.Has("covariances") || !element.TryGetProperty("covariances", out var list))
        {
            throw new InvalidInputException(name, "is required");
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException(name, $"expected an array of d x d matrices, got {list.ValueKind}");
        }

        var result = new List<double[]>();
        var k = 0;
        foreach (var item in list.EnumerateArray())
        {
            // Each item is read as the matrix "value" of a one-key object so that JsonSpecReader checks it.
            var wrapper = JsonDocument.Parse($"{{\"value\": {item.GetRawText()}}}").RootElement.Clone();
            (double[] Values, int Rows, int Columns)? matrix;
            try
            {
                matrix = new JsonSpecReader(wrapper, string.Empty).Matrix("value");
            }
            catch (InvalidInputException ex) when (ex.Field.StartsWith("value", StringComparison.Ordinal))
            {
                throw new InvalidInputException($"{name}[{k}]{ex.Field[5..]}", ex.Message[(ex.Field.Length + 2)..]);
            }

            if (matrix is not { } m || m.Rows != dimension || m.Columns != dimension)
            {
                var shape = matrix is { } some ? $"{some.Rows} x {some.Columns}" : "empty";
                throw new InvalidInputException($"{name}[{k}]", $"is {shape}, expected {dimension} x {dimension} (the means have dimension {dimension})");
            }

            result.Add(m.Values);
            k++;
        }

        return [.. result];
    }

    private static SampleTarget Normalised(SampleTarget target)
    {
        // Validate through the Numerics constructors, then store normalised weights.
        _ = SampleTargets.Build(target);
        var total = target.Weights.Sum();
        return target with { Weights = target.Weights.Select(w => w / total).ToArray() };
    }
}
