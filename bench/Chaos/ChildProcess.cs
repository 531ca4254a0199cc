using System.Diagnostics;
using System.Text;

namespace Transport.Bench.Chaos;

/// <summary>
/// A process the chaos driver started, known by its pid: stopped with SIGKILL through its own handle, never looked up
/// by name. Its output goes to a log file (silos, Redis) or is kept in memory (consoles, whose stderr carries the
/// <c>error:</c> line that says why a job failed).
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly bool logged;
    private StreamWriter? log;

    private ChildProcess(Process process, StreamWriter? log)
    {
        this.process = process;
        this.log = log;
        logged = log is not null;
    }

    public int Pid { get; private set; }

    public bool HasExited => process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>What it wrote on stdout (empty when it writes to a log file).</summary>
    public string Output => Read(stdout);

    /// <summary>What it wrote on stderr (empty when it writes to a log file).</summary>
    public string Errors => Read(stderr);

    /// <summary>
    /// Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/>; output to <paramref name="logFile"/>
    /// when given, else kept in memory. <c>Transport__*</c> variables of this process are not passed on, so the children
    /// run with the settings the driver gives them and not the developer's own cluster settings.
    /// </summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, string? logFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Transport__", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var log = logFile is null ? null : new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, log);
        process.OutputDataReceived += (_, e) => child.Append(child.stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child.stderr, e.Data);
        process.Start();
        child.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the end; false when it is still running after <paramref name="timeout"/> or <paramref name="token"/> is cancelled.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);

            // The parameterless wait also drains the redirected output, so Errors holds the last line.
            await process.WaitForExitAsync(CancellationToken.None);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL (kill -9) through this process's own handle; returns at once when it has already ended.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the signal.
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
        lock (process)
        {
            log?.Dispose();
            log = null;
        }
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        if (logged)
        {
            // One lock for the log: stdout and stderr lines arrive on two threads (and may outlive Dispose).
            lock (process)
            {
                log?.WriteLine(line);
            }

            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
