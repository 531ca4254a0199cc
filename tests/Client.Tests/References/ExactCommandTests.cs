using Transport.Numerics.IO;
using Transport.Numerics.Transport;

namespace Transport.Client.Tests.References;

/// <summary>
/// <c>transport exact</c> against truths written here: for small uniform clouds, the minimum over every permutation
/// (Birkhoff: a permutation is optimal); for weighted one-dimensional clouds, the dense Sinkhorn solver at a small eps,
/// whose transport cost tends to the exact one (a different algorithm); and the plan's marginals.
/// </summary>
public sealed class ExactCommandTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Uniform_clouds_of_equal_size_cost_the_best_permutation(int d)
    {
        const int n = 7;
        var (x, y, _, _) = Clouds.Make(n, n, d, seed: 31 + d);
        var (best, bestPermutation) = BruteForce(x, y, n, d);

        var run = await Cli.RunAsync("exact", "--source", work.Npy("x.npy", x, n, d), "--target", work.Npy("y.npy", y, n, d), "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        // The sorted matching and the assignment add the same n squared distances as the brute force, in another order.
        Cli.AssertClose(best, result.GetProperty("cost").GetDouble(), 1e-12, 0, "cost");
        Assert.Equal(d == 1 ? "sorting" : "assignment", result.GetProperty("method").GetString());
        var map = NpyArray.Read(Path.Combine(work.Out, "map.npy"), "map").Data;
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < d; k++)
            {
                Assert.Equal(y[(bestPermutation[i] * d) + k], map[(i * d) + k], 12);
            }
        }

        if (d > 1)
        {
            Assert.Equal(bestPermutation, ReadInt64(Path.Combine(work.Out, "assignment.npy")).Select(v => (int)v).ToArray());
        }
    }

    [Fact]
    public async Task Weighted_one_dimensional_clouds_match_sinkhorn_at_small_eps_and_the_plan_has_the_marginals()
    {
        const int n = 9, m = 13;
        var (x, y, a, b) = Clouds.Make(n, m, 1, seed: 5);

        var run = await Cli.RunAsync(
            "exact", "--source", work.Npy("x.npy", x, n, 1), "--target", work.Npy("y.npy", y, m, 1),
            "--source-weights", work.Npy("a.npy", a, n), "--target-weights", work.Npy("b.npy", b, m), "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var cost = Cli.ReadJson(Path.Combine(work.Out, "result.json")).GetProperty("cost").GetDouble();
        var (aSum, bSum) = (a.Sum(), b.Sum());
        var source = Transport.Numerics.Geometry.PointCloud.Create(x, n, 1, a, "source", "source-weights");
        var target = Transport.Numerics.Geometry.PointCloud.Create(y, m, 1, b, "target", "target-weights");
        var sinkhorn = SinkhornSolver.Solve(new SinkhornProblem(source, target), new SinkhornOptions { Epsilon = 1e-5, Tolerance = 1e-10, MaxIterations = 200_000 });
        // <C, P_eps> - OT_0 = O(eps log(1/eps)) at most, about 1e-4 of this cost (0.07); measured: 4e-11 relative, the
        // plan being nearly a vertex of the polytope at eps = 1e-5. The Sinkhorn plan meets its marginals to 1e-10 (L1),
        // so its cost may undercut the exact one by up to 1e-10 x the largest cost (about 6).
        Assert.True(sinkhorn.Converged);
        Cli.AssertClose(sinkhorn.TransportCost, cost, 1e-6, 0, "cost against Sinkhorn at eps 1e-5");
        Assert.True(cost <= sinkhorn.TransportCost + 1e-9, $"the exact cost {cost:R} exceeds a near-feasible plan's {sinkhorn.TransportCost:R}");

        var rows = ReadInt64(Path.Combine(work.Out, "plan_rows.npy"));
        var columns = ReadInt64(Path.Combine(work.Out, "plan_cols.npy"));
        var values = NpyArray.Read(Path.Combine(work.Out, "plan_values.npy"), "plan").Data;
        Assert.True(values.Length <= n + m - 1, $"{values.Length} entries: a monotone plan has at most n + m - 1");
        var planCost = 0.0;
        var rowSums = new double[n];
        var columnSums = new double[m];
        for (var k = 0; k < values.Length; k++)
        {
            rowSums[rows[k]] += values[k];
            columnSums[columns[k]] += values[k];
            planCost += values[k] * (x[rows[k]] - y[columns[k]]) * (x[rows[k]] - y[columns[k]]);
        }

        Cli.AssertClose(cost, planCost, 1e-12, 0, "the plan's cost");
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(a[i] / aSum, rowSums[i], 12);
        }

        for (var j = 0; j < m; j++)
        {
            Assert.Equal(b[j] / bSum, columnSums[j], 12);
        }
    }

    [Fact]
    public async Task Bad_input_exits_2_naming_the_field_and_writes_nothing()
    {
        var (x, y, a, _) = Clouds.Make(6, 7, 2, seed: 3);
        var x2 = work.Npy("x.npy", x, 6, 2);
        var y2 = work.Npy("y.npy", y, 7, 2);
        var y6 = work.Npy("y6.npy", y[..12], 6, 2);
        var y1 = work.Npy("y1.npy", y[..6], 6, 1);
        var weights = work.Npy("a.npy", a, 6);
        var nan = work.Npy("nan.npy", [.. x[..11], double.NaN], 6, 2);

        await AssertRefused("target: exact transport in d = 2 is an assignment", "--source", x2, "--target", y2);
        await AssertRefused("source-weights: weight 1 is", "--source", x2, "--target", y6, "--source-weights", weights);
        await AssertRefused("target: has dimension 1", "--source", x2, "--target", y1);
        await AssertRefused("source: ", "--source", nan, "--target", y6);
        await AssertRefused("source: is required", "--target", y6);
        await AssertRefused("out: is required", "--source", x2, "--target", y6, "--out");
    }

    private async Task AssertRefused(string expected, params string[] args)
    {
        string[] arguments = args[^1] == "--out" ? ["exact", .. args[..^1]] : ["exact", .. args, "--out", work.Out];
        var run = await Cli.RunAsync(arguments);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains($"error: {expected}", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    /// <summary>min over all n! permutations of (1/n) sum_i |x_i - y_p(i)|^2, by Heap's algorithm.</summary>
    private static (double Cost, int[] Permutation) BruteForce(double[] x, double[] y, int n, int d)
    {
        var permutation = Enumerable.Range(0, n).ToArray();
        var best = double.PositiveInfinity;
        var bestPermutation = permutation.ToArray();
        var counters = new int[n];

        void Consider()
        {
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < d; k++)
                {
                    var diff = x[(i * d) + k] - y[(permutation[i] * d) + k];
                    total += diff * diff;
                }
            }

            if (total / n < best)
            {
                best = total / n;
                bestPermutation = permutation.ToArray();
            }
        }

        Consider();
        var index = 0;
        while (index < n)
        {
            if (counters[index] < index)
            {
                var swap = index % 2 == 0 ? 0 : counters[index];
                (permutation[swap], permutation[index]) = (permutation[index], permutation[swap]);
                Consider();
                counters[index]++;
                index = 0;
            }
            else
            {
                counters[index] = 0;
                index++;
            }
        }

        return (best, bestPermutation);
    }

    private static long[] ReadInt64(string path) => NpyFiles.ReadInt64(path).Data;
}
