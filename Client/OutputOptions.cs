using System.CommandLine;

namespace Transport.Client;

/// <summary>The option that goes with every <c>--out</c>, worded once for all commands.</summary>
internal static class OutputOptions
{
    /// <summary><c>--force</c>: replace a non-empty <c>--out</c> folder whole (see <see cref="OutputDirectory"/>).</summary>
    public static Option<bool> Force() => new("--force")
    {
        Description = "Replace an existing non-empty --out folder: the whole folder is swapped for the new outputs once the run has succeeded (without it such a folder is an error)",
    };
}
