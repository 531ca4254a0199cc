using System.Globalization;
using System.Text.Json;

namespace Transport.Bench.Chaos;

/// <summary>
/// Whether a job's outputs equal its reference's: every number of the result JSON to 1e-9 relative (strings, booleans
/// and nulls exactly; the same keys and array lengths), and every <c>.npy</c> of the reference present with the same
/// header (type and shape) and values to 1e-9 relative to the array's largest entry (as tests/Cluster.Tests compares
/// them). The arrays are read here rather than with <c>NpyArray</c>, which reads inputs of rank 1 or 2 only: a flow's
/// <c>trajectory.npy</c> has rank 3.
/// </summary>
internal static class OutputComparison
{
    /// <summary>Relative tolerance: the loops are deterministic, so this only absorbs nothing but last-bit noise.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>
    /// Keys that describe the run rather than its result: wall-clock seconds, and the checkpoint counters (the
    /// embedded reference has no durable storage, and recoveries count the kills the job went through), and the shards'
    /// traffic (payloads carry the job's id, and a recovered job sends more).
    /// </summary>
    private static readonly HashSet<string> RunFacts = new(StringComparer.Ordinal)
    {
        "seconds", "checkpoints", "recoveries", "messages", "payload_bytes", "messages_per_shard_per_iteration", "bytes_per_shard_per_iteration",
    };

    /// <summary>The first few differences between <paramref name="actual"/> and <paramref name="reference"/>; empty when they agree.</summary>
    public static IReadOnlyList<string> Differences(string reference, string actual, string resultFile)
    {
        var differences = new List<string>();
        var expectedJson = Path.Combine(reference, resultFile);
        var actualJson = Path.Combine(actual, resultFile);
        if (!File.Exists(actualJson))
        {
            return [$"{resultFile} is missing"];
        }

        using (var expected = JsonDocument.Parse(File.ReadAllText(expectedJson)))
        using (var got = JsonDocument.Parse(File.ReadAllText(actualJson)))
        {
            Compare(expected.RootElement, got.RootElement, resultFile, differences);
        }

        foreach (var array in Directory.EnumerateFiles(reference, "*.npy").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(array);
            var other = Path.Combine(actual, name);
            if (!File.Exists(other))
            {
                differences.Add($"{name} is missing");
                continue;
            }

            CompareArray(Float64Array.Read(array), Float64Array.Read(other), name, differences);
        }

        return [.. differences.Take(5)];
    }

    private static void Compare(JsonElement expected, JsonElement actual, string path, List<string> differences)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            differences.Add($"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
            return;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject().Where(p => !RunFacts.Contains(p.Name)))
                {
                    if (actual.TryGetProperty(property.Name, out var value))
                    {
                        Compare(property.Value, value, $"{path}.{property.Name}", differences);
                    }
                    else
                    {
                        differences.Add($"{path}.{property.Name} is missing");
                    }
                }

                differences.AddRange(actual.EnumerateObject().Where(p => !expected.TryGetProperty(p.Name, out _)).Select(p => $"{path}.{p.Name} is not in the reference"));
                break;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength())
                {
                    differences.Add($"{path}: {actual.GetArrayLength()} entries, the reference has {expected.GetArrayLength()}");
                    break;
                }

                foreach (var (e, a, k) in expected.EnumerateArray().Zip(actual.EnumerateArray()).Select((pair, k) => (pair.First, pair.Second, k)))
                {
                    Compare(e, a, string.Create(CultureInfo.InvariantCulture, $"{path}[{k}]"), differences);
                }

                break;
            case JsonValueKind.Number:
                var x = expected.GetDouble();
                var y = actual.GetDouble();
                if (!Close(x, y, Math.Abs(x)))
                {
                    differences.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: expected {x:R}, got {y:R}"));
                }

                break;
            default:
                if (expected.GetRawText() != actual.GetRawText())
                {
                    differences.Add($"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
                }

                break;
        }
    }

    private static void CompareArray(Float64Array expected, Float64Array actual, string name, List<string> differences)
    {
        if (expected.Header != actual.Header)
        {
            differences.Add($"{name}: header {actual.Header}, the reference has {expected.Header}");
            return;
        }

        var scale = expected.Data.Length == 0 ? 0.0 : expected.Data.Max(Math.Abs);
        for (var i = 0; i < expected.Data.Length; i++)
        {
            if (!Close(expected.Data[i], actual.Data[i], scale))
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]: expected {expected.Data[i]:R}, got {actual.Data[i]:R}"));
                return;
            }
        }
    }

    // NaN equals NaN here: a reference that is NaN must be reproduced, not excused.
    private static bool Close(double expected, double actual, double scale) =>
        (double.IsNaN(expected) && double.IsNaN(actual)) || expected.Equals(actual) || Math.Abs(expected - actual) <= Tolerance * Math.Max(scale, double.Epsilon);
}
