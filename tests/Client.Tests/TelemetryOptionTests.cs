namespace Transport.Client.Tests;

/// <summary>
/// <c>--telemetry console</c> on the console: one line per span on stderr, the run and its shard steps in one trace,
/// stdout only the result; an unknown kind is bad input naming <c>telemetry</c>.
/// </summary>
public sealed class TelemetryOptionTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Console_telemetry_writes_the_run_and_its_shard_steps_as_one_trace_on_stderr()
    {
        var run = await Cli.RunAsync("sinkhorn", "--demo", "--points", "40", "--shards", "2", "--telemetry", "console", "--quiet", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Single(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The exporter sees every span of the process (other tests run jobs in it too): keep this job's.
        var job = Cli.ReadJson(Path.Combine(work.Out, "history.json")).GetProperty("problem_id").GetString();
        var spans = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("span ", StringComparison.Ordinal) && l.Contains($"transport.job={job}", StringComparison.Ordinal))
            .ToList();
        var runSpan = Assert.Single(spans, l => l.StartsWith("span sinkhorn.run ", StringComparison.Ordinal));
        var trace = Field(runSpan, "trace");
        var steps = spans.Where(l => l.StartsWith("span sinkhorn.shard.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, step => Assert.Equal(trace, Field(step, "trace")));
    }

    [Fact]
    public async Task An_unknown_telemetry_kind_is_bad_input()
    {
        var run = await Cli.RunAsync("sinkhorn", "--demo", "--points", "20", "--telemetry", "jaeger", "--out", work.Out);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("telemetry: unknown kind 'jaeger'", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    private static string Field(string line, string name) =>
        line.Split(' ').Single(part => part.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
}
