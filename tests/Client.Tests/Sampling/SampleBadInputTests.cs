using static Transport.Client.Tests.Sampling.SampleFixtures;

namespace Transport.Client.Tests.Sampling;

/// <summary>
/// Bad input to <c>transport sample</c>: exit code 2, an error on stderr naming the field and the value, and no
/// --out directory (nor staging folder) afterwards. Validation runs before any sampling, so these are fast.
/// </summary>
public sealed class SampleBadInputTests : IDisposable
{
    private readonly Workspace work = new();
    private readonly string gaussian;

    public SampleBadInputTests()
    {
        gaussian = Json(work, "gaussian.json", GaussianJson);
    }

    public void Dispose() => work.Dispose();

    /// <summary>A valid command line with <paramref name="changes"/> applied (a null value removes the option).</summary>
    private string[] Args(params (string Name, string? Value)[] changes)
    {
        var options = new Dictionary<string, string?>
        {
            ["target"] = gaussian, ["schedule"] = "linear", ["sampler"] = "rk4", ["steps"] = "4", ["n"] = "10", ["out"] = work.Out,
        };
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                options.Remove(name);
            }
            else
            {
                options[name] = value;
            }
        }

        return Command(options);
    }

    private async Task AssertBadInput(string[] args, params string[] mentions)
    {
        var run = await Cli.RunAsync(args);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, run.Stderr, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(work.Out), $"{work.Out} exists after a bad input");
        work.AssertNoOutput();
    }

    private Task AssertBadTarget(string json, params string[] mentions) =>
        AssertBadInput(Args(("target", Json(work, "bad-target.json", json))), mentions);

    [Fact]
    public async Task The_baseline_command_line_is_valid()
    {
        // Guards the tests below: each changes one thing in a command line that succeeds.
        var run = await Cli.RunAsync(Args());
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    [Theory]
    [InlineData("""{"mean": [0, 0], "covariance": [[1, 0], [0, 1]]}""", "target.kind: ", "is required")]
    [InlineData("""{"kind": "laplace", "mean": [0, 0]}""", "target.kind: ", "'laplace'")]
    [InlineData("""{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 0.5], [0.2, 1]]}""", "target.covariance: ", "not symmetric")]
    [InlineData("""{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 2], [2, 1]]}""", "target.covariance: ", "not positive definite")]
    [InlineData("""{"kind": "gaussian", "mean": [0, 0, 0], "covariance": [[1, 0], [0, 1]]}""", "target.covariance: ", "2 x 2, expected 3 x 3")]
    [InlineData("""{"kind": "gaussian", "mean": [0, "x"], "covariance": [[1, 0], [0, 1]]}""", "target.mean[1]", "\"x\"")]
    [InlineData("""{"kind": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]], "color": 3}""", "target.color: ", "unknown field")]
    [InlineData("""{"kind": "mixture", "weights": [0.5, -0.5], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}""", "target.weights[1]: ", "-0.5")]
    [InlineData("""{"kind": "mixture", "weights": [0.5, 0.5, 0.1], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}""", "target.means: ", "expected 3")]
    [InlineData("""{"kind": "mixture", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]}""", "target.covariances[1]: ", "3 x 3, expected 2 x 2")]
    [InlineData("""{"kind": "mixture", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, -1]]]}""", "target.covariances[1]: ", "not positive definite")]
    [InlineData("""{"kind": "mixture", "weights": [0.5, 0.5], "means": [[0, 0], [1, 1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}""", "target.means[1]: ", "3 entries")]
    [InlineData("""{"kind": "gaussian", "mean": [0, 0],""", "target: ", "malformed JSON")]
    [InlineData("""[1, 2]""", "target: ", "expected a JSON object")]
    public async Task Bad_target_description_is_rejected(string json, string field, string mention)
    {
        await AssertBadTarget(json, field, mention);
    }

    [Fact]
    public async Task Target_file_not_found_is_rejected()
    {
        var missing = work.Path2("nowhere.json");
        await AssertBadInput(Args(("target", missing)), "target: file not found", missing);
    }

    [Fact]
    public async Task Missing_target_is_rejected()
    {
        await AssertBadInput(Args(("target", null)), "target: is required");
    }

    [Fact]
    public async Task Nan_in_a_data_set_is_rejected()
    {
        var path = work.Npy("data.npy", [0, 1, 2, double.NaN], 2, 2);
        await AssertBadInput(Args(("target", path)), "target: ", "[1, 1]", "NaN", path);
    }

    [Fact]
    public async Task Non_positive_data_weight_is_rejected()
    {
        var data = work.Npy("data.npy", [0, 1, 2, 3, 4, 5], 3, 2);
        var weights = work.Npy("w.npy", [1, 1, 0], 3);
        await AssertBadInput(Args(("target", data), ("target-weights", weights)), "target-weights[2]: ", "weight 0");
    }

    [Fact]
    public async Task Data_weights_of_the_wrong_length_are_rejected()
    {
        var data = work.Npy("data.npy", [0, 1, 2, 3, 4, 5], 3, 2);
        var weights = work.Npy("w.npy", [1, 1], 2);
        await AssertBadInput(Args(("target", data), ("target-weights", weights)), "target-weights: ", "2 entries, expected 3");
    }

    [Fact]
    public async Task Noise_of_another_dimension_is_rejected()
    {
        var noise = work.Npy("x0.npy", new double[9], 3, 3);
        await AssertBadInput(Args(("noise", noise), ("n", null)), "noise: ", "dimension 3", "target has dimension 2");
    }

    [Fact]
    public async Task Noise_with_nan_is_rejected()
    {
        var noise = work.Npy("x0.npy", [0, 0, double.NaN, 1], 2, 2);
        await AssertBadInput(Args(("noise", noise), ("n", null)), "noise: ", "[1, 0]", "NaN");
    }

    [Fact]
    public async Task Count_that_differs_from_the_noise_is_rejected()
    {
        var noise = work.Npy("x0.npy", new double[6], 3, 2);
        await AssertBadInput(Args(("noise", noise), ("n", "4")), "n: is 4", "--noise holds 3 points");
    }

    [Theory]
    [InlineData("schedule", "cosine", "schedule: ", "'cosine'")]
    [InlineData("sampler", "leapfrog", "sampler: ", "'leapfrog'")]
    [InlineData("grid", "geometric", "grid: ", "'geometric'")]
    [InlineData("coupling", "minibatch", "coupling: ", "'minibatch'")]
    [InlineData("steps", "0", "steps: ", "step count 0")]
    [InlineData("steps", "4,,8", "steps: ", "'4,,8'")]
    [InlineData("steps", "four", "steps: ", "'four'")]
    [InlineData("steps", "4,8,4", "steps: ", "appears twice")]
    [InlineData("n", "0", "n: ", "got 0")]
    [InlineData("n", "5000000", "n: ", "got 5000000")]
    [InlineData("n", "ten", "n: ", "'ten'")]
    [InlineData("delta", "0", "delta: ", "got 0")]
    [InlineData("delta", "0.5", "delta: ", "got 0.5")]
    [InlineData("delta", "NaN", "delta: ", "got NaN")]
    [InlineData("delta", "abc", "delta: ", "'abc'")]
    [InlineData("diffusion", "-1", "diffusion: ", "got -1")]
    [InlineData("tolerance", "0", "tolerance: ", "got 0")]
    [InlineData("shards", "0", "shards: ", "got 0")]
    [InlineData("particle-shards", "11", "particle-shards: ", "more than the 10 particles")]
    [InlineData("corrector-snr", "-0.1", "corrector-snr: ", "got -0.1")]
    [InlineData("seed", "1.5", "seed: ", "'1.5'")]
    [InlineData("demo", "spiral", "demo: ", "'spiral'")]
    public async Task Bad_option_is_rejected(string name, string value, string field, string mention)
    {
        await AssertBadInput(Args((name, value)), field, mention);
    }

    [Theory]
    [InlineData("-1", "rk4", "eta: ", "got -1")]
    [InlineData("0.5", "rk4", "eta: ", "only to --sampler ddim")]
    public async Task Bad_eta_is_rejected(string eta, string sampler, string field, string mention)
    {
        await AssertBadInput(Args(("eta", eta), ("sampler", sampler)), field, mention);
    }

    [Theory]
    [InlineData("schedule")]
    [InlineData("sampler")]
    [InlineData("steps")]
    [InlineData("n")]
    [InlineData("out")]
    public async Task Missing_required_option_is_rejected(string name)
    {
        await AssertBadInput(Args((name, null)), $"{name}: ");
    }

    [Fact]
    public async Task Source_of_another_dimension_is_rejected()
    {
        var source = Json(work, "source.json", """{"kind": "gaussian", "mean": [0, 0, 0], "covariance": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}""");
        await AssertBadInput(Args(("source", source)), "source.mean: ", "length 3", "dimension 2");
    }

    [Fact]
    public async Task Unknown_key_in_a_spec_is_rejected()
    {
        var spec = Json(work, "run.json", """{"target": "gaussian.json", "schedule": "linear", "sampler": "rk4", "steps": 4, "n": 10, "stepz": 8}""");
        await AssertBadInput(["sample", "--spec", spec, "--out", work.Out], "stepz: ", "unknown field");
    }

    [Theory]
    [InlineData("coupling-solver", "magic")]
    [InlineData("coupling-bandwidth", "0")]
    [InlineData("coupling-blur", "2")]
    [InlineData("coupling-pairs", "1")]
    [InlineData("coupling-pairs", "3001")]
    public async Task Bad_coupling_option_is_rejected(string name, string value)
    {
        await AssertBadInput(Args(("coupling", "ot"), ("coupling-solver", name == "coupling-pairs" ? "exact" : null), (name, value)), $"{name}: ");
    }

    [Theory]
    [InlineData("sampler", "ddim")]
    [InlineData("sampler", "sde")]
    [InlineData("corrector-steps", "2")]
    public async Task Ot_coupling_with_a_sampler_that_needs_the_denoiser_is_rejected(string name, string value)
    {
        await AssertBadInput(Args(("coupling", "ot"), (name, value)), "coupling: ", "denoiser");
    }

    [Fact]
    public async Task Unreachable_cluster_fails_cleanly_without_output()
    {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused.
        var run = await Cli.RunAsync(Args(("cluster", "127.0.0.1:9")));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot connect", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }
}
