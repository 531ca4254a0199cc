using System.Runtime.Versioning;
using Transport.Numerics;

namespace Transport.Client.Tests;

/// <summary>
/// The <c>--out</c> folder on its own: checked (writable, empty or <c>--force</c>) before any work, written through a
/// staging folder and swapped in whole, so it ends up holding exactly the new outputs or exactly what it held before.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class OutputDirectoryTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose()
    {
        // A test may have made a folder read-only; the workspace must still be removable.
        foreach (var directory in Directory.EnumerateDirectories(work.Root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        work.Dispose();
    }

    [Fact]
    public void Commit_into_a_new_directory_moves_everything_at_once()
    {
        var output = OutputDirectory.Validate(Path.Combine(work.Root, "a", "b", "out"), force: false);
        output.Commit(staging => File.WriteAllText(Path.Combine(staging, "x.txt"), "x"));
        Assert.Equal("x", File.ReadAllText(Path.Combine(output.FullPath, "x.txt")));
        Assert.Equal(["out"], Entries(Path.Combine(work.Root, "a", "b")));
    }

    [Fact]
    public void Validating_leaves_nothing_behind_not_even_the_parents_it_probed()
    {
        var output = OutputDirectory.Validate(Path.Combine(work.Root, "a", "b", "out"), force: false);
        Assert.Equal(Path.Combine(work.Root, "a", "b", "out"), output.FullPath);
        Assert.Equal(["in"], Entries(work.Root));
    }

    [Fact]
    public void An_existing_non_empty_folder_without_force_is_rejected_naming_out_and_force_and_left_untouched()
    {
        WriteOld();
        var ex = Assert.Throws<InvalidInputException>(() => OutputDirectory.Validate(work.Out, force: false));
        Assert.Equal("out", ex.Field);
        Assert.Contains(work.Out, ex.Message, StringComparison.Ordinal);
        Assert.Contains("--force", ex.Message, StringComparison.Ordinal);
        AssertOld();
    }

    [Fact]
    public void With_force_an_existing_folder_is_replaced_whole_and_no_stale_file_stays()
    {
        WriteOld();
        var output = OutputDirectory.Validate(work.Out, force: true);
        AssertOld();
        output.Commit(staging => File.WriteAllText(Path.Combine(staging, "x.txt"), "new"));
        Assert.Equal(["x.txt"], Entries(work.Out));
        Assert.Equal("new", File.ReadAllText(Path.Combine(work.Out, "x.txt")));
        Assert.Equal(["in", "out"], Entries(work.Root));
    }

    [Fact]
    public void An_empty_existing_folder_is_used_without_force()
    {
        Directory.CreateDirectory(work.Out);
        OutputDirectory.Validate(work.Out, force: false).Commit(staging => File.WriteAllText(Path.Combine(staging, "x.txt"), "x"));
        Assert.Equal(["x.txt"], Entries(work.Out));
        Assert.Equal(["in", "out"], Entries(work.Root));
    }

    [Fact]
    public void A_failed_commit_leaves_nothing_behind()
    {
        var output = OutputDirectory.Validate(work.Out, force: false);
        Assert.Throws<IOException>(() => output.Commit(staging =>
        {
            File.WriteAllText(Path.Combine(staging, "partial.txt"), "half");
            throw new IOException("disk full");
        }));
        work.AssertNoOutput();
    }

    [Fact]
    public void A_failure_while_writing_leaves_the_old_folder_intact()
    {
        WriteOld();
        var output = OutputDirectory.Validate(work.Out, force: true);
        Assert.Throws<IOException>(() => output.Commit(staging =>
        {
            File.WriteAllText(Path.Combine(staging, "x.txt"), "new");
            throw new IOException("disk full");
        }));
        AssertOld();
        Assert.Equal(["in", "out"], Entries(work.Root));
    }

    [Fact]
    public void A_failed_rename_into_place_restores_the_old_folder()
    {
        WriteOld();
        var output = OutputDirectory.Validate(work.Out, force: true);
        var moves = new List<(string From, string To)>();
        var ex = Assert.Throws<IOException>(() => output.Commit(
            staging => File.WriteAllText(Path.Combine(staging, "x.txt"), "new"),
            (from, to) =>
            {
                moves.Add((from, to));

                // The old folder has been renamed aside; the staging folder cannot take its place.
                if (Path.GetFileName(from).Contains(".tmp-", StringComparison.Ordinal))
                {
                    throw new IOException("injected: rename refused");
                }

                Directory.Move(from, to);
            }));
        Assert.Contains("injected", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, moves.Count);
        Assert.Equal(work.Out, moves[0].From);
        Assert.Equal((moves[0].To, work.Out), moves[2]);
        AssertOld();
        Assert.Equal(["in", "out"], Entries(work.Root));
    }

    [Fact]
    public void Out_under_a_file_is_rejected()
    {
        var file = work.Path2("file");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<InvalidInputException>(() => OutputDirectory.Validate(Path.Combine(file, "out"), force: false));
        Assert.Equal("out", ex.Field);
    }

    [Fact]
    public void An_unwritable_parent_is_rejected_naming_out_and_the_path()
    {
        var parent = Path.Combine(work.Root, "read-only");
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        // Root (or CAP_DAC_OVERRIDE) writes through permission bits: /proc refuses even root.
        var path = WritesIgnorePermissions(parent) ? "/proc/transport-out" : Path.Combine(parent, "out");
        var ex = Assert.Throws<InvalidInputException>(() => OutputDirectory.Validate(path, force: true));
        Assert.Equal("out", ex.Field);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Entries(parent));
    }

    [Theory]
    [InlineData("/proc/transport-out")]
    [InlineData("/proc/self/transport-out")]
    [InlineData("/sys/transport-out")]
    public void Paths_that_refuse_even_root_are_rejected(string path)
    {
        var ex = Assert.Throws<InvalidInputException>(() => OutputDirectory.Validate(path, force: false));
        Assert.Equal("out", ex.Field);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_300_character_name_is_rejected_and_a_long_valid_name_works()
    {
        var tooLong = Path.Combine(work.Root, new string('n', 300));
        var ex = Assert.Throws<InvalidInputException>(() => OutputDirectory.Validate(tooLong, force: false));
        Assert.Equal("out", ex.Field);
        Assert.Contains(tooLong, ex.Message, StringComparison.Ordinal);

        // 250 bytes fit the usual 255-byte limit; the staging folder beside it must fit too.
        var longName = Path.Combine(work.Root, new string('l', 250));
        OutputDirectory.Validate(longName, force: false).Commit(staging => File.WriteAllText(Path.Combine(staging, "x.txt"), "x"));
        Assert.True(File.Exists(Path.Combine(longName, "x.txt")));
        Assert.Equal(["in", new string('l', 250)], Entries(work.Root));
    }

    private void WriteOld()
    {
        Directory.CreateDirectory(Path.Combine(work.Out, "sub"));
        File.WriteAllText(Path.Combine(work.Out, "x.txt"), "old");
        File.WriteAllText(Path.Combine(work.Out, "stale.txt"), "stale");
        File.WriteAllText(Path.Combine(work.Out, "sub", "y.txt"), "old y");
    }

    private void AssertOld()
    {
        Assert.Equal(["stale.txt", "sub", "x.txt"], Entries(work.Out));
        Assert.Equal("old", File.ReadAllText(Path.Combine(work.Out, "x.txt")));
        Assert.Equal("stale", File.ReadAllText(Path.Combine(work.Out, "stale.txt")));
        Assert.Equal("old y", File.ReadAllText(Path.Combine(work.Out, "sub", "y.txt")));
    }

    private static string[] Entries(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(entry => Path.GetFileName(entry)).Order(StringComparer.Ordinal)];

    private static bool WritesIgnorePermissions(string readOnly)
    {
        var probe = Path.Combine(readOnly, "probe");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
