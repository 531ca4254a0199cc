using System.Text.Json;

namespace Transport.Client.Clusters;

/// <summary>
/// What <c>transport cluster up</c> started on this machine, recorded so that <c>cluster down</c> stops exactly that:
/// the Redis (when it started one) and every silo, each by its pid, with its ports and log file. Kept as
/// <c>cluster.json</c> in the state directory (<c>--state</c>, default <c>~/.transport/cluster</c>).
/// </summary>
internal sealed record LocalClusterState(string Cluster, string ClusterId, LocalProcess? Redis, IReadOnlyList<LocalProcess> Silos)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The default state directory.</summary>
    public static string DefaultDirectory => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".transport", "cluster");

    /// <summary>The state file in <paramref name="directory"/>.</summary>
    public static string FileIn(string directory) => Path.Combine(directory, "cluster.json");

    /// <summary>The recorded cluster, or null when none is recorded.</summary>
    public static LocalClusterState? Read(string directory)
    {
        var file = FileIn(directory);
        return File.Exists(file) ? JsonSerializer.Deserialize<LocalClusterState>(File.ReadAllText(file), Json) : null;
    }

    /// <summary>Records this state (atomically: a half-written record is never read).</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var staging = FileIn(directory) + ".tmp";
        File.WriteAllText(staging, JsonSerializer.Serialize(this, Json));
        File.Move(staging, FileIn(directory), overwrite: true);
    }
}

/// <summary>A process <c>cluster up</c> started: its pid, the ports it listens on and its log.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Ports">Listening ports (Redis: one; silo: silo port, gateway port, dashboard port).</param>
/// <param name="Log">Its stdout and stderr.</param>
/// <param name="Started">When it started (guards against a reused pid: see <see cref="LocalProcesses.IsRunning"/>).</param>
internal sealed record LocalProcess(int Pid, int[] Ports, string Log, DateTimeOffset Started);
