using Transport.Numerics.IO;

namespace Transport.Client.Tests;

/// <summary>
/// <c>sinkhorn --plan-topk</c> and <c>--plan-threshold</c> against the plan written here from the run's own f.npy and
/// g.npy (P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps), the convention of the Conventions section), whose rows meet the
/// source weights; plan.png and convergence.png are written; bad values and --detach exit 2 before anything runs.
/// </summary>
public sealed class SinkhornPlanOptionTests : IDisposable
{
    private const int N = 30;
    private const int M = 45;
    private const int Dim = 2;
    private const double Epsilon = 0.05;

    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Plan_entries_equal_the_dense_plan_from_the_written_potentials()
    {
        var (x, y, a, b) = Clouds.Make(N, M, Dim, seed: 12);
        var run = await Cli.RunAsync(
            "sinkhorn", "--source", work.Npy("x.npy", x, N, Dim), "--target", work.Npy("y.npy", y, M, Dim),
            "--source-weights", work.Npy("a.npy", a, N), "--target-weights", work.Npy("b.npy", b, M),
            "--epsilon", "0.05", "--tolerance", "1e-9", "--shards", "2", "--plan-topk", "5", "--plan-threshold", "1e-4", "--quiet", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var f = NpyArray.Read(Path.Combine(work.Out, "f.npy"), "f").Data;
        var g = NpyArray.Read(Path.Combine(work.Out, "g.npy"), "g").Data;
        var (aSum, bSum) = (a.Sum(), b.Sum());
        var plan = new double[N, M];
        for (var i = 0; i < N; i++)
        {
            var row = 0.0;
            for (var j = 0; j < M; j++)
            {
                var c = 0.0;
                for (var k = 0; k < Dim; k++)
                {
                    c += (x[(i * Dim) + k] - y[(j * Dim) + k]) * (x[(i * Dim) + k] - y[(j * Dim) + k]);
                }

                plan[i, j] = a[i] / aSum * (b[j] / bSum) * Math.Exp((f[i] + g[j] - c) / Epsilon);
                row += plan[i, j];
            }

            // The potentials meet the row marginal (f is the last update): the formula is the solver's convention.
            Cli.AssertClose(a[i] / aSum, row, 1e-9, 0, $"row {i} of the plan");
        }

        var indices = ReadInt64(Path.Combine(work.Out, "plan_topk_indices.npy"), out var shape);
        var masses = NpyArray.Read(Path.Combine(work.Out, "plan_topk_masses.npy"), "masses");
        Assert.Equal("(30, 5)", shape);
        Assert.Equal([N, 5], masses.Shape);
        for (var i = 0; i < N; i++)
        {
            var expected = Enumerable.Range(0, M).OrderByDescending(j => plan[i, j]).ThenBy(j => j).Take(5).ToArray();
            for (var r = 0; r < 5; r++)
            {
                Assert.Equal(expected[r], indices[(i * 5) + r]);
                Cli.AssertClose(plan[i, expected[r]], masses.Data[(i * 5) + r], 1e-12, 0, $"top-k mass [{i}, {r}]");
            }
        }

        var rows = ReadInt64(Path.Combine(work.Out, "plan_rows.npy"), out _);
        var columns = ReadInt64(Path.Combine(work.Out, "plan_cols.npy"), out _);
        var values = NpyArray.Read(Path.Combine(work.Out, "plan_values.npy"), "values").Data;
        var above = new List<(long, long)>();
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                if (plan[i, j] > 1e-4)
                {
                    above.Add((i, j));
                }
            }
        }

        Assert.Equal(above, rows.Zip(columns).ToList());
        for (var k = 0; k < values.Length; k++)
        {
            Cli.AssertClose(plan[rows[k], columns[k]], values[k], 1e-12, 0, $"threshold mass {k}");
        }

        foreach (var png in new[] { "plan.png", "convergence.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(work.Out, png));
            Assert.True(bytes.Length > 1000 && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), $"{png} is not a PNG");
        }
    }

    [Theory]
    [InlineData("--plan-topk", "0", "plan-topk: must be at least 1")]
    [InlineData("--plan-topk", "3000", "plan-topk: 3000 entries for each of 4000 source points are 12000000, above the limit of 10000000")]
    [InlineData("--plan-threshold", "1e-8", "plan-threshold: must be a finite mass of at least 1E-07")]
    [InlineData("--plan-threshold", "NaN", "plan-threshold: ")]
    public async Task Bad_plan_options_exit_2_naming_them_before_anything_runs(string option, string value, string expected)
    {
        // Clouds large enough for a top-k over the entry limit; every case is refused before a solve.
        var (x, y, _, _) = Clouds.Make(4000, 3000, Dim, seed: 1);
        var run = await Cli.RunAsync("sinkhorn", "--source", work.Npy("x.npy", x, 4000, Dim), "--target", work.Npy("y.npy", y, 3000, Dim), "--epsilon", "0.05", option, value, "--out", work.Out);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains($"error: {expected}", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task Plan_options_with_detach_exit_2_they_need_a_run_the_console_waits_for()
    {
        var (x, y, _, _) = Clouds.Make(N, M, Dim, seed: 2);

        // The cluster is never contacted: the options are refused first.
        var run = await Cli.RunAsync("sinkhorn", "--source", work.Npy("x.npy", x, N, Dim), "--target", work.Npy("y.npy", y, M, Dim), "--epsilon", "0.05", "--plan-topk", "3", "--detach", "--cluster", "127.0.0.1:1");

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains("error: plan-topk: is written by a run the console waits for, not with --detach", run.Stderr, StringComparison.Ordinal);
    }

    private static long[] ReadInt64(string path, out string shape)
    {
        var (dimensions, data) = NpyFiles.ReadInt64(path);
        shape = $"({string.Join(", ", dimensions)})";
        return data;
    }
}
