using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// The <c>--out</c> directory. <see cref="Validate"/> checks it before any work starts, writability included; the
/// outputs are then written into a staging folder next to it and swapped in whole by <see cref="Commit(Action{string})"/>,
/// so the directory ends up holding exactly the new outputs, or, on any failure, exactly what it held before.
/// </summary>
internal sealed class OutputDirectory
{
    // Side folders keep at most this much of the directory's name, so that a name close to the file system's limit
    // (255 bytes) still leaves room for the prefix and the GUID that make them unique.
    private const int SideNameLength = 100;

    private readonly bool force;

    private OutputDirectory(string fullPath, bool force)
    {
        FullPath = fullPath;
        this.force = force;
    }

    /// <summary>Absolute path of the directory.</summary>
    public string FullPath { get; }

    private string Parent => Path.GetDirectoryName(FullPath)!;

    /// <summary>
    /// Checks the directory before any work starts and leaves nothing behind. The path must be valid, not a file, not
    /// under a file; an existing non-empty directory needs <paramref name="force"/> (it is then replaced whole, never
    /// merged into); and a probe must be able to create the directory and a staging folder beside it (an unwritable
    /// parent, <c>/proc</c> or <c>/sys</c>, a name too long for the file system all fail here). Throws
    /// <see cref="InvalidInputException"/> for <c>out</c>, naming the path.
    /// </summary>
    /// <param name="path">The <c>--out</c> value as typed.</param>
    /// <param name="force"><c>--force</c>: replace an existing non-empty directory.</param>
    public static OutputDirectory Validate(string path, bool force)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InvalidInputException("out", $"invalid path '{path}': {ex.Message}");
        }

        if (File.Exists(full))
        {
            throw new InvalidInputException("out", $"'{path}' is an existing file, not a directory");
        }

        if (Path.GetDirectoryName(full) is null)
        {
            throw new InvalidInputException("out", $"'{path}' is a root directory; name a folder for the outputs");
        }

        for (var ancestor = Path.GetDirectoryName(full); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (Directory.Exists(ancestor))
            {
                break;
            }

            if (File.Exists(ancestor))
            {
                throw new InvalidInputException("out", $"'{path}' lies under '{ancestor}', which is a file");
            }
        }

        var output = new OutputDirectory(full, force);
        bool holdsEntries;
        try
        {
            holdsEntries = HoldsEntries(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("out", $"cannot read the existing folder '{path}': {ex.Message}");
        }

        if (holdsEntries && !force)
        {
            throw new InvalidInputException("out", $"'{path}' exists and is not empty; pass --force to replace it (the whole folder is replaced once the run has succeeded)");
        }

        OutputProbe.Check(full, output.SideName("probe"), path);
        return output;
    }

    /// <summary>
    /// Creates a fresh staging folder next to the directory, lets <paramref name="write"/> fill it, then puts it in the
    /// directory's place: one rename when the directory does not exist; otherwise the old directory is renamed aside,
    /// the staging folder renamed into place and the old one deleted (restored instead if the second rename fails). On
    /// any failure the staging folder is deleted and the directory is left as it was.
    /// </summary>
    public void Commit(Action<string> write) => Commit(write, Directory.Move);

    /// <summary>As <see cref="Commit(Action{string})"/>, every rename done by <paramref name="move"/> (source, destination), so tests can fail one.</summary>
    internal void Commit(Action<string> write, Action<string, string> move)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(move);
        Directory.CreateDirectory(Parent);
        var staging = Path.Combine(Parent, SideName("tmp"));
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            Replace(staging, move);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    private void Replace(string staging, Action<string, string> move)
    {
        if (!Directory.Exists(FullPath))
        {
            move(staging, FullPath);
            return;
        }

        // Validate saw it absent or empty; whatever appeared since is not ours to delete without --force.
        if (!force && HoldsEntries(FullPath))
        {
            throw new IOException($"'{FullPath}' was filled by another process during the run; it is left as it is and the results were not written");
        }

        var aside = Path.Combine(Parent, SideName("old"));
        move(FullPath, aside);
        try
        {
            move(staging, FullPath);
        }
        catch (Exception ex)
        {
            try
            {
                move(aside, FullPath);
            }
            catch (Exception restore) when (restore is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"replacing '{FullPath}' failed ({ex.Message}) and its earlier contents could not be moved back: they are in '{aside}'", ex);
            }

            throw;
        }

        // The new outputs are in place: a leftover old folder is clutter, not a failure of the run.
        TryDelete(aside);
    }

    private static bool HoldsEntries(string directory) => Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any();

    private string SideName(string kind)
    {
        var name = Path.GetFileName(FullPath);
        return $".{(name.Length > SideNameLength ? name[..SideNameLength] : name)}.{kind}-{Guid.NewGuid():N}";
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original failure (or the committed result) is what matters.
        }
    }
}
