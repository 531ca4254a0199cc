namespace Transport.Client.Tests.Hostile;

/// <summary>
/// One malformed console request: its command line (the files it names are written into the workspace) and the field
/// its single error line must name.
/// </summary>
/// <param name="Name">What is malformed, unique in the table.</param>
/// <param name="Field">The field the line <c>error: FIELD: ...</c> names.</param>
/// <param name="Arguments">The command line, built in a workspace.</param>
internal sealed record HostileCommand(string Name, string Field, Func<Workspace, string[]> Arguments)
{
    public override string ToString() => Name;

    /// <summary>
    /// Asserts the refusal: exit 2, nothing on stdout, exactly one <c>error: FIELD: </c> line on stderr and no stack trace,
    /// and no output folder (nor staging folder) left behind.
    /// </summary>
    public void AssertRefused(CliRun run, Workspace work)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(work);
        Assert.True(run.ExitCode == 2, $"{Name}: exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.True(run.Stdout.Length == 0, $"{Name}: stdout: {run.Stdout}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, $"{Name}: {errors.Length} error lines: {run.Stderr}");
        Assert.True(errors[0].StartsWith($"error: {Field}: ", StringComparison.Ordinal), $"{Name}: '{errors[0]}' does not name '{Field}'");
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
        Assert.False(Directory.Exists(work.Out), $"{Name}: {work.Out} exists");
        work.AssertNoOutput();
    }
}
