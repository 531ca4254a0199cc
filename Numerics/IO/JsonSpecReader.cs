using System.Globalization;
using System.Text.Json;

namespace Transport.Numerics.IO;

/// <summary>
/// Strict reading of a JSON object of a run specification: typed getters with range checks, and
/// <see cref="RejectUnknown"/> to refuse keys nobody read; a key given twice is refused when the object is wrapped. Every error is an
/// <see cref="InvalidInputException"/> whose field is the dotted path of the key (e.g. <c>initial.n</c>)
/// and whose message names the offending value.
/// </summary>
public sealed class JsonSpecReader
{
    private readonly JsonElement element;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    /// <summary>Wraps a JSON object found at <paramref name="path"/> (empty for the root).</summary>
    public JsonSpecReader(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidInputException(string.IsNullOrEmpty(path) ? "specification" : path, $"expected a JSON object, got {Describe(element)}");
        }

        this.element = element;
        Path = path;

        // JSON leaves a repeated key to the reader, and ours would take its last value silently: a spec saying two
        // things about one field is refused instead, naming it.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!keys.Add(property.Name))
            {
                throw new InvalidInputException(FieldOf(property.Name), "appears more than once; give each field once");
            }
        }
    }

    /// <summary>Dotted path of this object.</summary>
    public string Path { get; }

    /// <summary>Parses a document's root object; malformed JSON is an error for <c>specification</c>.</summary>
    public static JsonSpecReader Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return new JsonSpecReader(document.RootElement.Clone(), string.Empty);
        }
        catch (JsonException ex)
        {
            throw new InvalidInputException("specification", $"malformed JSON: {ex.Message}");
        }
    }

    /// <summary>The dotted path of <paramref name="key"/>.</summary>
    public string FieldOf(string key) => string.IsNullOrEmpty(Path) ? key : $"{Path}.{key}";

    /// <summary>Whether the key is present (marks it as read).</summary>
    public bool Has(string key)
    {
        read.Add(key);
        return element.TryGetProperty(key, out _);
    }

    /// <summary>The raw JSON of the whole object, for passing a model's parameters on.</summary>
    public string RawText => element.GetRawText();

    /// <summary>A required string.</summary>
    public string String(string key) => OptionalString(key) ?? throw Missing(key);

    /// <summary>An optional string (null when absent).</summary>
    public string? OptionalString(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(key, "a string", value);
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>] (with <paramref name="exclusiveMin"/>, strictly above min); <paramref name="fallback"/> when absent, or required when null.</summary>
    public double Number(string key, double? fallback = null, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        if (!TryGet(key, out var value))
        {
            return fallback ?? throw Missing(key);
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw WrongType(key, "a finite number", value);
        }

        if (number < min || (exclusiveMin && number <= min) || number > max)
        {
            var lower = exclusiveMin ? $"> {Format(min)}" : $">= {Format(min)}";
            var range = double.IsPositiveInfinity(max) ? lower : $"{lower} and <= {Format(max)}";
            throw new InvalidInputException(FieldOf(key), $"must be {range}, got {Format(number)}");
        }

        return number;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="fallback"/> when absent, or required when null.</summary>
    public long Integer(string key, long? fallback = null, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(key, out var value))
        {
            return fallback ?? throw Missing(key);
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw WrongType(key, "an integer", value);
        }

        if (number < min || number > max)
        {
            throw new InvalidInputException(FieldOf(key), $"must be between {min} and {max}, got {number}");
        }

        return number;
    }

    /// <summary>An optional boolean.</summary>
    public bool Boolean(string key, bool fallback)
    {
        if (!TryGet(key, out var value))
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(key, "true or false", value),
        };
    }

    /// <summary>An optional array of finite numbers (null when absent).</summary>
    public double[]? Vector(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(key, "an array of numbers", value);
        }

        return value.EnumerateArray().Select((item, i) => Element(item, $"{FieldOf(key)}[{i}]")).ToArray();
    }

    /// <summary>An optional rectangular matrix (array of equal-length arrays of finite numbers), row-major with its shape.</summary>
    public (double[] Values, int Rows, int Columns)? Matrix(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw WrongType(key, "a non-empty array of rows", value);
        }

        var rows = value.EnumerateArray().ToList();
        var columns = -1;
        var values = new List<double>();
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].ValueKind != JsonValueKind.Array)
            {
                throw new InvalidInputException($"{FieldOf(key)}[{r}]", $"expected a row (array of numbers), got {Describe(rows[r])}");
            }

            var row = rows[r].EnumerateArray().Select((item, c) => Element(item, $"{FieldOf(key)}[{r}][{c}]")).ToArray();
            if (columns >= 0 && row.Length != columns)
            {
                throw new InvalidInputException($"{FieldOf(key)}[{r}]", $"has {row.Length} entries; every row must have {columns}");
            }

            columns = row.Length;
            values.AddRange(row);
        }

        return ([.. values], rows.Count, columns);
    }

    /// <summary>A nested object (null when absent).</summary>
    public JsonSpecReader? Object(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? new JsonSpecReader(value, FieldOf(key)) : throw WrongType(key, "an object", value);
    }

    /// <summary>Throws for the first key present in the object that no getter read.</summary>
    public void RejectUnknown()
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!read.Contains(property.Name))
            {
                throw new InvalidInputException(FieldOf(property.Name), "unknown field");
            }
        }
    }

    private bool TryGet(string key, out JsonElement value)
    {
        read.Add(key);
        if (element.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    private static double Element(JsonElement item, string field)
    {
        if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new InvalidInputException(field, $"expected a finite number, got {Describe(item)}");
        }

        return number;
    }

    private InvalidInputException Missing(string key) => new(FieldOf(key), "is required");

    private InvalidInputException WrongType(string key, string expected, JsonElement value) =>
        new(FieldOf(key), $"expected {expected}, got {Describe(value)}");

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
