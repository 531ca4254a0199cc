using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Transport.Cluster.Tests;

/// <summary>What a finished process wrote and returned.</summary>
internal sealed record ProcessRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s; stderr: {Stderr}; stdout: {Stdout}";
}

/// <summary>
/// A child process started by a test, known by its pid only: it is stopped (SIGTERM, then SIGKILL) or killed
/// (SIGKILL) by that pid, never by name.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    private ChildProcess(Process process)
    {
        this.process = process;
    }

    public int Pid { get; private set; }

    public bool HasExited => process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (stdout)
            {
                return stdout.ToString();
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The children must not read the developer's own cluster settings.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Transport__", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => Append(child.stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(child.stderr, e.Data);
        process.Start();
        child.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a process to its end (killed after <paramref name="timeout"/>).</summary>
    public static async Task<ProcessRun> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var watch = Stopwatch.StartNew();
        using var child = Start(fileName, arguments, environment, workingDirectory);
        if (!await child.WaitForExitAsync(timeout))
        {
            child.Kill();
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not exit within {timeout.TotalSeconds:F0} s; stderr: {child.Errors}");
        }

        return new ProcessRun(child.process.ExitCode, child.Output, child.Errors, watch.Elapsed);
    }

    /// <summary>Waits for a started process to end (killed after <paramref name="timeout"/>) and returns what it did.</summary>
    public async Task<ProcessRun> WaitAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        if (!await WaitForExitAsync(timeout))
        {
            Kill();
            throw new TimeoutException($"process {Pid} did not exit within {timeout.TotalSeconds:F0} s; stderr: {Errors}");
        }

        return new ProcessRun(process.ExitCode, Output, Errors, watch.Elapsed);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL by pid (kill -9).</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM by pid (kill -TERM), without waiting for the process to end.</summary>
    public async Task TerminateAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
        await kill!.WaitForExitAsync();
    }

    /// <summary>SIGTERM by pid, then SIGKILL if it is still running after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        await TerminateAsync();
        if (!await WaitForExitAsync(grace))
        {
            Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}

/// <summary>Loopback ports and the built programs under test.</summary>
internal static class Machine
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static bool Listening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what()} (waited {timeout.TotalSeconds:F0} s)");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The repository root (the folder with Transport.Distributed.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug, as this test assembly was built.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string SiloDll => Built("Silo", "Transport.Silo.dll");

    public static string ClientDll => Built("Client", "transport.dll");

    public static string Dotnet { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Transport.Distributed.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Transport.Distributed.sln not found above " + AppContext.BaseDirectory);
    }
}
