namespace Transport.Cluster.Tests;

/// <summary>How a refused process must end: one line on stderr, the exit code, no stack trace, no port left open.</summary>
internal static class ProcessAssert
{
    /// <summary>Exit <paramref name="exitCode"/> with exactly one line on stderr starting with <paramref name="start"/>.</summary>
    public static void OneLine(ProcessRun run, int exitCode, string start)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.True(run.ErrorLines.Length == 1, $"expected one line on stderr: {run}");
        Assert.StartsWith(start, run.ErrorLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Nothing listens on <paramref name="ports"/> (after the process that was to use them exited).</summary>
    public static void NothingListens(params int[] ports)
    {
        foreach (var port in ports)
        {
            Assert.False(Machine.Listening(port), $"port {port} is still in use after the process exited");
        }
    }
}
