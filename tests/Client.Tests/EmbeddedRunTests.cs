using System.Globalization;
using System.Text.Json;
using Transport.Numerics.Geometry;
using Transport.Numerics.IO;
using Transport.Numerics.Transport;

namespace Transport.Client.Tests;

/// <summary>End to end on the embedded silo: the console's files agree with the single-process solver.</summary>
public sealed class EmbeddedRunTests : IDisposable
{
    private static readonly string[] ResultFields =
    [
        "n", "m", "dim", "cost_function", "epsilon", "iterations", "converged", "marginal_error", "cost", "objective", "dual", "divergence", "seconds",
        "kernel_evaluations", "neglected_mass", "levels", "bytes_exchanged", "checkpoints", "recoveries",
        "messages", "payload_bytes", "messages_per_shard_per_iteration", "bytes_per_shard_per_iteration", "leaf_cluster_size", "coordinator_values", "level_reports",
    ];

    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    internal static void AssertResultFields(JsonElement result) =>
        Assert.Equal(ResultFields, result.EnumerateObject().Select(p => p.Name).ToArray());

    internal static void AssertMatchesReference(string outDirectory, SinkhornOutput reference, PointCloud source, PointCloud target)
    {
        var result = Cli.ReadJson(Path.Combine(outDirectory, "result.json"));
        AssertResultFields(result);
        Assert.Equal(source.Count, result.GetProperty("n").GetInt32());
        Assert.Equal(target.Count, result.GetProperty("m").GetInt32());
        Assert.Equal(source.Dimension, result.GetProperty("dim").GetInt32());
        Assert.Equal(reference.Options.Cost.Name(), result.GetProperty("cost_function").GetString());
        Assert.Equal(reference.Epsilon, result.GetProperty("epsilon").GetDouble());
        Assert.Equal(reference.Iterations, result.GetProperty("iterations").GetInt32());
        Assert.Equal(reference.Converged, result.GetProperty("converged").GetBoolean());
        Assert.True(result.GetProperty("seconds").GetDouble() >= 0);
        Cli.AssertClose(reference.TransportCost, result.GetProperty("cost").GetDouble(), 1e-6, 0, "cost");
        Cli.AssertClose(reference.Objective, result.GetProperty("objective").GetDouble(), 1e-6, 0, "objective");
        Cli.AssertClose(reference.Dual, result.GetProperty("dual").GetDouble(), 1e-6, 0, "dual");

        // The shards received calls, and each iteration needs a few per shard (update, check, commit and their pulls).
        Assert.True(result.GetProperty("messages").GetInt64() > 0, "no messages counted");
        Assert.True(result.GetProperty("payload_bytes").GetInt64() > 0, "no payload counted");
        Assert.InRange(result.GetProperty("messages_per_shard_per_iteration").GetDouble(), 1, 100);

        // A dense run drops nothing and has one level.
        Assert.Equal(0, result.GetProperty("neglected_mass").GetDouble());
        Assert.Equal(1, result.GetProperty("levels").GetInt32());

        var f = NpyArray.Read(Path.Combine(outDirectory, "f.npy"), "f");
        var g = NpyArray.Read(Path.Combine(outDirectory, "g.npy"), "g");
        var map = NpyArray.Read(Path.Combine(outDirectory, "map.npy"), "map");
        Assert.Equal([source.Count], f.Shape);
        Assert.Equal([target.Count], g.Shape);
        Assert.Equal([source.Count, source.Dimension], map.Shape);
        Assert.Equal(NpyDataType.Float64, f.SourceType);
        Assert.Equal(NpyDataType.Float64, map.SourceType);
        var scale = Math.Abs(reference.TransportCost);
        for (var i = 0; i < source.Count; i++)
        {
            Cli.AssertClose(reference.F[i], f.Data[i], 1e-6, scale, $"f[{i}]");
        }

        for (var j = 0; j < target.Count; j++)
        {
            Cli.AssertClose(reference.G[j], g.Data[j], 1e-6, scale, $"g[{j}]");
        }

        var expectedMap = reference.BarycentricMap();
        for (var k = 0; k < expectedMap.Length; k++)
        {
            Cli.AssertClose(expectedMap[k], map.Data[k], 1e-6, 1, $"map[{k}]");
        }
    }

    [Fact]
    public async Task Weighted_run_on_two_shards_matches_the_single_process_solver()
    {
        const int n = 120, m = 90, d = 3;
        var (x, y, a, b) = Clouds.Make(n, m, d, seed: 11);
        string[] args =
        [
            "sinkhorn", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, m, d),
            "--source-weights", work.Npy("a.npy", a, n), "--target-weights", work.Npy("b.npy", b, m, 1),
            "--epsilon", "0.1", "--tolerance", "1e-9", "--shards", "2", "--out", work.Out,
        ];

        var run = await Cli.RunAsync(args);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        var source = PointCloud.Create(x, n, d, a, "source", "source-weights");
        var target = PointCloud.Create(y, m, d, b, "target", "target-weights");
        var reference = SinkhornSolver.Solve(new SinkhornProblem(source, target), new SinkhornOptions { Epsilon = 0.1, Tolerance = 1e-9 });
        Assert.True(reference.Converged);
        AssertMatchesReference(work.Out, reference, source, target);
        Assert.Equal(JsonValueKind.Null, Cli.ReadJson(Path.Combine(work.Out, "result.json")).GetProperty("divergence").ValueKind);

        // Two shards count exactly the single-process work: (2 K + 1) n m with the plan evaluation (cost read above).
        Assert.Equal(((2L * reference.Iterations) + 1) * n * m, reference.KernelEvaluations);
        Assert.Equal(reference.KernelEvaluations, Cli.ReadJson(Path.Combine(work.Out, "result.json")).GetProperty("kernel_evaluations").GetInt64());

        var history = Cli.ReadJson(Path.Combine(work.Out, "history.json"));
        Assert.Equal(2, history.GetProperty("shards").GetInt32());
        Assert.Equal("double", history.GetProperty("precision").GetString());
        Assert.True(history.GetProperty("history").GetArrayLength() > 0);
        Assert.DoesNotContain("warning", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["convergence.png", "f.npy", "g.npy", "history.json", "map.npy", "plan.png", "result.json"], Directory.GetFiles(work.Out).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["in", "out"], Directory.GetFileSystemEntries(work.Root).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Divergence_from_csv_inputs_matches_the_single_process_divergence()
    {
        const int n = 70, m = 55, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 12);
        var sourcePath = work.Path2("x.csv");
        var targetPath = work.Path2("y.csv");
        CsvMatrix.Write(sourcePath, x, n, d, ["x0", "x1"]);
        CsvMatrix.Write(targetPath, y, m, d);
        string[] args =
        [
            "sinkhorn", "--source", sourcePath, "--target", targetPath, "--epsilon", "0.05", "--cost", "half-sqeuclidean",
            "--tolerance", "1e-9", "--divergence", "--out", work.Out,
        ];

        var run = await Cli.RunAsync(args);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        var source = PointCloud.Create(x, n, d, field: "source");
        var target = PointCloud.Create(y, m, d, field: "target");
        var options = new SinkhornOptions { Epsilon = 0.05, Cost = CostFunction.HalfSquaredEuclidean, Tolerance = 1e-9 };
        var reference = SinkhornDivergence.Compute(new SinkhornProblem(source, target), options);
        AssertMatchesReference(work.Out, reference.Cross, source, target);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        Assert.Equal("half-sqeuclidean", result.GetProperty("cost_function").GetString());
        Assert.Equal(JsonValueKind.Number, result.GetProperty("divergence").ValueKind);
        Cli.AssertClose(reference.Value, result.GetProperty("divergence").GetDouble(), 1e-6, 0, "divergence");

        // The self problems count too: (K_a + 1) n^2 + (K_b + 1) m^2 on top of the cross problem's (2 K + 1) n m.
        Assert.Equal(reference.KernelEvaluations, result.GetProperty("kernel_evaluations").GetInt64());
    }

    [Fact]
    public async Task Leaf_sets_the_points_per_finest_cluster_of_the_job()
    {
        const int n = 600, m = 500, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 15);
        var run = await Cli.RunAsync(
            "sinkhorn", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, m, d),
            "--epsilon", "0.002", "--multiscale", "--levels", "3", "--leaf", "16", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        Assert.Equal(16, result.GetProperty("leaf_cluster_size").GetInt32());
    }

    [Fact]
    public async Task Multiscale_run_writes_its_levels_neglected_mass_and_evaluations()
    {
        const int n = 600, m = 500, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 14);
        string[] Args(string output, params string[] extra) =>
        [
            "sinkhorn", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, m, d),
            "--epsilon", "0.002", "--tolerance", "1e-7", "--out", output, .. extra,
        ];

        var multiscale = await Cli.RunAsync(Args(work.Out, "--multiscale", "--levels", "3", "--truncate", "5"));
        var dense = await Cli.RunAsync(Args(Path.Combine(work.Root, "dense")));

        Assert.True(multiscale.ExitCode == 0, multiscale.Stderr);
        Assert.True(dense.ExitCode == 0, dense.Stderr);
        var a = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        var b = Cli.ReadJson(Path.Combine(work.Root, "dense", "result.json"));
        Assert.Equal(3, a.GetProperty("levels").GetInt32());
        Assert.Equal(8, a.GetProperty("leaf_cluster_size").GetInt32());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("leaf_cluster_size").ValueKind);

        // Reported for the multiscale run (its growth with the points is tested on the cluster: DistributedMultiscaleTests).
        Assert.True(a.GetProperty("coordinator_values").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, b.GetProperty("coordinator_values").ValueKind);
        Assert.True(a.GetProperty("neglected_mass").GetDouble() >= 0);
        var reports = a.GetProperty("level_reports");
        Assert.Equal(3, reports.GetArrayLength());
        Assert.Equal(0, reports[0].GetProperty("level").GetInt32());
        Assert.Equal(n, reports[0].GetProperty("source_clusters").GetInt32());
        Assert.Equal(1, reports[0].GetProperty("shard_pairs").GetInt64());
        Assert.Equal(0, reports[2].GetProperty("shard_pairs").GetInt64());
        Assert.True(reports[0].GetProperty("bytes_exchanged").GetInt64() > 0);
        Assert.Equal(reports[0].GetProperty("bytes_exchanged").GetInt64(), a.GetProperty("bytes_exchanged").GetInt64());
        Assert.Empty(b.GetProperty("level_reports").EnumerateArray());
        Cli.AssertClose(b.GetProperty("cost").GetDouble(), a.GetProperty("cost").GetDouble(), 1e-4, 0, "cost vs dense");
        Assert.True(File.Exists(Path.Combine(work.Out, "map.npy")));
    }

    /// <summary>
    /// --memory-budget travels in the job spec to the coordinator's solve: a budget no leaf size fits makes the solve take
    /// the leaves of smallest estimate (larger than 8) and say so in result.json, with the answer of the default leaves.
    /// </summary>
    [Fact]
    public async Task Memory_budget_chooses_larger_leaves_and_result_json_reports_them()
    {
        const int n = 3000, m = 2500, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 15);
        string[] Args(string output, params string[] extra) =>
        [
            "sinkhorn", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, m, d),
            "--epsilon", "0.002", "--tolerance", "1e-7", "--multiscale", "--out", output, "--quiet", .. extra,
        ];

        var small = await Cli.RunAsync(Args(work.Out, "--memory-budget", "64K"));
        var defaults = await Cli.RunAsync(Args(Path.Combine(work.Root, "default")));

        Assert.True(small.ExitCode == 0, small.Stderr);
        Assert.True(defaults.ExitCode == 0, defaults.Stderr);
        var a = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        var b = Cli.ReadJson(Path.Combine(work.Root, "default", "result.json"));
        AssertResultFields(a);
        Assert.Equal(8, b.GetProperty("leaf_cluster_size").GetInt32());
        Assert.True(a.GetProperty("leaf_cluster_size").GetInt32() > 8, a.ToString());
        Assert.True(a.GetProperty("level_reports")[1].GetProperty("source_clusters").GetInt32() < b.GetProperty("level_reports")[1].GetProperty("source_clusters").GetInt32());
        Cli.AssertClose(b.GetProperty("cost").GetDouble(), a.GetProperty("cost").GetDouble(), 1e-4, 0, "cost vs default leaves");
    }

    [Fact]
    public async Task Reaching_max_iterations_is_not_a_failure()
    {
        const int n = 40, m = 30, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 13);
        string[] args =
        [
            "sinkhorn", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, m, d),
            "--epsilon", "0.01", "--max-iterations", "2", "--out", work.Out,
        ];

        var run = await Cli.RunAsync(args);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Contains("warning: not converged", run.Stderr, StringComparison.Ordinal);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        AssertResultFields(result);
        Assert.False(result.GetProperty("converged").GetBoolean());
        Assert.Equal(2, result.GetProperty("iterations").GetInt32());
        Assert.True(File.Exists(Path.Combine(work.Out, "f.npy")));
    }

    [Fact]
    public async Task Demo_generates_two_clouds_solves_them_and_writes_them()
    {
        var run = await Cli.RunAsync("sinkhorn", "--demo", "--points", "150", "--epsilon", "0.05", "--seed", "3", "--out", work.Out);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        AssertResultFields(result);
        Assert.Equal(150, result.GetProperty("n").GetInt32());
        Assert.Equal(2, result.GetProperty("dim").GetInt32());
        Assert.True(result.GetProperty("converged").GetBoolean());
        var source = NpyArray.Read(Path.Combine(work.Out, "source.npy"), "source");
        var target = NpyArray.Read(Path.Combine(work.Out, "target.npy"), "target");
        Assert.Equal([150, 2], source.Shape);
        Assert.Equal([150, 2], target.Shape);

        // The demo is seeded: the same seed gives the same clouds, and the solve matches the single-process solver.
        var (expectedSource, expectedTarget) = DemoClouds.Generate(150, 3);
        Assert.Equal(expectedSource.Positions.ToArray(), source.Data);
        Assert.Equal(expectedTarget.Positions.ToArray(), target.Data);
        var reference = SinkhornSolver.Solve(new SinkhornProblem(expectedSource, expectedTarget), new SinkhornOptions { Epsilon = 0.05 });
        Cli.AssertClose(reference.Dual, result.GetProperty("dual").GetDouble(), 1e-6, 0, "dual");
        Assert.Contains(reference.Dual.ToString("R", CultureInfo.InvariantCulture)[..6], run.Stdout, StringComparison.Ordinal);
    }
}
