namespace Transport.Client.Tests;

/// <summary>
/// <c>--out</c> and <c>--force</c> on every command that writes: the folder is checked before any work starts (no
/// silo, no job, no connection: the only line on stderr is the error naming <c>out</c> and the path), a non-empty
/// folder needs <c>--force</c> and is then replaced whole.
/// </summary>
public sealed class OutputOptionTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    /// <summary>Each writing command on a tiny problem, its --out left for the test to append.</summary>
    public static TheoryData<string> Commands => new() { "sinkhorn", "flow", "sample", "runs fetch" };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_non_empty_out_without_force_exits_2_before_any_work_and_is_left_untouched(string command)
    {
        Directory.CreateDirectory(work.Out);
        File.WriteAllText(Path.Combine(work.Out, "earlier.txt"), "earlier");

        var run = await Cli.RunAsync([.. Arguments(command), "--out", work.Out]);

        AssertRejectedBeforeWork(run, work.Out, "--force");
        Assert.Equal(["earlier.txt"], Entries(work.Out));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_unwritable_out_exits_2_before_any_work_even_with_force(string command)
    {
        // /proc refuses even root, for whom permission bits do not stop a write.
        const string path = "/proc/transport-tests-out";
        var run = await Cli.RunAsync([.. Arguments(command), "--out", path, "--force"]);
        AssertRejectedBeforeWork(run, path);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_300_character_out_name_exits_2_before_any_work(string command)
    {
        var path = Path.Combine(work.Root, new string('o', 300));
        var run = await Cli.RunAsync([.. Arguments(command), "--out", path]);
        AssertRejectedBeforeWork(run, path);
        Assert.Equal(["in"], Entries(work.Root));
    }

    [Fact]
    public async Task With_force_a_sinkhorn_run_replaces_the_folder_whole()
    {
        Directory.CreateDirectory(work.Out);
        File.WriteAllText(Path.Combine(work.Out, "stale.txt"), "an earlier run's file");
        File.WriteAllText(Path.Combine(work.Out, "result.json"), "{}");

        var run = await Cli.RunAsync(["sinkhorn", "--demo", "--points", "40", "--quiet", "--out", work.Out, "--force"]);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.False(File.Exists(Path.Combine(work.Out, "stale.txt")), "a file of the earlier run was left mixed in");
        Assert.Equal(40, Cli.ReadJson(Path.Combine(work.Out, "result.json")).GetProperty("n").GetInt32());
        Assert.Equal(["in", "out"], Entries(work.Root));
    }

    [Theory]
    [InlineData("sinkhorn", "--demo")]
    [InlineData("flow", "--demo", "mmd-flow")]
    public async Task Force_on_a_detached_run_exits_2_naming_force(params string[] command)
    {
        var run = await Cli.RunAsync([.. command, "--cluster", "127.0.0.1:1", "--detach", "--force"]);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.StartsWith("error: force: ", run.Stderr, StringComparison.Ordinal);
    }

    private static string[] Arguments(string command) => command switch
    {
        "sinkhorn" => ["sinkhorn", "--demo", "--points", "20"],
        "flow" => ["flow", "--demo", "mmd-flow"],
        "sample" => ["sample", "--demo", "gaussian"],

        // Port 1 has no cluster: reaching the error about out proves that nothing was connected first.
        "runs fetch" => ["runs", "fetch", "sinkhorn-none", "--cluster", "127.0.0.1:1"],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "not a writing command"),
    };

    private static string[] Entries(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(entry => Path.GetFileName(entry)).Order(StringComparer.Ordinal)];

    private static void AssertRejectedBeforeWork(CliRun run, string path, params string[] mentions)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");

        // One line: no phase of a run (starting a silo, connecting, uploading, computing) was reached.
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: out: ", line, StringComparison.Ordinal);
        Assert.Contains(path, line, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, line, StringComparison.Ordinal);
        }

        Assert.Empty(run.Stdout);
    }
}
