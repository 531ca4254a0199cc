using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Client.References;

/// <summary>
/// <c>transport w2</c>: the closed forms of optimal transport between two Gaussians (cost |x - y|^2), written to
/// <c>result.json</c>: <c>w2_squared</c>, <c>bures_squared</c>, <c>mean_term</c>, <c>brenier_map</c> (T(x) = A x + b);
/// with <c>--epsilon</c> the entropic cost <c>entropic_ot</c> and divergence <c>entropic_divergence</c> in the
/// convention of <c>transport sinkhorn</c> (so a Sinkhorn run on samples can be checked against them); with
/// <c>--times</c> McCann's interpolant (<c>mccann</c>: mean and covariance at each t). Runs in this process.
/// </summary>
internal static class W2Command
{
    /// <summary>Builds the command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var source = new Option<string?>("--source") { Description = "Source Gaussian: JSON {\"kind\": \"gaussian\", \"mean\": [...], \"covariance\": [[...], ...]} (the form 'sample --target' reads)", HelpName = "G0.json" };
        var target = new Option<string?>("--target") { Description = "Target Gaussian, the same JSON form", HelpName = "G1.json" };
        var epsilon = NumberOptions.OptionalDouble("--epsilon", "Also report entropic_ot (OT_eps, eps KL(pi | a x b) as in 'transport sinkhorn'), entropic_divergence (S_eps) and entropic_map", "E");
        var cost = new Option<string>("--cost") { Description = "Cost of the entropic fields: sqeuclidean |x-y|^2 or half-sqeuclidean |x-y|^2/2 (w2_squared is always for |x-y|^2)", DefaultValueFactory = _ => "sqeuclidean" };
        var times = new Option<string?>("--times") { Description = "McCann's interpolant at these times in [0, 1], e.g. 0,0.25,0.5,1 (needs a positive definite source covariance)", HelpName = "t1,t2,..." };
        var output = new Option<string?>("--out") { Description = "Output directory (result.json)", HelpName = "DIR" };
        var force = OutputOptions.Force();
        var command = new Command("w2", "Closed-form optimal transport between two Gaussians: W2^2, Bures, the Brenier map; entropic OT and McCann's interpolant on request")
        {
            source, target, epsilon, cost, times, output, force,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(source),
            parse.GetValue(target),
            parse.GetValue(epsilon),
            parse.GetValue(cost) ?? "sqeuclidean",
            parse.GetValue(times),
            parse.GetValue(output),
            parse.GetValue(force),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? sourcePath, string? targetPath, double? epsilon, string costName, string? timesText, string? outPath, bool force, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var output = OutputDirectory.Validate(outPath ?? throw new InvalidInputException("out", "is required: the folder for result.json (--out DIR)"), force);
            var cost = CostFunctions.Parse(costName, "cost");
            var source = GaussianFiles.Load(sourcePath, "source");
            var target = GaussianFiles.Load(targetPath, "target");
            if (target.Mean.Length != source.Mean.Length)
            {
                throw new InvalidInputException("target", $"has dimension {target.Mean.Length} in {targetPath}, the source {source.Mean.Length} in {sourcePath}");
            }

            var times = timesText is null ? null : ReferenceOutputs.Times(timesText, "times");
            var reference = GaussianTransportReference.Compute(source, target, epsilon, cost, times);
            output.Commit(directory => ReferenceOutputs.WriteJson(Path.Combine(directory, "result.json"), writer => Write(writer, reference, cost)));
            if (reference.BrenierMap is null)
            {
                await stderr.WriteLineAsync("note: brenier_map is null: the source covariance is singular, so no map pushes the source onto the target");
            }

            var entropic = reference.EntropicOt is { } ot
                ? string.Create(CultureInfo.InvariantCulture, $"  entropic_ot {ot:R}  entropic_divergence {reference.EntropicDivergence:R}")
                : string.Empty;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"w2_squared {reference.W2Squared:R}  bures_squared {reference.BuresSquared:R}  mean_term {reference.MeanTerm:R}{entropic}  -> {output.FullPath}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }
    }

    /// <summary>result.json: dim, cost_function, w2_squared, w2, bures_squared, mean_term, brenier_map, epsilon, entropic_ot, entropic_divergence, entropic_map, mccann.</summary>
    private static void Write(Utf8JsonWriter writer, GaussianTransportReference reference, CostFunction cost)
    {
        writer.WriteStartObject();
        writer.WriteNumber("dim", reference.Dimension);
        writer.WriteString("cost_function", CostFunctions.Name(cost));
        writer.WriteNumber("w2_squared", reference.W2Squared);
        writer.WriteNumber("w2", Math.Sqrt(reference.W2Squared));
        writer.WriteNumber("bures_squared", reference.BuresSquared);
        writer.WriteNumber("mean_term", reference.MeanTerm);
        Map(writer, "brenier_map", reference.BrenierMap);
        ReferenceOutputs.NumberOrNull(writer, "epsilon", reference.Epsilon);
        ReferenceOutputs.NumberOrNull(writer, "entropic_ot", reference.EntropicOt);
        ReferenceOutputs.NumberOrNull(writer, "entropic_divergence", reference.EntropicDivergence);
        Map(writer, "entropic_map", reference.EntropicMap);
        if (reference.McCann is { } mccann)
        {
            writer.WriteStartArray("mccann");
            foreach (var point in mccann)
            {
                writer.WriteStartObject();
                writer.WriteNumber("t", point.Time);
                ReferenceOutputs.Vector(writer, "mean", point.Mean);
                ReferenceOutputs.Matrix(writer, "covariance", point.Covariance);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("mccann");
        }

        writer.WriteEndObject();
    }

    private static void Map(Utf8JsonWriter writer, string name, AffineMap? map)
    {
        if (map is null)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartObject(name);
        ReferenceOutputs.Matrix(writer, "matrix", map.Matrix);
        ReferenceOutputs.Vector(writer, "offset", map.Offset);
        writer.WriteEndObject();
    }
}
