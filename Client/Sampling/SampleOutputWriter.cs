using Transport.Grains.Interfaces;
using System.Text.Json;
using Transport.Numerics.IO;

using Transport.Numerics.Sampling.Study;

namespace Transport.Client.Sampling;

/// <summary>
/// Writes the outputs of <c>transport sample</c> into a staging directory: <c>samples.npy</c> (n x d float64, rows
/// in source order, from the largest step count), <c>metrics.json</c>, <c>samples.png</c> and, for a sweep,
/// <c>nfe.png</c>.
/// </summary>
internal static class SampleOutputWriter
{
    /// <summary>Writes every output file into <paramref name="directory"/>; <paramref name="runs"/> ascend by steps.</summary>
    public static void Write(string directory, SampleRequest request, IReadOnlyList<SampleRunRecord> runs, string referenceMethod, double seconds)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(runs);
        var last = runs[^1];
        NpyArray.WriteFloat64(Path.Combine(directory, "samples.npy"), last.Result.Samples, request.Count, request.Dimension);
        WriteMetrics(Path.Combine(directory, "metrics.json"), request, runs, referenceMethod, seconds);
        SamplePlots.WriteSamples(directory, request, last.Result.Samples);
        if (runs.Count > 1)
        {
            SamplePlots.WriteNfe(directory, request, runs);
        }
    }

    private static void WriteMetrics(string path, SampleRequest request, IReadOnlyList<SampleRunRecord> runs, string referenceMethod, double seconds)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var last = runs[^1];
        writer.WriteStartObject();
        writer.WriteString("target_kind", request.Target.Kind);
        writer.WriteNumber("dimension", request.Dimension);
        writer.WriteNumber("n", request.Count);
        writer.WriteString("schedule", request.Schedule);
        writer.WriteString("sampler", request.Sampler);
        writer.WriteString("grid", request.Grid);
        writer.WriteNumber("steps", last.Steps);
        writer.WriteNumber("nfe", last.Result.Evaluations);
        writer.WriteNumber("delta", request.Delta);
        writer.WriteNumber("seed", request.Seed);
        writer.WriteString("coupling", request.Coupling);
        writer.WriteNumber("shards", request.Shards);
        writer.WriteNumber("particle_shards", request.ParticleShards);
        writer.WriteBoolean("snap", request.Snap);
        writer.WriteBoolean("noise_given", request.Noise is not null);
        writer.WriteString("reference", referenceMethod);
        writer.WriteNumber("seconds", seconds);
        writer.WriteStartArray("runs");
        foreach (var run in runs)
        {
            writer.WriteStartObject();
            writer.WriteNumber("steps", run.Steps);
            writer.WriteNumber("nfe", run.Result.Evaluations);
            writer.WriteNumber("seconds", run.Result.Seconds);
            TrafficJson.Write(writer, new JobTraffic(run.Result.Messages, run.Result.PayloadBytes, run.Result.TrafficShards, run.Result.TrafficIterations));
            foreach (var (name, value) in run.Metrics)
            {
                if (double.IsFinite(value))
                {
                    writer.WriteNumber(name, value);
                }
                else
                {
                    writer.WriteNull(name);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
