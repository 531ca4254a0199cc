namespace Transport.Numerics.IO;

/// <summary>
/// Writes a file so that a failure never leaves a partial file behind: the content goes to a
/// temporary file in the destination directory, which is flushed and then moved over the
/// destination (a rename within one directory, atomic on the file systems we run on).
/// </summary>
internal static class AtomicFileWriter
{
    /// <summary>
    /// Runs <paramref name="write"/> against a temporary file next to <paramref name="path"/> and moves
    /// it into place. Any I/O failure is reported as an <see cref="InvalidInputException"/> for
    /// <paramref name="field"/>; the temporary file is deleted on failure.
    /// </summary>
    public static void Write(string path, string field, Action<Stream> write)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidInputException(field, "the output path is empty");
        }

        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            throw new InvalidInputException(field, $"invalid output path '{path}': {ex.Message}");
        }

        var directory = Path.GetDirectoryName(fullPath) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new InvalidInputException(field, $"directory not found: {directory}");
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            TryDelete(temporary);
            throw new InvalidInputException(field, $"cannot write {fullPath}: {ex.Message}");
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original failure is the one worth reporting.
        }
    }
}
