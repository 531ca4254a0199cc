namespace Transport.Client.Tests.References;

/// <summary>
/// <c>transport interpolate</c> against truths written here: in 1-D at a small eps the barycentric map is the sorted
/// matching (the exact optimal map for n = m uniform), so x(t) = (1 - t) x_(i) + t y_(i); for weighted clouds the
/// weighted mean moves on the straight line between the clouds' means (sum_i a_i T(x_i) = sum_j b_j y_j at the marginals).
/// </summary>
public sealed class InterpolateCommandTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task In_one_dimension_at_small_eps_the_curve_follows_the_sorted_matching()
    {
        double[] x = [0.31, 0.05, 0.77, 0.52, 0.93, 0.18, 0.64, 0.41];
        double[] y = [2.9, 2.2, 2.45, 2.05, 2.7, 2.35, 2.58, 2.82];

        var run = await Cli.RunAsync("interpolate", "--source", work.Npy("x.npy", x, 8, 1), "--target", work.Npy("y.npy", y, 8, 1), "--epsilon", "1e-4", "--tolerance", "1e-12", "--times", "0,0.5,1", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var path = NpyFiles.ReadFloat64(Path.Combine(work.Out, "interpolation.npy"));
        Assert.Equal([3, 8, 1], path.Shape);
        var sourceRank = Ranks(x);
        var sortedTargets = y.Order().ToArray();
        double[] times = [0, 0.5, 1];
        for (var s = 0; s < 3; s++)
        {
            for (var i = 0; i < 8; i++)
            {
                // Swapping two neighbours costs at least 2 (0.05)(0.08) = 0.008 more, so the plan's other entries are
                // below exp(-0.008 / 1e-4) = e^-80 of the matched ones: 1e-9 is far above what they move the map.
                var expected = ((1 - times[s]) * x[i]) + (times[s] * sortedTargets[sourceRank[i]]);
                Assert.True(Math.Abs(expected - path.Data[(s * 8) + i]) <= 1e-9, $"t = {times[s]}, point {i}: expected {expected:R}, got {path.Data[(s * 8) + i]:R}");
            }
        }

        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        Assert.True(result.GetProperty("converged").GetBoolean());
        Assert.True(File.Exists(Path.Combine(work.Out, "interpolation.png")));
    }

    [Fact]
    public async Task The_weighted_mean_moves_on_the_line_between_the_means()
    {
        const int n = 50, m = 70, d = 3;
        var (x, y, a, b) = Clouds.Make(n, m, d, seed: 9);
        double[] times = [0, 0.2, 0.7, 1];

        var run = await Cli.RunAsync(
            "interpolate", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, m, d),
            "--source-weights", work.Npy("a.npy", a, n), "--target-weights", work.Npy("b.npy", b, m),
            "--epsilon", "0.05", "--tolerance", "1e-10", "--times", "0,0.2,0.7,1", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var path = NpyFiles.ReadFloat64(Path.Combine(work.Out, "interpolation.npy"));
        Assert.Equal([4, n, d], path.Shape);
        var (aSum, bSum) = (a.Sum(), b.Sum());
        for (var s = 0; s < times.Length; s++)
        {
            for (var k = 0; k < d; k++)
            {
                var sourceMean = Enumerable.Range(0, n).Sum(i => a[i] / aSum * x[(i * d) + k]);
                var targetMean = Enumerable.Range(0, m).Sum(j => b[j] / bSum * y[(j * d) + k]);
                var mean = Enumerable.Range(0, n).Sum(i => a[i] / aSum * path.Data[(s * n * d) + (i * d) + k]);
                // The column marginal is met to 1e-10 in L1, and coordinates are below 2: 1e-9 absolute.
                Assert.True(Math.Abs(((1 - times[s]) * sourceMean) + (times[s] * targetMean) - mean) <= 1e-9, $"t = {times[s]}, coordinate {k}");
            }
        }
    }

    [Theory]
    [InlineData(new[] { "--times", "0,1" }, "epsilon: is required")]
    [InlineData(new[] { "--epsilon", "0.1" }, "times: is required")]
    [InlineData(new[] { "--epsilon", "0.1", "--times", "0,2" }, "times: 2 is outside [0, 1]")]
    [InlineData(new[] { "--epsilon", "0.1", "--times", "0,x" }, "times: expected a comma list")]
    [InlineData(new[] { "--epsilon", "-1", "--times", "0,1" }, "epsilon: ")]
    public async Task Bad_input_exits_2_naming_the_field_and_writes_nothing(string[] options, string expected)
    {
        var (x, y, _, _) = Clouds.Make(5, 6, 2, seed: 2);

        var run = await Cli.RunAsync(["interpolate", "--source", work.Npy("x.npy", x, 5, 2), "--target", work.Npy("y.npy", y, 6, 2), .. options, "--out", work.Out]);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains($"error: {expected}", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    private static int[] Ranks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new int[values.Length];
        for (var r = 0; r < order.Length; r++)
        {
            ranks[order[r]] = r;
        }

        return ranks;
    }
}
