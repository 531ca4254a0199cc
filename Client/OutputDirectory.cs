using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// The <c>--out</c> directory. Outputs are first written into a staging folder next to it and moved into place
/// only when all of them are complete, so a failed or cancelled run leaves no partial output.
/// </summary>
internal sealed class OutputDirectory
{
    private OutputDirectory(string fullPath)
    {
        FullPath = fullPath;
    }

    /// <summary>Absolute path of the directory.</summary>
    public string FullPath { get; }

    /// <summary>
    /// Checks the path without creating anything: it must be a valid path, not an existing file, and its nearest
    /// existing ancestor must be a directory. Throws <see cref="InvalidInputException"/> for <c>out</c>.
    /// </summary>
    public static OutputDirectory Validate(string path)
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

        return new OutputDirectory(full);
    }

    /// <summary>
    /// Creates a fresh staging folder next to the directory, lets <paramref name="write"/> fill it, then moves the
    /// files into the directory (a single rename when the directory does not exist yet). On any failure the
    /// staging folder is deleted and the directory is left as it was.
    /// </summary>
    public void Commit(Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var parent = Path.GetDirectoryName(FullPath)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(FullPath)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            if (!Directory.Exists(FullPath))
            {
                try
                {
                    Directory.Move(staging, FullPath);
                    return;
                }
                catch (IOException) when (Directory.Exists(FullPath))
                {
                    // Someone created the directory meanwhile: fall back to moving file by file.
                }
            }

            foreach (var file in Directory.GetFiles(staging))
            {
                File.Move(file, Path.Combine(FullPath, Path.GetFileName(file)), overwrite: true);
            }

            Directory.Delete(staging);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
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
            // Best effort: the original failure is the one worth reporting.
        }
    }
}
