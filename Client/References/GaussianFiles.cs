using Transport.Client.Sampling;
using Transport.Numerics;
using Transport.Numerics.IO;
using Transport.Numerics.Sampling;
using Transport.Numerics.Transport;

namespace Transport.Client.References;

/// <summary>
/// Reads a Gaussian for <c>transport w2</c> from the JSON form <c>transport sample --target</c> reads
/// (<c>{"kind": "gaussian", "mean": [...], "covariance": [[...], ...]}</c>); other kinds are refused naming
/// <c>FIELD.kind</c>.
/// </summary>
internal static class GaussianFiles
{
    /// <summary>The Gaussian in <paramref name="path"/>; errors name <paramref name="field"/> (<c>source</c>, <c>target</c>).</summary>
    public static GaussianMeasure Load(string? path, string field)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidInputException(field, $"is required: a JSON file {{\"kind\": \"gaussian\", \"mean\": [...], \"covariance\": [[...]]}} (--{field})");
        }

        var spec = new JsonSpecReader(SampleTargetLoader.ReadJson(path, field), field);
        var kind = spec.OptionalString("kind") ?? throw new InvalidInputException($"{field}.kind", $"is required in {path} (gaussian)");
        if (kind != SampleTarget.Gaussian)
        {
            throw new InvalidInputException($"{field}.kind", $"is '{kind}' in {path}; the closed forms are for a single gaussian");
        }

        var mean = spec.Vector("mean") ?? throw new InvalidInputException($"{field}.mean", $"is required in {path}");
        var covariance = spec.Matrix("covariance") ?? throw new InvalidInputException($"{field}.covariance", $"is required in {path}");
        spec.RejectUnknown();
        if (covariance.Rows != mean.Length || covariance.Columns != mean.Length)
        {
            throw new InvalidInputException($"{field}.covariance", $"is {covariance.Rows} x {covariance.Columns} in {path}, expected {mean.Length} x {mean.Length} (the mean has length {mean.Length})");
        }

        // Symmetry, finiteness and positive semi-definiteness are checked with the closed forms (a singular covariance
        // is a Gaussian too: W2 is defined, the Brenier map from it is not).
        return new GaussianMeasure(mean, SampleTarget.Square(covariance.Values, mean.Length));
    }
}
