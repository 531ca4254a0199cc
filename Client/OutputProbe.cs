using Transport.Numerics;

namespace Transport.Client;

/// <summary>
/// Proves that an output directory can be written before any work starts, by doing what writing it will do: create
/// the missing parent folders, the directory itself (when it does not exist yet) and a side folder beside it, then
/// remove everything it created. Checking permission bits would not do: root ignores them, while <c>/proc</c>,
/// <c>/sys</c>, read-only mounts and over-long names refuse even root.
/// </summary>
internal static class OutputProbe
{
    /// <summary>
    /// Creates and removes <paramref name="fullPath"/> (if absent) and <paramref name="sideName"/> beside it; throws
    /// <see cref="InvalidInputException"/> for <c>out</c>, naming <paramref name="shown"/>, when the file system refuses.
    /// </summary>
    /// <param name="fullPath">The directory, absolute, not a root.</param>
    /// <param name="sideName">A unique name for a folder next to it (the staging folder's kind of name).</param>
    /// <param name="shown">The path as the user typed it, for the message.</param>
    public static void Check(string fullPath, string sideName, string shown)
    {
        var created = new Stack<string>();
        try
        {
            foreach (var missing in MissingAncestors(fullPath))
            {
                Directory.CreateDirectory(missing);
                created.Push(missing);
            }

            if (!Directory.Exists(fullPath))
            {
                Directory.CreateDirectory(fullPath);
                created.Push(fullPath);
            }

            var side = Path.Combine(Path.GetDirectoryName(fullPath)!, sideName);
            Directory.CreateDirectory(side);
            Directory.Delete(side);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("out", $"cannot write to '{shown}': {ex.Message}");
        }
        finally
        {
            RemoveAll(created);
        }
    }

    /// <summary>The ancestors of <paramref name="fullPath"/> that do not exist, outermost first.</summary>
    private static List<string> MissingAncestors(string fullPath)
    {
        var missing = new List<string>();
        for (var ancestor = Path.GetDirectoryName(fullPath); ancestor is not null && !Directory.Exists(ancestor); ancestor = Path.GetDirectoryName(ancestor))
        {
            missing.Insert(0, ancestor);
        }

        return missing;
    }

    private static void RemoveAll(Stack<string> created)
    {
        while (created.TryPop(out var directory))
        {
            try
            {
                // Not recursive: a folder that another process has put something into meanwhile is not ours to remove.
                Directory.Delete(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return;
            }
        }
    }
}
