using System.Globalization;

namespace Transport.Client.Tests;

/// <summary>
/// Token models write their cluster count and minimum pairwise inner product: diagnostics.csv columns <c>clusters</c> and
/// <c>min_inner_product</c> for every step with a snapshot, the final values and the threshold in summary.json, and
/// clusters.png. The values are checked against a brute-force single linkage (union-find over every pair, angles by
/// acos) and a double loop over the snapshots in trajectory.npy, written here.
/// </summary>
public sealed class TokenClusterOutputTests : IDisposable
{
    private const double Angle = 0.05;

    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Attention_runs_report_clusters_and_the_minimum_inner_product_of_every_snapshot(int d)
    {
        var spec = work.Bytes("spec.json", System.Text.Encoding.UTF8.GetBytes(
            $$"""{"model": "attention-sphere", "variant": "SA", "beta": 9, "initial": {"generator": "uniform-sphere", "n": 48, "dim": {{d}}, "seed": 3}, "integrator": "rk4", "step": 0.1, "t_end": 6, "snapshot_every": 2, "shards": 2, "cluster_angle": {{Angle}}}"""));

        var run = await Cli.RunAsync("flow", "--spec", spec, "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var (shape, trajectory) = NpyFiles.ReadFloat64(Path.Combine(work.Out, "trajectory.npy"));
        var (snapshots, n) = (shape[0], shape[1]);
        var lines = File.ReadAllLines(Path.Combine(work.Out, "diagnostics.csv"));
        var header = lines[0].Split(',');
        var (clustersColumn, minColumn) = (Array.IndexOf(header, "clusters"), Array.IndexOf(header, "min_inner_product"));
        Assert.True(clustersColumn > 0 && minColumn > 0, lines[0]);
        var measured = 0;
        int? first = null, last = null;
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            var step = long.Parse(cells[0], CultureInfo.InvariantCulture);
            if (step % 2 != 0)
            {
                // No snapshot at odd steps.
                Assert.Equal("NaN", cells[clustersColumn]);
                Assert.Equal("NaN", cells[minColumn]);
                continue;
            }

            var positions = trajectory.AsSpan((int)(step / 2) * n * d, n * d).ToArray();
            var clusters = int.Parse(cells[clustersColumn], CultureInfo.InvariantCulture);
            Assert.Equal(BruteForceClusters(positions, n, d, Angle), clusters);
            Assert.Equal(BruteForceMinInnerProduct(positions, n, d), double.Parse(cells[minColumn], CultureInfo.InvariantCulture), 12);
            first ??= clusters;
            last = clusters;
            measured++;
        }

        Assert.Equal(snapshots, measured);
        // Attention at beta = 9 gathers the tokens: fewer clusters at the end than at the start.
        Assert.True(last < first, $"clusters went from {first} to {last}");
        var summary = Cli.ReadJson(Path.Combine(work.Out, "summary.json"));
        Assert.Equal(Angle, summary.GetProperty("cluster_angle").GetDouble());
        Assert.Equal(last, summary.GetProperty("clusters").GetInt32());
        var finalPositions = trajectory.AsSpan((snapshots - 1) * n * d, n * d).ToArray();
        Assert.Equal(BruteForceMinInnerProduct(finalPositions, n, d), summary.GetProperty("min_inner_product").GetDouble(), 12);
        Assert.True(new FileInfo(Path.Combine(work.Out, "clusters.png")).Length > 1000);
    }

    [Fact]
    public async Task Models_that_are_not_token_models_write_no_cluster_columns()
    {
        var run = await Cli.RunAsync("flow", "--demo", "sinkhorn-flow", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.DoesNotContain("clusters", File.ReadLines(Path.Combine(work.Out, "diagnostics.csv")).First(), StringComparison.Ordinal);
        Assert.False(Cli.ReadJson(Path.Combine(work.Out, "summary.json")).TryGetProperty("clusters", out _));
        Assert.False(File.Exists(Path.Combine(work.Out, "clusters.png")));
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("4")]
    public async Task A_cluster_angle_outside_0_to_pi_exits_2_naming_it(string angle)
    {
        var spec = work.Bytes("spec.json", System.Text.Encoding.UTF8.GetBytes(
            $$"""{"model": "attention-sphere", "beta": 1, "initial": {"generator": "uniform-sphere", "n": 8, "dim": 3}, "step": 0.1, "t_end": 1, "cluster_angle": {{angle}}}"""));

        var run = await Cli.RunAsync("flow", "--spec", spec, "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains("cluster_angle", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    /// <summary>Connected components of the graph linking tokens whose angle is at most <paramref name="angle"/>.</summary>
    private static int BruteForceClusters(double[] x, int n, int d, double angle)
    {
        var label = Enumerable.Range(0, n).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    if (label[j] < label[i] && Angle2(x, i, j, d) <= angle)
                    {
                        label[i] = label[j];
                        changed = true;
                    }
                }
            }
        }

        return label.Distinct().Count();
    }

    private static double Angle2(double[] x, int i, int j, int d)
    {
        double dot = 0, ni = 0, nj = 0;
        for (var k = 0; k < d; k++)
        {
            dot += x[(i * d) + k] * x[(j * d) + k];
            ni += x[(i * d) + k] * x[(i * d) + k];
            nj += x[(j * d) + k] * x[(j * d) + k];
        }

        return Math.Acos(Math.Clamp(dot / Math.Sqrt(ni * nj), -1, 1));
    }

    private static double BruteForceMinInnerProduct(double[] x, int n, int d)
    {
        var min = double.PositiveInfinity;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var dot = 0.0;
                for (var k = 0; k < d; k++)
                {
                    dot += x[(i * d) + k] * x[(j * d) + k];
                }

                min = Math.Min(min, dot);
            }
        }

        return min;
    }
}
