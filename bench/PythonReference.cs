using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Transport.Bench;

/// <summary>What the Python interpreter can import (versions, or why not).</summary>
internal sealed record PythonProbe(string? Error, string? PythonVersion, string? PotVersion, string? PotError, string? GeomLossVersion, string? GeomLossError)
{
    public bool HasPot => Error is null && PotVersion is not null;

    public bool HasGeomLoss => Error is null && GeomLossVersion is not null;
}

/// <summary>One term of POT's divergence (see <c>divergence_reference.py</c>).</summary>
internal sealed record PotTerm(string Name, double Seconds, double DistSeconds, double CpuSeconds, int Iterations, bool Converged, double Dual, double Cost, double MarginalL1, double MarginalL2, long PeakKib);

/// <summary>POT's three terms, or why there are none.</summary>
internal sealed record PotResult(string? Error, string? Version, long BaselineKib, IReadOnlyList<PotTerm> Terms)
{
    public PotTerm Term(string name) => Terms.First(t => t.Name == name);
}

/// <summary>GeomLoss's divergence (tensorized backend), or why there is none.</summary>
internal sealed record GeomLossResult(string? Error, string? Version, double Seconds, double CpuSeconds, double Dual, long BaselineKib, long PeakKib);

/// <summary>
/// Runs <c>divergence_reference.py</c> (copied next to the bench assembly) in a child process: stderr is
/// echoed with the elapsed time, the last stdout line is the JSON answer. The child inherits the
/// environment unchanged (OPENBLAS_CORETYPE and the like stay as they are).
/// </summary>
internal static class PythonReference
{
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "divergence_reference.py");

    public static PythonProbe Probe(string python)
    {
        var (json, error) = Run(python, ["probe"], TimeSpan.FromMinutes(2), echo: false);
        if (json is not { } root)
        {
            return new PythonProbe(error, null, null, null, null, null);
        }

        return new PythonProbe(null, String(root, "python"), String(root, "ot"), String(root, "ot_error"), String(root, "geomloss"), String(root, "geomloss_error"));
    }

    public static PotResult Pot(string python, string xPath, string yPath, double epsilon, double stopThreshold, int maxIterations, TimeSpan timeout)
    {
        var (json, error) = Run(python, ["pot", xPath, yPath, R(epsilon), R(stopThreshold), maxIterations.ToString(CultureInfo.InvariantCulture)], timeout, echo: true);
        if (json is not { } root)
        {
            return new PotResult(error, null, 0, []);
        }

        var terms = root.GetProperty("terms").EnumerateArray().Select(t => new PotTerm(
            t.GetProperty("name").GetString() ?? "?",
            t.GetProperty("seconds").GetDouble(),
            t.GetProperty("dist_seconds").GetDouble(),
            t.GetProperty("cpu_seconds").GetDouble(),
            t.GetProperty("iterations").GetInt32(),
            t.GetProperty("converged").GetBoolean(),
            t.GetProperty("dual").GetDouble(),
            t.GetProperty("cost").GetDouble(),
            t.GetProperty("marginal_l1").GetDouble(),
            t.GetProperty("marginal_l2").GetDouble(),
            t.GetProperty("peak_kib").GetInt64())).ToList();
        return new PotResult(null, String(root, "version"), root.GetProperty("baseline_kib").GetInt64(), terms);
    }

    public static GeomLossResult GeomLoss(string python, string xPath, string yPath, double epsilon, double scaling, TimeSpan timeout)
    {
        var (json, error) = Run(python, ["geomloss", xPath, yPath, R(epsilon), R(scaling)], timeout, echo: true);
        if (json is not { } root)
        {
            return new GeomLossResult(error, null, double.NaN, double.NaN, double.NaN, 0, 0);
        }

        return new GeomLossResult(
            null,
            String(root, "version"),
            root.GetProperty("seconds").GetDouble(),
            root.GetProperty("cpu_seconds").GetDouble(),
            root.GetProperty("dual").GetDouble(),
            root.GetProperty("baseline_kib").GetInt64(),
            root.GetProperty("peak_kib").GetInt64());
    }

    private static (JsonElement? Json, string? Error) Run(string python, IReadOnlyList<string> arguments, TimeSpan timeout, bool echo)
    {
        if (!File.Exists(ScriptPath))
        {
            return (null, $"{ScriptPath} is missing (it is copied to the build output)");
        }

        var start = new ProcessStartInfo(python)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var watch = Stopwatch.StartNew();
        var errorTail = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (errorTail)
            {
                errorTail.AppendLine(e.Data);
                if (errorTail.Length > 4000)
                {
                    errorTail.Remove(0, errorTail.Length - 4000);
                }
            }

            if (echo)
            {
                Console.Error.WriteLine($"  [python {watch.Elapsed.TotalSeconds:0.0} s] {e.Data}");
            }
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            return (null, $"cannot start {python}: {exception.Message}");
        }

        process.BeginErrorReadLine();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            // Only the child this method started (and its own children).
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (null, $"timed out after {timeout.TotalSeconds:0} s (killed)");
        }

        process.WaitForExit();
        var lastLine = output.GetAwaiter().GetResult().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || lastLine is null)
        {
            string tail;
            lock (errorTail)
            {
                tail = errorTail.ToString().Trim().Split('\n').LastOrDefault() ?? string.Empty;
            }

            return (null, $"python exited with code {process.ExitCode}: {tail}");
        }

        try
        {
            using var document = JsonDocument.Parse(lastLine);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException exception)
        {
            return (null, $"unreadable answer '{lastLine}': {exception.Message}");
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
