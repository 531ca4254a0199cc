using System.Text.Json;
using Transport.Numerics.IO;

namespace Transport.Client.Tests;

/// <summary>
/// A detached run is collected later from another client process: <c>--detach</c> prints the id and returns, <c>runs
/// wait</c> exits with the job's outcome, <c>runs list</c> shows it with its label, <c>runs fetch</c> writes the files an
/// attached run writes (the same names and the same numbers), and <c>runs release</c> removes it.
/// </summary>
public sealed class RunsCommandTests(SiloFixture silo) : IClassFixture<SiloFixture>, IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_detached_sinkhorn_run_is_waited_for_listed_fetched_as_an_attached_run_and_released()
    {
        const int n = 70, m = 50, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 31);
        var sourcePath = work.Npy("x.npy", x, n, d);
        var targetPath = work.Npy("y.npy", y, m, d);
        string[] cluster = ["--cluster", silo.Gateway, "--cluster-id", silo.ClusterId];
        string[] problem = ["--source", sourcePath, "--target", targetPath, "--epsilon", "0.05", "--tolerance", "1e-9", "--shards", "3", "--divergence", .. cluster];

        var detached = await Cli.RunAsync(["sinkhorn", .. problem, "--detach", "--label", "nightly"]);
        Assert.True(detached.ExitCode == 0, $"exit {detached.ExitCode}; stderr: {detached.Stderr}");
        var id = detached.Stdout.Trim();
        Assert.StartsWith("sinkhorn-", id, StringComparison.Ordinal);

        var waited = await Cli.RunAsync(["runs", "wait", id, "--quiet", .. cluster]);
        Assert.True(waited.ExitCode == 0, $"exit {waited.ExitCode}; stderr: {waited.Stderr}");

        var listed = await Cli.RunAsync(["runs", "list", "--json", .. cluster]);
        Assert.Equal(0, listed.ExitCode);
        var job = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);
        Assert.Equal("nightly", job.GetProperty("label").GetString());
        Assert.Equal("Completed", job.GetProperty("state").GetString());
        Assert.Equal("sinkhorn", job.GetProperty("kind").GetString());

        var fetchedDirectory = Path.Combine(work.Root, "fetched");
        var fetched = await Cli.RunAsync(["runs", "fetch", id, "--out", fetchedDirectory, .. cluster]);
        Assert.True(fetched.ExitCode == 0, $"exit {fetched.ExitCode}; stderr: {fetched.Stderr}");

        var attached = await Cli.RunAsync(["sinkhorn", .. problem, "--out", work.Out]);
        Assert.True(attached.ExitCode == 0, $"exit {attached.ExitCode}; stderr: {attached.Stderr}");
        // The same files but plan.png, which needs the clouds (the console that uploaded them has them, a fetch does not).
        Assert.Equal(Files(work.Out).Where(f => f != "plan.png"), Files(fetchedDirectory));
        Assert.Contains("plan.png", Files(work.Out));

        // The same job run twice: every result field equal but the timings (the run is deterministic).
        var resultAttached = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        var resultFetched = Cli.ReadJson(Path.Combine(fetchedDirectory, "result.json"));
        foreach (var property in resultAttached.EnumerateObject().Where(p => p.Name != "seconds"))
        {
            Assert.Equal(property.Value.GetRawText(), resultFetched.GetProperty(property.Name).GetRawText());
        }

        foreach (var array in new[] { "f.npy", "g.npy", "map.npy" })
        {
            Assert.Equal(NpyArray.Read(Path.Combine(work.Out, array), array).Data, NpyArray.Read(Path.Combine(fetchedDirectory, array), array).Data);
        }

        // Only a failed job resumes (from its last checkpoint): a completed one is refused as bad input naming the id.
        var resumed = await Cli.RunAsync(["runs", "resume", id, .. cluster]);
        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("only a failed job can be resumed", resumed.Stderr, StringComparison.Ordinal);

        var released = await Cli.RunAsync(["runs", "release", id, .. cluster]);
        Assert.Equal(0, released.ExitCode);
        var gone = await Cli.RunAsync(["runs", "show", id, .. cluster]);
        Assert.Equal(2, gone.ExitCode);
        Assert.Contains($"no job '{id}'", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detach_needs_a_cluster_and_no_out_and_unknown_ids_are_bad_input()
    {
        var embedded = await Cli.RunAsync("sinkhorn", "--demo", "--points", "20", "--detach");
        Assert.Equal(2, embedded.ExitCode);
        Assert.Contains("detach: needs --cluster", embedded.Stderr, StringComparison.Ordinal);

        var withOut = await Cli.RunAsync("sinkhorn", "--demo", "--points", "20", "--detach", "--out", work.Out, "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId);
        Assert.Equal(2, withOut.ExitCode);
        Assert.Contains("runs fetch", withOut.Stderr, StringComparison.Ordinal);

        var sampleEmbedded = await Cli.RunAsync("sample", "--demo", "gaussian", "--detach");
        Assert.Equal(2, sampleEmbedded.ExitCode);
        Assert.Contains("detach: needs --cluster", sampleEmbedded.Stderr, StringComparison.Ordinal);

        var unknown = await Cli.RunAsync("runs", "fetch", "no-such-job", "--out", work.Out, "--cluster", silo.Gateway, "--cluster-id", silo.ClusterId);
        Assert.Equal(2, unknown.ExitCode);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task A_detached_flow_is_fetched_with_the_files_and_the_trajectory_of_an_attached_run()
    {
        var spec = work.Path2("potential.json");
        File.WriteAllText(spec, """
            {"model": "sinkhorn-flow", "epsilon": 0.05,
             "initial": {"generator": "gaussian", "n": 40, "dim": 2, "mean": [-1.0, 0.0], "std": 0.3, "seed": 3},
             "target": {"generator": "ring", "n": 30, "radius": 1.0, "noise": 0.05, "center": [1.0, 0.0], "seed": 4},
             "integrator": "euler", "step": 0.25, "t_end": 1, "shards": 2}
            """);
        string[] cluster = ["--cluster", silo.Gateway, "--cluster-id", silo.ClusterId];

        var detached = await Cli.RunAsync(["flow", "--spec", spec, "--detach", .. cluster]);
        Assert.True(detached.ExitCode == 0, $"exit {detached.ExitCode}; stderr: {detached.Stderr}");
        var id = detached.Stdout.Trim();
        var waited = await Cli.RunAsync(["runs", "wait", id, "--quiet", .. cluster]);
        Assert.True(waited.ExitCode == 0, $"exit {waited.ExitCode}; stderr: {waited.Stderr}");
        var fetchedDirectory = Path.Combine(work.Root, "fetched-flow");
        var fetched = await Cli.RunAsync(["runs", "fetch", id, "--out", fetchedDirectory, .. cluster]);
        Assert.True(fetched.ExitCode == 0, $"exit {fetched.ExitCode}; stderr: {fetched.Stderr}");

        var attached = await Cli.RunAsync(["flow", "--spec", spec, "--out", work.Out, "--quiet", .. cluster]);
        Assert.True(attached.ExitCode == 0, $"exit {attached.ExitCode}; stderr: {attached.Stderr}");
        Assert.Equal(Files(work.Out), Files(fetchedDirectory));
        Assert.Equal(NpyArray.Read(Path.Combine(work.Out, "final.npy"), "final").Data, NpyArray.Read(Path.Combine(fetchedDirectory, "final.npy"), "final").Data);
        Assert.Equal(File.ReadAllBytes(Path.Combine(work.Out, "trajectory.npy")), File.ReadAllBytes(Path.Combine(fetchedDirectory, "trajectory.npy")));

        Assert.Equal(File.ReadAllText(Path.Combine(work.Out, "diagnostics.csv")), File.ReadAllText(Path.Combine(fetchedDirectory, "diagnostics.csv")));

        // The plot too, target overlay included (the target travels in the model spec the coordinator keeps).
        Assert.Equal(File.ReadAllBytes(Path.Combine(work.Out, "particles.png")), File.ReadAllBytes(Path.Combine(fetchedDirectory, "particles.png")));
    }

    [Fact]
    public async Task A_detached_sample_study_is_fetched_with_the_files_of_an_attached_one_and_leaves_no_child_job()
    {
        // A data set target with weights and given noise: every upload the fetching client must get back to rebuild
        // the request (the plot draws the data; the metrics use the weights), and a sweep (two runs, nfe.png).
        const int n = 40, m = 25, d = 2;
        var (x, y, _, _) = Clouds.Make(n, m, d, seed: 41);
        var noise = work.Npy("noise.npy", x, n, d);
        var data = work.Npy("data.npy", y, m, d);
        var weights = work.Npy("w.npy", [.. Enumerable.Range(1, m).Select(i => (double)i)], m, 1);
        string[] cluster = ["--cluster", silo.Gateway, "--cluster-id", silo.ClusterId];
        string[] study = ["sample", "--target", data, "--target-weights", weights, "--noise", noise, "--schedule", "linear", "--sampler", "heun", "--steps", "4,8", "--shards", "2", .. cluster];

        var detached = await Cli.RunAsync([.. study, "--detach", "--label", "sweep"]);
        Assert.True(detached.ExitCode == 0, $"exit {detached.ExitCode}; stderr: {detached.Stderr}");
        var id = detached.Stdout.Trim();
        Assert.StartsWith("sample-", id, StringComparison.Ordinal);
        var waited = await Cli.RunAsync(["runs", "wait", id, "--quiet", .. cluster]);
        Assert.True(waited.ExitCode == 0, $"exit {waited.ExitCode}; stderr: {waited.Stderr}");

        var listed = await Cli.RunAsync(["runs", "list", "--json", .. cluster]);
        var jobs = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().ToArray();
        var job = jobs.Single(j => j.GetProperty("id").GetString() == id);
        Assert.Equal(("sample", "sweep", "Completed"), (job.GetProperty("kind").GetString(), job.GetProperty("label").GetString(), job.GetProperty("state").GetString()));
        // The study's sampling jobs were released as soon as their samples were downloaded.
        Assert.DoesNotContain(jobs, j => j.GetProperty("id").GetString()!.StartsWith(id + ".", StringComparison.Ordinal));

        var fetchedDirectory = Path.Combine(work.Root, "fetched-sample");
        var fetched = await Cli.RunAsync(["runs", "fetch", id, "--out", fetchedDirectory, .. cluster]);
        Assert.True(fetched.ExitCode == 0, $"exit {fetched.ExitCode}; stderr: {fetched.Stderr}");
        var attached = await Cli.RunAsync([.. study, "--out", work.Out]);
        Assert.True(attached.ExitCode == 0, $"exit {attached.ExitCode}; stderr: {attached.Stderr}");
        Assert.Contains("sample: reference by", attached.Stderr, StringComparison.Ordinal);

        Assert.Equal(["metrics.json", "nfe.png", "samples.npy", "samples.png"], Files(fetchedDirectory));
        Assert.Equal(Files(work.Out), Files(fetchedDirectory));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work.Out, "samples.npy")), File.ReadAllBytes(Path.Combine(fetchedDirectory, "samples.npy")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work.Out, "samples.png")), File.ReadAllBytes(Path.Combine(fetchedDirectory, "samples.png")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work.Out, "nfe.png")), File.ReadAllBytes(Path.Combine(fetchedDirectory, "nfe.png")));
        Assert.Equal(WithoutSeconds(Path.Combine(work.Out, "metrics.json")), WithoutSeconds(Path.Combine(fetchedDirectory, "metrics.json")));
    }

    /// <summary>metrics.json without its timings (the same study run twice differs only there).</summary>
    private static string WithoutSeconds(string path)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node.Remove("seconds");
        foreach (var run in node["runs"]!.AsArray())
        {
            run!.AsObject().Remove("seconds");
        }

        return node.ToJsonString();
    }

    private static string[] Files(string directory) =>
        [.. Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}
