using System.Text.Json;

namespace Transport.Client.References;

/// <summary>
/// JSON writing shared by the reference commands (<c>w2</c>, <c>exact</c>, <c>interpolate</c>): indented UTF-8 with a
/// final newline, numbers round-tripping, matrices as arrays of rows.
/// </summary>
internal static class ReferenceOutputs
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    /// <summary>Writes <paramref name="path"/> (a new file) with <paramref name="write"/>.</summary>
    public static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            write(writer);
        }

        stream.WriteByte((byte)'\n');
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Writes <c>"name": [v0, v1, ...]</c>.</summary>
    public static void Vector(Utf8JsonWriter writer, string name, IReadOnlyList<double> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>"name": [[row 0], [row 1], ...]</c>.</summary>
    public static void Matrix(Utf8JsonWriter writer, string name, double[,] values)
    {
        writer.WriteStartArray(name);
        for (var i = 0; i < values.GetLength(0); i++)
        {
            writer.WriteStartArray();
            for (var j = 0; j < values.GetLength(1); j++)
            {
                writer.WriteNumberValue(values[i, j]);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>"name": value</c>, or <c>null</c>.</summary>
    public static void NumberOrNull(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>
    /// Parses a comma list of times in [0, 1] (<c>--times 0,0.25,0.5</c>); an error names <paramref name="field"/> and
    /// the entry.
    /// </summary>
    public static double[] Times(string text, string field)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var times = new double[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            if (!double.TryParse(parts[k], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out times[k]))
            {
                throw new Numerics.InvalidInputException(field, $"expected a comma list of numbers in [0, 1], got '{parts[k]}' in '{text}'");
            }

            if (!(times[k] >= 0 && times[k] <= 1))
            {
                throw new Numerics.InvalidInputException(field, $"{parts[k]} is outside [0, 1]");
            }
        }

        return times;
    }
}
