namespace Transport.Client.Tests;

/// <summary>
/// Every kind of bad input: exit code 2, a message on stderr naming the field and the value, and nothing in --out.
/// Validation happens before any silo starts, so these tests are fast.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly Workspace work = new();
    private readonly string source;
    private readonly string target;

    public BadInputTests()
    {
        var (x, y, _, _) = Clouds.Make(6, 5, 2, seed: 1);
        source = work.Npy("x.npy", x, 6, 2);
        target = work.Npy("y.npy", y, 5, 2);
    }

    public void Dispose() => work.Dispose();

    private async Task<CliRun> RunAsync(string sourcePath, string targetPath, params string[] extra)
    {
        string[] args = ["sinkhorn", "--source", sourcePath, "--target", targetPath, "--epsilon", "0.1", "--out", work.Out, .. extra];
        return await Cli.RunAsync(args);
    }

    private void AssertBadInput(CliRun run, params string[] mentions)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, run.Stderr, StringComparison.Ordinal);
        }

        work.AssertNoOutput();
    }

    [Fact]
    public async Task Nan_coordinate_is_rejected()
    {
        var path = work.Npy("nan.npy", [0, 1, 2, double.NaN, 4, 5], 3, 2);
        AssertBadInput(await RunAsync(path, target), "source: ", "NaN", "[1, 1]", path);
    }

    [Fact]
    public async Task Infinite_coordinate_is_rejected()
    {
        var path = work.Npy("inf.npy", [0, 1, double.NegativeInfinity, 3], 2, 2);
        AssertBadInput(await RunAsync(source, path), "target: ", "-Infinity", "[1, 0]", path);
    }

    [Fact]
    public async Task Dimension_mismatch_is_rejected()
    {
        var path = work.Npy("y3.npy", new double[12], 4, 3);
        AssertBadInput(await RunAsync(source, path), "target: ", "dimension 3", "source dimension 2");
    }

    [Fact]
    public async Task Empty_cloud_is_rejected()
    {
        var path = work.Npy("empty.npy", [], 0, 2);
        AssertBadInput(await RunAsync(path, target), "source: ", "n = 0");
    }

    [Fact]
    public async Task Negative_weight_is_rejected()
    {
        var weights = work.Npy("a.npy", [0.2, 0.2, -0.5, 0.2, 0.2, 0.2], 6);
        AssertBadInput(await RunAsync(source, target, "--source-weights", weights), "source-weights: ", "-0.5", "weight [2]", weights);
    }

    [Fact]
    public async Task All_zero_weights_are_rejected()
    {
        var weights = work.Npy("b.npy", new double[5], 5);
        AssertBadInput(await RunAsync(source, target, "--target-weights", weights), "target-weights: ", "sum to 0", weights);
    }

    [Fact]
    public async Task Weights_of_the_wrong_length_are_rejected()
    {
        var weights = work.Npy("a4.npy", [1, 1, 1, 1], 4);
        AssertBadInput(await RunAsync(source, target, "--source-weights", weights), "source-weights: ", "expected 6 weights", "got 4");
    }

    [Theory]
    [InlineData("0", "got 0")]
    [InlineData("-1", "got -1")]
    [InlineData("-1e-300", "got -1E-300")]
    public async Task Epsilon_not_positive_is_rejected(string value, string mention)
    {
        string[] args = ["sinkhorn", "--source", source, "--target", target, "--epsilon", value, "--out", work.Out];
        AssertBadInput(await Cli.RunAsync(args), "error: epsilon: must be a finite number > 0", mention);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    public async Task Epsilon_nan_is_rejected(string value)
    {
        string[] args = ["sinkhorn", "--source", source, "--target", target, "--epsilon", value, "--out", work.Out];
        AssertBadInput(await Cli.RunAsync(args), "error: epsilon: must be a finite number > 0", "got NaN");
    }

    [Theory]
    [InlineData("0", "got 0")]
    [InlineData("-1e-3", "got -0.001")]
    public async Task Tolerance_not_positive_is_rejected(string value, string mention)
    {
        AssertBadInput(await RunAsync(source, target, "--tolerance", value), "error: tolerance: must be a finite number > 0", mention);
    }

    [Fact]
    public async Task Truncated_npy_is_rejected()
    {
        // Header promises 3 x 2 float64 (48 bytes); only 5 values (40 bytes) follow.
        var path = work.Bytes("truncated.npy", NpyBytes.Image("<f8", false, "(3, 2)", NpyBytes.Float64(1, 2, 3, 4, 5)));
        AssertBadInput(await RunAsync(path, target), "source: ", path, "truncated data", "expected 48 bytes", "got 40");
    }

    [Fact]
    public async Task Wrong_dtype_npy_is_rejected()
    {
        var path = work.Bytes("int.npy", NpyBytes.Image("<i8", false, "(3, 2)", NpyBytes.Int64(1, 2, 3, 4, 5, 6)));
        AssertBadInput(await RunAsync(path, target), "source: ", path, "'<i8'");
    }

    [Fact]
    public async Task Fortran_order_npy_is_rejected()
    {
        var path = work.Bytes("fortran.npy", NpyBytes.Image("<f8", true, "(5, 2)", NpyBytes.Float64(new double[10])));
        AssertBadInput(await RunAsync(source, path), "target: ", path, "fortran_order True");
    }

    [Fact]
    public async Task Missing_file_is_rejected()
    {
        var path = work.Path2("does-not-exist.npy");
        AssertBadInput(await RunAsync(path, target), "source: file not found", path);
    }

    [Fact]
    public async Task Missing_weights_file_is_rejected()
    {
        var path = work.Path2("no-weights.npy");
        AssertBadInput(await RunAsync(source, target, "--target-weights", path), "target-weights: file not found", path);
    }

    [Fact]
    public async Task Unknown_cost_and_precision_are_rejected()
    {
        AssertBadInput(await RunAsync(source, target, "--cost", "manhattan"), "cost: ", "'manhattan'");
        AssertBadInput(await RunAsync(source, target, "--precision", "half"), "precision: ", "'half'");
    }

    [Theory]
    [InlineData("--shards", "0", "shards: must be at least 1, got 0")]
    [InlineData("--max-iterations", "0", "max-iterations: must be at least 1, got 0")]
    [InlineData("--scaling", "1.5", "scaling: must be in (0, 1], got 1.5")]
    [InlineData("--check-every", "0", "check-every: must be at least 1, got 0")]
    [InlineData("--tolerance", "abc", "tolerance: expected a number, got 'abc'")]
    [InlineData("--shards", "two", "shards: expected an integer, got 'two'")]
    [InlineData("--cluster", "nohostport", "cluster: expected HOST:PORT[,HOST:PORT...] or redis://HOST:PORT, got 'nohostport'")]
    [InlineData("--cluster", "localhost:99999", "cluster: port must be an integer in 1..65535")]
    public async Task Out_of_range_options_are_rejected(string option, string value, string message)
    {
        AssertBadInput(await RunAsync(source, target, option, value), $"error: {message}");
    }

    [Theory]
    [InlineData("levels: --levels applies only to a multiscale run", "--levels", "3")]
    [InlineData("truncate: --truncate applies only to a multiscale run", "--truncate", "5")]
    [InlineData("levels: must be an integer in 1..16, got 0", "--multiscale", "--levels", "0")]
    [InlineData("levels: must be an integer in 1..16, got 17", "--multiscale", "--levels", "17")]
    [InlineData("levels: expected an integer, got '2.5'", "--multiscale", "--levels", "2.5")]
    [InlineData("truncate: must be a finite number > 0, got 0", "--multiscale", "--truncate", "0")]
    [InlineData("truncate: must be a finite number > 0, got -2", "--multiscale", "--truncate", "-2")]
    [InlineData("truncate: must be a finite number > 0, got NaN", "--multiscale", "--truncate", "NaN")]
    [InlineData("truncate: must be a finite number > 0, got Infinity", "--multiscale", "--truncate", "Infinity")]
    [InlineData("truncate: expected a number, got 'wide'", "--multiscale", "--truncate", "wide")]
    [InlineData("memory-budget: --memory-budget applies only to a multiscale run", "--memory-budget", "4G")]
    [InlineData("leaf: --leaf applies only to a multiscale run", "--leaf", "32")]
    [InlineData("leaf: must be a number of points >= 1, got 0", "--multiscale", "--leaf", "0")]
    [InlineData("memory-budget: must be a number of bytes > 0, got 0", "--multiscale", "--memory-budget", "0")]
    [InlineData("memory-budget: expected a byte count such as 4294967296, 512M or 4G, got 'lots'", "--multiscale", "--memory-budget", "lots")]
    [InlineData("memory-budget: expected a byte count such as 4294967296, 512M or 4G, got '4X'", "--multiscale", "--memory-budget", "4X")]
    public async Task Bad_multiscale_options_are_rejected(string message, params string[] options)
    {
        AssertBadInput(await RunAsync(source, target, options), $"error: {message}");
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--source", source, "--target", target, "--out", work.Out), "error: epsilon: required");
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--source", source, "--target", target, "--epsilon", "0.1"), "error: out: ");
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--target", target, "--epsilon", "0.1", "--out", work.Out), "error: source: required");
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--demo", "--source", source, "--out", work.Out), "error: demo: ", "--source");
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--no-such-option", "--out", work.Out), "error: ", "--no-such-option");
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--demo", "--points", "0", "--out", work.Out), "error: points: must be at least 1, got 0");
        AssertBadInput(await Cli.RunAsync("sinkhorn", "--source", source, "--target", target, "--epsilon", "abc", "--out", work.Out), "error: epsilon: expected a number, got 'abc'");
        AssertBadInput(await Cli.RunAsync(), "error: ");
    }

    [Fact]
    public async Task Out_naming_an_existing_file_is_rejected()
    {
        var file = Path.Combine(work.Root, "out");
        await File.WriteAllTextAsync(file, "not a directory");
        var run = await RunAsync(source, target);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("out: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("not a directory", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Unsupported_extension_is_rejected()
    {
        var path = work.Bytes("x.txt", [1, 2, 3]);
        AssertBadInput(await RunAsync(path, target), "source: ", "'.txt'");
    }

    [Fact]
    public async Task Csv_with_a_bad_value_is_rejected()
    {
        var path = work.Path2("x.csv");
        await File.WriteAllTextAsync(path, "0,1\n2,nan\n4,5\n");
        AssertBadInput(await RunAsync(path, target), "source: ", "NaN", path);
    }

    [Fact]
    public async Task Help_exits_0_and_names_every_option()
    {
        var run = await Cli.RunAsync("sinkhorn", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--source", "--target", "--source-weights", "--target-weights", "--epsilon", "--cost", "--tolerance", "--max-iterations", "--scaling", "--precision", "--shards", "--divergence", "--multiscale", "--levels", "--truncate", "--memory-budget", "--leaf", "--cluster", "--out", "--demo" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }
}
