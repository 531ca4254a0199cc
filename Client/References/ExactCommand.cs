using System.CommandLine;
using System.Globalization;
using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Sampling.Coupling;
using Transport.Numerics.Transport;

namespace Transport.Client.References;

/// <summary>
/// <c>transport exact</c>: unregularised optimal transport for the cost |x - y|^2, exactly, as a reference for a
/// Sinkhorn result. In d = 1, by sorting (the monotone coupling is optimal for a convex cost): any n and m, any weights;
/// <c>map.npy</c> is the plan's barycentric map (for n = m uniform, the sorted matching). In d &gt; 1, for equal-size
/// uniform clouds, the optimal assignment (Birkhoff: a permutation is optimal), at most
/// <see cref="ExactAssignment.MaxSize"/> points (O(n^3)); <c>assignment.npy</c> and <c>map.npy</c> (the matched
/// targets). Both write <c>result.json</c> (<c>cost</c>) and the plan as a sparse COO triple.
/// </summary>
internal static class ExactCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var source = new Option<string?>("--source") { Description = "Source positions, n x d (.npy float32/float64 C order, or .csv)", HelpName = "X.npy" };
        var target = new Option<string?>("--target") { Description = "Target positions, m x d (.npy or .csv)", HelpName = "Y.npy" };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights, n values >= 0 with a positive sum (default: uniform; d > 1 needs uniform)", HelpName = "A.npy" };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights, m values >= 0 with a positive sum (default: uniform; d > 1 needs uniform)", HelpName = "B.npy" };
        var output = new Option<string?>("--out") { Description = "Output directory (result.json, map.npy, assignment.npy in d > 1, plan_rows.npy, plan_cols.npy, plan_values.npy)", HelpName = "DIR" };
        var force = OutputOptions.Force();
        var command = new Command("exact", $"Exact optimal transport (cost |x-y|^2): by sorting in d = 1 (any sizes and weights), by an optimal assignment in d > 1 (equal-size uniform clouds, at most {ExactAssignment.MaxSize} points)")
        {
            source, target, sourceWeights, targetWeights, output, force,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(source),
            parse.GetValue(target),
            parse.GetValue(sourceWeights),
            parse.GetValue(targetWeights),
            parse.GetValue(output),
            parse.GetValue(force),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? sourcePath, string? targetPath, string? sourceWeightsPath, string? targetWeightsPath, string? outPath, bool force, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var output = OutputDirectory.Validate(outPath ?? throw new InvalidInputException("out", "is required: the folder for result.json (--out DIR)"), force);
            var x = InputLoader.LoadCloud(sourcePath ?? throw new InvalidInputException("source", "is required (--source X.npy)"), sourceWeightsPath, "source", "source-weights");
            var y = InputLoader.LoadCloud(targetPath ?? throw new InvalidInputException("target", "is required (--target Y.npy)"), targetWeightsPath, "target", "target-weights");
            if (y.Dimension != x.Dimension)
            {
                throw new InvalidInputException("target", $"has dimension {y.Dimension} in {targetPath}, the source {x.Dimension} in {sourcePath}");
            }

            var started = System.Diagnostics.Stopwatch.StartNew();
            var solution = x.Dimension == 1 ? Sorted(x, y) : Assigned(x, y);
            var seconds = started.Elapsed.TotalSeconds;
            output.Commit(directory => Write(directory, x, y, solution, seconds));
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"cost {solution.Cost:R}  ({solution.Method}, n {x.Count}, m {y.Count}, dim {x.Dimension})  -> {output.FullPath}"));
            return ExitCodes.Success;
        }
        catch (Exception ex) when (CommandErrors.Reports(ex))
        {
            return await CommandErrors.ReportAsync(ex, stderr, cancellationToken);
        }
    }

    /// <summary>d = 1: the monotone plan by sorting; the map is each source point's barycentre of its plan row.</summary>
    private static ExactSolution Sorted(PointCloud x, PointCloud y)
    {
        var result = ExactOneDimensionalTransport.Solve(x.Positions, x.Weights, y.Positions, y.Weights, p: 2, computePlan: true);
        var plan = result.Plan!;
        var map = new double[x.Count];
        var rowMass = new double[x.Count];
        foreach (var entry in plan)
        {
            map[entry.Source] += entry.Mass * y.Positions[entry.Target];
            rowMass[entry.Source] += entry.Mass;
        }

        for (var i = 0; i < x.Count; i++)
        {
            // A source point of weight 0 sends nothing: it has no image.
            map[i] = rowMass[i] > 0 ? map[i] / rowMass[i] : double.NaN;
        }

        return new ExactSolution("sorting", result.Cost, map, null, plan);
    }

    /// <summary>d &gt; 1: equal-size uniform clouds, the optimal permutation.</summary>
    private static ExactSolution Assigned(PointCloud x, PointCloud y)
    {
        if (x.Count != y.Count)
        {
            throw new InvalidInputException("target", $"exact transport in d = {x.Dimension} is an assignment and needs as many target points as source points: n = {x.Count}, m = {y.Count} (d = 1 takes any sizes)");
        }

        RequireUniform(x, "source-weights");
        RequireUniform(y, "target-weights");
        if (x.Count > ExactAssignment.MaxSize)
        {
            throw new InvalidInputException("source", $"{x.Count} points are above the assignment's limit of {ExactAssignment.MaxSize} (its work grows as n^3); use 'transport sinkhorn' with a small --epsilon");
        }

        var (source, target) = (x.Positions.ToArray(), y.Positions.ToArray());
        var permutation = ExactAssignment.Solve(source, target, x.Dimension);
        var d = x.Dimension;
        var map = new double[x.Count * d];
        var plan = new TransportPlanEntry[x.Count];
        for (var i = 0; i < x.Count; i++)
        {
            target.AsSpan(permutation[i] * d, d).CopyTo(map.AsSpan(i * d, d));
            plan[i] = new TransportPlanEntry(i, permutation[i], 1.0 / x.Count);
        }

        var cost = ExactAssignment.TotalCost(source, target, d, permutation) / x.Count;
        return new ExactSolution("assignment", cost, map, permutation, plan);
    }

    private static void RequireUniform(PointCloud cloud, string field)
    {
        var first = cloud.Weights[0];
        for (var i = 1; i < cloud.Count; i++)
        {
            if (cloud.Weights[i] != first)
            {
                throw new InvalidInputException(field, $"weight {i} is {cloud.Weights[i].ToString("R", CultureInfo.InvariantCulture)}, weight 0 is {first.ToString("R", CultureInfo.InvariantCulture)}: exact transport in d > 1 is an assignment of uniform weights (d = 1 takes any weights)");
            }
        }
    }

    private static void Write(string directory, PointCloud x, PointCloud y, ExactSolution solution, double seconds)
    {
        ReferenceOutputs.WriteJson(Path.Combine(directory, "result.json"), writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("n", x.Count);
            writer.WriteNumber("m", y.Count);
            writer.WriteNumber("dim", x.Dimension);
            writer.WriteString("cost_function", CostFunction.SquaredEuclidean.Name());
            writer.WriteString("method", solution.Method);
            writer.WriteNumber("cost", solution.Cost);
            writer.WriteNumber("plan_entries", solution.Plan.Count);
            writer.WriteNumber("seconds", seconds);
            writer.WriteEndObject();
        });
        NpyArray.WriteFloat64(Path.Combine(directory, "map.npy"), solution.Map, x.Count, x.Dimension);
        if (solution.Assignment is { } assignment)
        {
            NpyArray.WriteInt64(Path.Combine(directory, "assignment.npy"), assignment, assignment.Length);
        }

        var rows = solution.Plan.Select(e => e.Source).ToArray();
        var columns = solution.Plan.Select(e => e.Target).ToArray();
        var values = solution.Plan.Select(e => e.Mass).ToArray();
        NpyArray.WriteInt64(Path.Combine(directory, "plan_rows.npy"), rows, rows.Length);
        NpyArray.WriteInt64(Path.Combine(directory, "plan_cols.npy"), columns, columns.Length);
        NpyArray.WriteFloat64(Path.Combine(directory, "plan_values.npy"), values, values.Length);
    }

    /// <summary>What a solve found: its method, cost, map (n x d), permutation (d &gt; 1) and plan entries.</summary>
    private sealed record ExactSolution(string Method, double Cost, double[] Map, int[]? Assignment, IReadOnlyList<TransportPlanEntry> Plan);
}
