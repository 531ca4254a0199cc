using System.Text.RegularExpressions;

namespace Transport.Client.Tests;

/// <summary>
/// <c>transport gallery --quick</c> end to end: every run succeeds, index.html has a section per run whose figures exist,
/// each flow's specification is kept beside its outputs, and an unknown <c>--only</c> entry exits 2 before anything runs.
/// </summary>
public sealed partial class GalleryCommandTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task The_quick_gallery_writes_every_run_and_an_index_whose_figures_exist()
    {
        var run = await Cli.RunAsync("gallery", "--quick", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var index = await File.ReadAllTextAsync(Path.Combine(work.Out, "index.html"));
        string[] sections = ["sampling-independent", "sampling-ot", "sinkhorn-flow", "mmd-flow", "attention-circle", "attention-sphere", "mean-field-network", "same-density", "same-density-rotated"];
        foreach (var section in sections)
        {
            Assert.Contains($"<h2 id=\"{section}\">", index, StringComparison.Ordinal);
            Assert.True(Directory.Exists(Path.Combine(work.Out, section)), section);
        }

        var images = ImageSource().Matches(index).Select(m => m.Groups[1].Value).ToArray();
        Assert.True(images.Length >= 2 * sections.Length, $"{images.Length} figures");
        Assert.All(images, image => Assert.True(new FileInfo(Path.Combine(work.Out, image)).Length > 1000, image));
        Assert.Contains("clusters.png", images.Where(i => i.StartsWith("attention-circle/", StringComparison.Ordinal)).Select(Path.GetFileName));
        Assert.Contains("density.png", images.Where(i => i.StartsWith("same-density/", StringComparison.Ordinal)).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(work.Out, "sinkhorn-flow", "spec.json")));
        Assert.True(File.Exists(Path.Combine(work.Out, "sampling-ot", "metrics.json")));
    }

    [Fact]
    public async Task An_unknown_entry_exits_2_naming_only_and_runs_nothing()
    {
        var run = await Cli.RunAsync("gallery", "--only", "sinkhorn-flow,teleport", "--out", work.Out);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: only: unknown entry 'teleport'", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
