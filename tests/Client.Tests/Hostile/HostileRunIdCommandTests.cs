namespace Transport.Client.Tests.Hostile;

/// <summary>
/// Run ids the console is given that name no usable job (issue 12): unknown, released, cancelled, still running. Each
/// <c>transport runs</c> command exits 2 with one line naming the id, writes nothing, and the cluster keeps serving: a
/// run submitted before them completes afterwards.
/// </summary>
public sealed class HostileRunIdCommandTests(SiloFixture silo) : IClassFixture<SiloFixture>, IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    private string[] Cluster => ["--cluster", silo.Gateway, "--cluster-id", silo.ClusterId];

    [Theory]
    [InlineData("show")]
    [InlineData("wait")]
    [InlineData("cancel")]
    [InlineData("resume")]
    [InlineData("release")]
    [InlineData("fetch")]
    public async Task A_command_on_an_unknown_id_exits_2_naming_it(string verb)
    {
        var run = await Cli.RunAsync(["runs", verb, "no-such-job", .. Out(verb), .. Cluster]);

        AssertRefused(run, "ID", "no-such-job");
    }

    [Fact]
    public async Task Commands_on_released_cancelled_and_running_ids_exit_2_and_a_run_in_flight_completes()
    {
        // A run in flight through everything below.
        var inFlight = await SubmitAsync("--epsilon", "0.05", "--tolerance", "1e-9");

        var released = await SubmitAsync("--epsilon", "0.05", "--tolerance", "1e-9");
        Assert.Equal(0, (await Cli.RunAsync(["runs", "wait", released, "--quiet", .. Cluster])).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(["runs", "release", released, .. Cluster])).ExitCode);
        AssertRefused(await Cli.RunAsync(["runs", "fetch", released, "--out", work.Out, .. Cluster]), "ID", released);
        AssertRefused(await Cli.RunAsync(["runs", "release", released, .. Cluster]), "ID", released);

        // Endless (no tolerance is reachable), then cancelled.
        var endless = await SubmitAsync("--epsilon", "0.001", "--tolerance", "1e-300", "--max-iterations", "100000000");
        AssertRefused(await Cli.RunAsync(["runs", "fetch", endless, "--out", work.Out, .. Cluster]), "ID", endless);
        Assert.Equal(0, (await Cli.RunAsync(["runs", "cancel", endless, .. Cluster])).ExitCode);
        var waited = await Cli.RunAsync(["runs", "wait", endless, "--quiet", .. Cluster]);
        Assert.True(waited.ExitCode == 1, $"exit {waited.ExitCode}: {waited.Stderr}");
        AssertRefused(await Cli.RunAsync(["runs", "fetch", endless, "--out", work.Out, .. Cluster]), "ID", endless);
        Assert.Equal(0, (await Cli.RunAsync(["runs", "release", endless, .. Cluster])).ExitCode);

        var done = await Cli.RunAsync(["runs", "wait", inFlight, "--quiet", .. Cluster]);
        Assert.True(done.ExitCode == 0, $"exit {done.ExitCode}: {done.Stderr}");
        var fetched = await Cli.RunAsync(["runs", "fetch", inFlight, "--out", work.Out, .. Cluster]);
        Assert.True(fetched.ExitCode == 0, $"exit {fetched.ExitCode}: {fetched.Stderr}");
        Assert.True(File.Exists(Path.Combine(work.Out, "result.json")));
        Assert.Equal(0, (await Cli.RunAsync(["runs", "release", inFlight, .. Cluster])).ExitCode);
    }

    private string[] Out(string verb) => verb == "fetch" ? ["--out", work.Out] : [];

    /// <summary>Submits a detached Sinkhorn run of two demo clouds with <paramref name="options"/>; returns its id.</summary>
    private async Task<string> SubmitAsync(params string[] options)
    {
        var run = await Cli.RunAsync(["sinkhorn", "--demo", "--points", "60", .. options, "--detach", .. Cluster]);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
        return run.Stdout.Trim();
    }

    private void AssertRefused(CliRun run, string field, string id)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.True(run.Stdout.Length == 0, $"stdout: {run.Stdout}");
        var errors = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, run.Stderr);
        Assert.StartsWith($"error: {field}: ", errors[0], StringComparison.Ordinal);
        Assert.Contains(id, errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(work.Out), $"{work.Out} exists");
    }
}
