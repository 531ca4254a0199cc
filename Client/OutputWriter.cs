using System.Text.Json;
using Transport.Numerics;
using Transport.Numerics.IO;
using Transport.Numerics.Kernels;
using Transport.Numerics.Geometry;

namespace Transport.Client;

/// <summary>
/// Writes the outputs of a run: <c>result.json</c> (exactly the documented fields), <c>history.json</c>
/// (everything else), <c>f.npy</c>, <c>g.npy</c>, <c>map.npy</c>, and for the demo <c>source.npy</c> and
/// <c>target.npy</c>. All files are staged and moved into the directory together (see <see cref="OutputDirectory"/>).
/// </summary>
internal static class OutputWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true };

    /// <summary>Writes everything, or nothing: failures are reported as <see cref="IOException"/>.</summary>
    public static void Write(OutputDirectory output, SinkhornRunFacts facts, SinkhornRunOutput run, double clientSeconds, string cluster, SinkhornPlanOutputs? plan = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            output.Commit(directory =>
            {
                WriteJson(Path.Combine(directory, "result.json"), writer => WriteResult(writer, facts, run));
                WriteJson(Path.Combine(directory, "history.json"), writer => WriteHistory(writer, facts, run, clientSeconds, cluster));
                NpyArray.WriteFloat64(Path.Combine(directory, "f.npy"), run.F, run.F.Length);
                NpyArray.WriteFloat64(Path.Combine(directory, "g.npy"), run.G, run.G.Length);
                NpyArray.WriteFloat64(Path.Combine(directory, "map.npy"), run.Map, facts.N, facts.Dimension);
                if (facts is { DemoSource: { } demoSource, DemoTarget: { } demoTarget })
                {
                    NpyArray.WriteFloat64(Path.Combine(directory, "source.npy"), demoSource.Positions, demoSource.Count, demoSource.Dimension);
                    NpyArray.WriteFloat64(Path.Combine(directory, "target.npy"), demoTarget.Positions, demoTarget.Count, demoTarget.Dimension);
                }

                SinkhornPlots.WriteConvergence(directory, run.Result.History, facts.Options.Tolerance);
                if (plan is not null)
                {
                    SinkhornPlanFiles.Write(directory, facts, run, plan);
                    SinkhornPlots.WritePlan(directory, facts, run, plan.Source, plan.Target);
                }
            });
        }
        catch (InvalidInputException ex)
        {
            throw new IOException($"cannot write the outputs to {output.FullPath}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new IOException($"cannot write the outputs to {output.FullPath}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The fields of result.json, in order: n, m, dim, cost_function, epsilon, iterations, converged, marginal_error,
    /// cost, objective, dual, divergence, seconds, kernel_evaluations, neglected_mass, levels, bytes_exchanged, checkpoints,
    /// recoveries, messages, payload_bytes, messages_per_shard_per_iteration, bytes_per_shard_per_iteration (see
    /// <see cref="TrafficJson"/>), leaf_cluster_size (the points per finest cluster a multiscale run used, given or chosen
    /// from its memory budget; null for a dense run), coordinator_values (array values the coordinator held at most in a
    /// multiscale run: cluster levels, their potentials, block patterns; the points stay on the shards; null for a dense run),
    /// level_reports (and dense_reason when a multiscale run solved densely). kernel_evaluations, neglected_mass and levels let dense and multiscale runs be compared (a dense
    /// run neglects nothing and has one level); bytes_exchanged is the potentials the shards pulled from each other (every run);
    /// level_reports describe a multiscale run's work and traffic per level (empty for a dense run).
    /// </summary>
    internal static void WriteResult(Utf8JsonWriter writer, SinkhornRunFacts facts, SinkhornRunOutput run)
    {
        var result = run.Result;
        writer.WriteStartObject();
        writer.WriteNumber("n", facts.N);
        writer.WriteNumber("m", facts.M);
        writer.WriteNumber("dim", facts.Dimension);
        writer.WriteString("cost_function", facts.Options.Cost.Name());
        WriteNumber(writer, "epsilon", facts.Options.Epsilon);
        writer.WriteNumber("iterations", result.Iterations);
        writer.WriteBoolean("converged", result.Converged);
        WriteNumber(writer, "marginal_error", result.MarginalError);
        WriteNumber(writer, "cost", result.Cost);
        WriteNumber(writer, "objective", result.Objective);
        WriteNumber(writer, "dual", result.Dual);
        WriteNumber(writer, "divergence", facts.Divergence ? result.Divergence : null);
        WriteNumber(writer, "seconds", result.Seconds);
        writer.WriteNumber("kernel_evaluations", result.KernelEvaluations);
        WriteNumber(writer, "neglected_mass", result.NeglectedMass);
        writer.WriteNumber("levels", result.Levels);
        writer.WriteNumber("bytes_exchanged", result.BytesExchanged);
        writer.WriteNumber("checkpoints", result.Checkpoints);
        writer.WriteNumber("recoveries", result.Recoveries);
        TrafficJson.Write(writer, result.Traffic);
        if (result.LeafClusterSize is { } leaf)
        {
            writer.WriteNumber("leaf_cluster_size", leaf);
        }
        else
        {
            writer.WriteNull("leaf_cluster_size");
        }

        if (result.CoordinatorValues is { } held)
        {
            writer.WriteNumber("coordinator_values", held);
        }
        else
        {
            writer.WriteNull("coordinator_values");
        }

        if (result.DenseReason is { } reason)
        {
            writer.WriteString("dense_reason", reason);
        }

        writer.WriteStartArray("level_reports");
        foreach (var level in result.LevelReports)
        {
            writer.WriteStartObject();
            writer.WriteNumber("level", level.Level);
            writer.WriteNumber("source_clusters", level.SourceClusters);
            writer.WriteNumber("target_clusters", level.TargetClusters);
            writer.WriteNumber("surviving_block_pairs", level.SurvivingBlockPairs);
            writer.WriteNumber("iterations", level.Iterations);
            writer.WriteNumber("kernel_evaluations", level.KernelEvaluations);
            writer.WriteNumber("shard_pairs", level.ShardPairs);
            writer.WriteNumber("bytes_exchanged", level.BytesExchanged);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteHistory(Utf8JsonWriter writer, SinkhornRunFacts facts, SinkhornRunOutput run, double clientSeconds, string cluster)
    {
        var result = run.Result;
        writer.WriteStartObject();
        writer.WriteString("problem_id", run.ProblemId);
        writer.WriteString("cluster", cluster);
        writer.WriteNumber("shards_requested", facts.Shards);
        writer.WriteNumber("shards", result.Shards);
        writer.WriteString("precision", facts.Options.Precision.Name());
        WriteNumber(writer, "scaling", facts.Options.Scaling);
        WriteNumber(writer, "tolerance", facts.Options.Tolerance);
        writer.WriteNumber("max_iterations", facts.Options.MaxIterations);
        writer.WriteNumber("check_every", facts.Options.CheckEvery);
        WriteNumber(writer, "marginal_error_2", result.MarginalError2);
        WriteNumber(writer, "client_seconds", clientSeconds);
        writer.WriteStartArray("history");
        foreach (var point in result.History)
        {
            writer.WriteStartObject();
            writer.WriteString("problem", point.Problem);
            writer.WriteNumber("iteration", point.Iteration);
            WriteNumber(writer, "epsilon", point.Epsilon);
            WriteNumber(writer, "marginal_error", point.MarginalError);
            WriteNumber(writer, "marginal_error_2", point.MarginalError2);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes a double in its shortest round-trip form; null and non-finite values (which JSON cannot hold) become null.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using (var writer = new Utf8JsonWriter(stream, JsonOptions))
        {
            write(writer);
        }

        stream.WriteByte((byte)'\n');
        stream.Flush(flushToDisk: true);
    }
}
