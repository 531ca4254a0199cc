using System.Globalization;
using System.Text.Json;

namespace Transport.Client.Tests.References;

/// <summary>
/// <c>transport w2</c> against closed forms written here, independently of the library: for diagonal covariances every
/// quantity splits into one-dimensional ones (W2^2 = |m0 - m1|^2 + sum (sqrt a_k - sqrt b_k)^2, the Brenier map
/// diag(sqrt(b_k / a_k)), McCann's covariance diag(((1 - t) sqrt a_k + t sqrt b_k)^2)), and the entropic cost is Janati et
/// al.'s (NeurIPS 2020) formula in its own parametrisation (sigma^2 = eps / 2, D = (4 a b + sigma^4)^{1/2}); a rotated
/// pair checks that nothing assumes diagonal covariances (W2 is invariant under a common rotation).
/// </summary>
public sealed class W2CommandTests : IDisposable
{
    // Closed forms in float64 through eigen decompositions of 2 x 2 matrices: agreement to 1e-12 relative.
    private const double Tolerance = 1e-12;

    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Diagonal_gaussians_give_the_one_dimensional_closed_forms()
    {
        double[] m0 = [0.5, -1], m1 = [1.5, 2], a = [1, 4], b = [9, 0.25];
        var source = Gaussian("g0.json", m0, Diagonal(a));
        var target = Gaussian("g1.json", m1, Diagonal(b));

        var run = await Cli.RunAsync("w2", "--source", source, "--target", target, "--times", "0,0.3,1", "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        var meanTerm = Square(m0[0] - m1[0]) + Square(m0[1] - m1[1]);
        var bures = Square(Math.Sqrt(a[0]) - Math.Sqrt(b[0])) + Square(Math.Sqrt(a[1]) - Math.Sqrt(b[1]));
        Cli.AssertClose(meanTerm, result.GetProperty("mean_term").GetDouble(), Tolerance, 1, "mean_term");
        Cli.AssertClose(bures, result.GetProperty("bures_squared").GetDouble(), Tolerance, 1, "bures_squared");
        Cli.AssertClose(meanTerm + bures, result.GetProperty("w2_squared").GetDouble(), Tolerance, 1, "w2_squared");
        Cli.AssertClose(Math.Sqrt(meanTerm + bures), result.GetProperty("w2").GetDouble(), Tolerance, 1, "w2");

        var map = result.GetProperty("brenier_map");
        var matrix = Matrix(map.GetProperty("matrix"));
        var offset = Vector(map.GetProperty("offset"));
        for (var k = 0; k < 2; k++)
        {
            var slope = Math.Sqrt(b[k] / a[k]);
            Cli.AssertClose(slope, matrix[k, k], Tolerance, 1, $"brenier_map.matrix[{k},{k}]");
            Cli.AssertClose(0, matrix[k, 1 - k], 1, Tolerance, $"brenier_map.matrix[{k},{1 - k}]");
            Cli.AssertClose(m1[k] - (slope * m0[k]), offset[k], Tolerance, 1, $"brenier_map.offset[{k}]");
        }

        var mccann = result.GetProperty("mccann");
        Assert.Equal(3, mccann.GetArrayLength());
        foreach (var point in mccann.EnumerateArray())
        {
            var t = point.GetProperty("t").GetDouble();
            var mean = Vector(point.GetProperty("mean"));
            var covariance = Matrix(point.GetProperty("covariance"));
            for (var k = 0; k < 2; k++)
            {
                Cli.AssertClose(((1 - t) * m0[k]) + (t * m1[k]), mean[k], Tolerance, 1, $"mccann t={t} mean[{k}]");
                Cli.AssertClose(Square(((1 - t) * Math.Sqrt(a[k])) + (t * Math.Sqrt(b[k]))), covariance[k, k], Tolerance, 1, $"mccann t={t} covariance[{k},{k}]");
            }
        }

        Assert.Equal(JsonValueKind.Null, result.GetProperty("entropic_ot").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("epsilon").ValueKind);
    }

    [Theory]
    [InlineData("sqeuclidean", 0.1)]
    [InlineData("sqeuclidean", 2.0)]
    [InlineData("half-sqeuclidean", 0.1)]
    public async Task Entropic_fields_match_the_janati_closed_form_in_the_sinkhorn_convention(string cost, double epsilon)
    {
        double[] m0 = [0.5, -1], m1 = [1.5, 2], a = [1, 4], b = [9, 0.25];
        var source = Gaussian("g0.json", m0, Diagonal(a));
        var target = Gaussian("g1.json", m1, Diagonal(b));

        var run = await Cli.RunAsync("w2", "--source", source, "--target", target, "--epsilon", epsilon.ToString("R", CultureInfo.InvariantCulture), "--cost", cost, "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        // c = s |x - y|^2 with eps: s times the |x - y|^2 problem at eps / s.
        var scale = cost == "half-sqeuclidean" ? 0.5 : 1.0;
        var ot = scale * Janati(m0, a, m1, b, epsilon / scale);
        var divergence = ot - (0.5 * scale * Janati(m0, a, m0, a, epsilon / scale)) - (0.5 * scale * Janati(m1, b, m1, b, epsilon / scale));
        Cli.AssertClose(ot, result.GetProperty("entropic_ot").GetDouble(), 1e-10, 1, "entropic_ot");
        Cli.AssertClose(divergence, result.GetProperty("entropic_divergence").GetDouble(), 1e-10, 1, "entropic_divergence");
        Assert.Equal(epsilon, result.GetProperty("epsilon").GetDouble());
        Assert.Equal(cost, result.GetProperty("cost_function").GetString());
        // The entropic barycentric map per coordinate: slope K / a with Janati's cross-covariance K = (D - sigma^2) / 2,
        // D = (4 a b + sigma^4)^{1/2}, sigma^2 = eps' / 2 (eps' the |x - y|^2 eps); below the Brenier slope sqrt(b / a).
        var map = result.GetProperty("entropic_map");
        var slope = Matrix(map.GetProperty("matrix"));
        var offset = Vector(map.GetProperty("offset"));
        var sigma2 = epsilon / scale / 2;
        for (var k = 0; k < 2; k++)
        {
            var expected = (Math.Sqrt((4 * a[k] * b[k]) + (sigma2 * sigma2)) - sigma2) / 2 / a[k];
            Cli.AssertClose(expected, slope[k, k], 1e-10, 1, $"entropic_map.matrix[{k},{k}]");
            Cli.AssertClose(0, slope[k, 1 - k], 1, 1e-10, $"entropic_map.matrix[{k},{1 - k}]");
            Cli.AssertClose(m1[k] - (expected * m0[k]), offset[k], 1e-10, 1, $"entropic_map.offset[{k}]");
            Assert.True(slope[k, k] < Math.Sqrt(b[k] / a[k]));
        }
    }

    [Fact]
    public async Task A_common_rotation_leaves_w2_unchanged_and_rotates_the_map()
    {
        double[] a = [1, 4], b = [9, 0.25];
        var angle = 0.7;
        var (c, s) = (Math.Cos(angle), Math.Sin(angle));
        double[,] rotation = { { c, -s }, { s, c } };
        var source = Gaussian("g0.json", [0, 0], Rotate(rotation, Diagonal(a)));
        var target = Gaussian("g1.json", [0, 0], Rotate(rotation, Diagonal(b)));

        var run = await Cli.RunAsync("w2", "--source", source, "--target", target, "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        var bures = Square(Math.Sqrt(a[0]) - Math.Sqrt(b[0])) + Square(Math.Sqrt(a[1]) - Math.Sqrt(b[1]));
        Cli.AssertClose(bures, result.GetProperty("w2_squared").GetDouble(), 1e-10, 1, "w2_squared");
        var expected = Rotate(rotation, Diagonal([Math.Sqrt(b[0] / a[0]), Math.Sqrt(b[1] / a[1])]));
        var matrix = Matrix(result.GetProperty("brenier_map").GetProperty("matrix"));
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                Cli.AssertClose(expected[i, j], matrix[i, j], 1e-10, 1, $"brenier_map.matrix[{i},{j}]");
            }
        }
    }

    [Fact]
    public async Task A_singular_source_has_w2_but_no_map_and_refuses_times()
    {
        var source = Gaussian("g0.json", [0, 0], Diagonal([1, 0]));
        var target = Gaussian("g1.json", [1, 0], Diagonal([4, 1]));

        var run = await Cli.RunAsync("w2", "--source", source, "--target", target, "--out", work.Out);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var result = Cli.ReadJson(Path.Combine(work.Out, "result.json"));
        Cli.AssertClose(1 + 1 + 1, result.GetProperty("w2_squared").GetDouble(), Tolerance, 1, "w2_squared");
        Assert.Equal(JsonValueKind.Null, result.GetProperty("brenier_map").ValueKind);
        Assert.Contains("brenier_map is null", run.Stderr, StringComparison.Ordinal);

        var refused = await Cli.RunAsync("w2", "--source", source, "--target", target, "--times", "0.5", "--out", Path.Combine(work.Root, "other"));
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("error: times: ", refused.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work.Root, "other")));
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { """{"kind": "mixture", "weights": [1], "means": [[0, 0]], "covariances": [[[1, 0], [0, 1]]]}""", "", "source.kind: " },
        { """{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 2], [2, 1]]}""", "", "source.covariance: " },
        { """{"kind": "gaussian", "mean": [0, 0, 0], "covariance": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}""", "", "target: has dimension 2" },
        { """{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]]""", "", "source: " },
        { """{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]]}""", "--epsilon=-1", "epsilon: " },
        { """{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]]}""", "--times=0.5,1.5", "times: 1.5 is outside [0, 1]" },
        { """{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]]}""", "--cost=l1", "cost: " },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_exits_2_naming_the_field_and_writes_nothing(string sourceJson, string option, string expected)
    {
        var source = work.Bytes("g0.json", System.Text.Encoding.UTF8.GetBytes(sourceJson));
        var target = Gaussian("g1.json", [1, 2], Diagonal([1, 1]));
        string[] extra = option.Length == 0 ? [] : [option];

        var run = await Cli.RunAsync(["w2", "--source", source, "--target", target, .. extra, "--out", work.Out]);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Contains($"error: {expected}", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    /// <summary>
    /// Janati et al. 2020, Theorem 1, for independent coordinates with regulariser 2 sigma^2 KL(pi | a x b):
    /// OT = |m0 - m1|^2 + sum_k [a_k + b_k - D_k + sigma^2 (1 - log 2 sigma^2) + sigma^2 log(D_k + sigma^2)],
    /// D_k = (4 a_k b_k + sigma^4)^{1/2}, sigma^2 = eps / 2.
    /// </summary>
    private static double Janati(double[] m0, double[] a, double[] m1, double[] b, double epsilon)
    {
        var sigma2 = epsilon / 2;
        var total = 0.0;
        for (var k = 0; k < a.Length; k++)
        {
            var d = Math.Sqrt((4 * a[k] * b[k]) + (sigma2 * sigma2));
            total += Square(m0[k] - m1[k]) + a[k] + b[k] - d + (sigma2 * (1 - Math.Log(2 * sigma2))) + (sigma2 * Math.Log(d + sigma2));
        }

        return total;
    }

    private string Gaussian(string name, double[] mean, double[,] covariance)
    {
        var rows = Enumerable.Range(0, mean.Length).Select(i => Enumerable.Range(0, mean.Length).Select(j => covariance[i, j]).ToArray()).ToArray();
        var json = JsonSerializer.Serialize(new { kind = "gaussian", mean, covariance = rows });
        return work.Bytes(name, System.Text.Encoding.UTF8.GetBytes(json));
    }

    private static double[,] Diagonal(double[] values)
    {
        var matrix = new double[values.Length, values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            matrix[k, k] = values[k];
        }

        return matrix;
    }

    /// <summary>R M R^T.</summary>
    private static double[,] Rotate(double[,] r, double[,] m)
    {
        var result = new double[2, 2];
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                for (var k = 0; k < 2; k++)
                {
                    for (var l = 0; l < 2; l++)
                    {
                        result[i, j] += r[i, k] * m[k, l] * r[j, l];
                    }
                }
            }
        }

        return result;
    }

    private static double[] Vector(JsonElement element) => [.. element.EnumerateArray().Select(v => v.GetDouble())];

    private static double[,] Matrix(JsonElement element)
    {
        var rows = element.EnumerateArray().Select(Vector).ToArray();
        var matrix = new double[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = 0; j < rows[i].Length; j++)
            {
                matrix[i, j] = rows[i][j];
            }
        }

        return matrix;
    }

    private static double Square(double x) => x * x;
}
