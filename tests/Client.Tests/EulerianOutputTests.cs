using System.Globalization;
using Transport.Numerics.IO;

namespace Transport.Client.Tests;

/// <summary>
/// <c>transport flow --eulerian GRID</c> and the <c>eulerian</c> spec key: the files and their shapes, the grid's mass
/// against the particles inside it (counted here from trajectory.npy), the moments against the snapshots, a small
/// continuity residual for a run its velocities move, and bad values refused naming <c>eulerian.FIELD</c>.
/// </summary>
public sealed class EulerianOutputTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_flow_with_eulerian_writes_moments_grids_residual_and_action()
    {
        var spec = work.Bytes("spec.json", System.Text.Encoding.UTF8.GetBytes(
            """{"model": "potential", "lambda": 1, "center": [1, 0], "initial": {"generator": "gaussian", "n": 500, "dim": 2, "seed": 1}, "integrator": "rk4", "step": 0.05, "t_end": 1, "snapshot_every": 5, "shards": 2, "eulerian": {"lower": [-2, -2], "upper": [2, 2], "modes": 10}}"""));

        var run = await Cli.RunAsync("flow", "--spec", spec, "--eulerian", "24", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var (trajectoryShape, trajectory) = NpyFiles.ReadFloat64(Path.Combine(work.Out, "trajectory.npy"));
        var snapshots = trajectoryShape[0];
        var moments = NpyArray.Read(Path.Combine(work.Out, "eulerian_moments.npy"), "moments");
        Assert.Equal([21, 6], moments.Shape);
        var (histogramShape, histogram) = NpyFiles.ReadFloat64(Path.Combine(work.Out, "eulerian_histogram.npy"));
        var (densityShape, _) = NpyFiles.ReadFloat64(Path.Combine(work.Out, "eulerian_density.npy"));
        Assert.Equal([snapshots, 24, 24], histogramShape);
        Assert.Equal(histogramShape, densityShape);
        Assert.Equal([21, 10], NpyArray.Read(Path.Combine(work.Out, "continuity_residual.npy"), "residual").Shape);
        Assert.Equal(snapshots, NpyArray.Read(Path.Combine(work.Out, "eulerian_times.npy"), "times").Data.Length);
        Assert.True(new FileInfo(Path.Combine(work.Out, "density.png")).Length > 1000);

        for (var s = 0; s < snapshots; s++)
        {
            // Row 5 s is snapshot s: the mean is the snapshot's, the grid holds the mass of the particles inside it.
            var positions = trajectory.AsSpan(s * 500 * 2, 500 * 2).ToArray();
            Assert.Equal(Enumerable.Range(0, 500).Average(i => positions[2 * i]), moments.Data[(5 * s * 6) + 1], 12);
            var inside = Enumerable.Range(0, 500).Count(i => Math.Abs(positions[2 * i]) < 2 && Math.Abs(positions[(2 * i) + 1]) < 2) / 500.0;
            Assert.Equal(inside, histogram.AsSpan(s * 576, 576).ToArray().Sum(), 12);
        }

        var summary = Cli.ReadJson(Path.Combine(work.Out, "summary.json"));
        var eulerian = summary.GetProperty("eulerian");
        Assert.Equal(24, eulerian.GetProperty("grid").GetInt32());
        Assert.True(eulerian.GetProperty("continuity_residual").GetDouble() < 1e-2, eulerian.GetRawText());
        // v = -(x - c) with c = (1, 0): sum a |v|^2 = K0 e^{-2t}, so the action to t = 1 is K0 (1 - e^-2) / 2; the
        // trapezoid rule over h = 0.05 errs by about h^2 / 3 relative (8e-4).
        var start = trajectory.AsSpan(0, 500 * 2).ToArray();
        var k0 = Enumerable.Range(0, 500).Average(i => Math.Pow(start[2 * i] - 1, 2) + Math.Pow(start[(2 * i) + 1], 2));
        Cli.AssertClose(k0 * (1 - Math.Exp(-2)) / 2, summary.GetProperty("action").GetDouble(), 2e-3, 0, "action");
        var header = File.ReadLines(Path.Combine(work.Out, "diagnostics.csv")).First().Split(',');
        Assert.Equal("continuity_residual", header[^1]);
        var last = File.ReadLines(Path.Combine(work.Out, "diagnostics.csv")).Last().Split(',');
        Assert.True(double.Parse(last[^1], CultureInfo.InvariantCulture) < 1e-2);
    }

    [Theory]
    [InlineData("""{"grid": 1}""", "eulerian.grid")]
    [InlineData("""{"axes": [0, 0]}""", "eulerian.axes")]
    [InlineData("""{"lower": [0, 0]}""", "eulerian.upper")]
    [InlineData("""{"lower": [1, 0], "upper": [0, 1]}""", "eulerian.upper")]
    [InlineData("""{"modes": 0}""", "eulerian.modes")]
    [InlineData("""{"bandwidth": -1}""", "eulerian.bandwidth")]
    [InlineData("""{"grdi": 8}""", "eulerian.grdi")]
    public async Task Bad_eulerian_settings_exit_2_naming_the_field(string eulerian, string field)
    {
        var spec = work.Bytes("spec.json", System.Text.Encoding.UTF8.GetBytes(
            $$"""{"model": "potential", "initial": {"generator": "gaussian", "n": 20, "dim": 2}, "step": 0.1, "t_end": 1, "eulerian": {{eulerian}}}"""));

        var run = await Cli.RunAsync("flow", "--spec", spec, "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains($"error: {field}", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }
}
