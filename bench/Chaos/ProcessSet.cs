namespace Transport.Bench.Chaos;

/// <summary>
/// Every process the chaos driver started and has not yet seen end: disposing the set kills each of them by its own
/// handle (pid), so a finished, failed or interrupted run leaves nothing behind.
/// </summary>
internal sealed class ProcessSet : IDisposable
{
    private readonly List<ChildProcess> running = [];

    /// <summary>Starts a process (see <see cref="ChildProcess.Start"/>) and records it.</summary>
    public ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, string? logFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var child = ChildProcess.Start(fileName, arguments, workingDirectory, logFile, environment);
        lock (running)
        {
            running.Add(child);
        }

        return child;
    }

    /// <summary>Kills <paramref name="child"/> if it still runs, and drops it from the set.</summary>
    public void Release(ChildProcess child)
    {
        ArgumentNullException.ThrowIfNull(child);
        lock (running)
        {
            running.Remove(child);
        }

        child.Dispose();
    }

    /// <summary>Kills every recorded process that still runs.</summary>
    public void Dispose()
    {
        ChildProcess[] left;
        lock (running)
        {
            left = [.. running];
            running.Clear();
        }

        foreach (var child in left)
        {
            child.Dispose();
        }
    }
}
