using System.Diagnostics;

namespace Transport.Client.Clusters;

/// <summary>Starting, checking and stopping the processes of a local cluster, each by its recorded pid only.</summary>
internal static class LocalProcesses
{
    /// <summary>Starts <paramref name="fileName"/> detached from this console, its output appended to <paramref name="log"/>.</summary>
    public static LocalProcess Start(string fileName, IEnumerable<string> arguments, string log, int[] ports)
    {
        // Through a shell so that the child outlives this process and writes straight to its log file.
        var quoted = string.Join(' ', new[] { fileName }.Concat(arguments).Select(Quote));
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {quoted} >> {Quote(log)} 2>&1 < /dev/null & echo $!");
        using var shell = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var pidText = shell.StandardOutput.ReadLine();
        shell.WaitForExit();
        if (!int.TryParse(pidText, out var pid))
        {
            throw new InvalidOperationException($"cannot start {fileName}: {shell.StandardError.ReadToEnd().Trim()}");
        }

        return new LocalProcess(pid, ports, log, DateTimeOffset.UtcNow);
    }

    /// <summary>Whether the recorded process still runs (its pid is alive and was started no earlier than recorded).</summary>
    public static bool IsRunning(LocalProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            using var running = Process.GetProcessById(process.Pid);
            return !running.HasExited && running.StartTime.ToUniversalTime() <= process.Started.UtcDateTime.AddSeconds(5);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Stops the recorded process: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(LocalProcess process, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!IsRunning(process))
        {
            return;
        }

        using var running = Process.GetProcessById(process.Pid);
        Signal("TERM", process.Pid);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await running.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            running.Kill();
            await running.WaitForExitAsync();
        }
    }

    /// <summary>The first of <paramref name="names"/> found on the PATH, or null.</summary>
    public static string? OnPath(params string[] names)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories.SelectMany(d => names.Select(n => Path.Combine(d, n))).FirstOrDefault(File.Exists);
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false, RedirectStandardError = true });
        kill?.WaitForExit();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
