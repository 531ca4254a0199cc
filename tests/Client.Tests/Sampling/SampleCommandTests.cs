using Transport.Client.Sampling;
using Transport.Numerics.IO;
using Transport.Numerics.Sampling.Study;
using static Transport.Client.Tests.Sampling.SampleFixtures;

namespace Transport.Client.Tests.Sampling;

/// <summary>End-to-end runs of <c>transport sample</c> with the local runner: outputs, order, sweeps and the runner seam.</summary>
public sealed class SampleCommandTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Gaussian_target_with_given_noise_maps_each_source_row_to_the_closed_form_and_writes_every_output()
    {
        // Five source points in a deliberate order; rk4 with 32 steps on S-lin is far below the delta = 1e-5 bias,
        // so row i must be T_1(x0_i) = m + Sigma^1/2 x0_i to ~1e-4 (math.md FM-3).
        double[][] x0 = [[1, 0], [0, 0], [-1.5, 0.5], [0.3, -2], [2, 2]];
        var noise = work.Npy("x0.npy", Rows(x0), 5, 2);
        var target = Json(work, "gaussian.json", GaussianJson);
        var run = await Cli.RunAsync(Command(new Dictionary<string, string?>
        {
            ["target"] = target, ["schedule"] = "linear", ["sampler"] = "rk4", ["steps"] = "32", ["noise"] = noise, ["out"] = work.Out,
        }));

        Assert.True(run.ExitCode == 0, run.Stderr);
        var samples = NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples");
        Assert.Equal([5, 2], samples.Shape);
        for (var i = 0; i < x0.Length; i++)
        {
            for (var r = 0; r < 2; r++)
            {
                var expected = (r == 0 ? 1.0 : -1.0) + (GaussianRoot[r, 0] * x0[i][0]) + (GaussianRoot[r, 1] * x0[i][1]);
                Cli.AssertClose(expected, samples.Data[(i * 2) + r], 1e-4, 1, $"row {i} coordinate {r}");
            }
        }

        var metrics = Cli.ReadJson(Path.Combine(work.Out, "metrics.json"));
        Assert.Equal("gaussian", metrics.GetProperty("target_kind").GetString());
        Assert.Equal(2, metrics.GetProperty("dimension").GetInt32());
        Assert.Equal(5, metrics.GetProperty("n").GetInt32());
        Assert.Equal("linear", metrics.GetProperty("schedule").GetString());
        Assert.Equal("rk4", metrics.GetProperty("sampler").GetString());
        Assert.Equal("uniform", metrics.GetProperty("grid").GetString());
        Assert.Equal(32, metrics.GetProperty("steps").GetInt32());
        Assert.Equal(128, metrics.GetProperty("nfe").GetInt32());
        Assert.Equal(1e-5, metrics.GetProperty("delta").GetDouble());
        Assert.Equal(0, metrics.GetProperty("seed").GetInt64());
        Assert.Equal("independent", metrics.GetProperty("coupling").GetString());
        Assert.Equal(1, metrics.GetProperty("shards").GetInt32());
        Assert.True(metrics.GetProperty("seconds").GetDouble() >= 0);
        var runs = metrics.GetProperty("runs");
        Assert.Equal(1, runs.GetArrayLength());
        Assert.True(runs[0].GetProperty("flow_map_error").GetDouble() < 1e-6, "rk4 with 32 steps should match the closed form at t = 1 - delta");
        AssertPng(Path.Combine(work.Out, "samples.png"));
        Assert.False(File.Exists(Path.Combine(work.Out, "nfe.png")), "a single run has no error-versus-NFE plot");
    }

    [Fact]
    public async Task Rk4_sweep_on_a_gaussian_writes_one_entry_per_count_with_decreasing_error_and_the_nfe_plot()
    {
        var target = Json(work, "gaussian.json", GaussianJson);
        var run = await Cli.RunAsync(Command(new Dictionary<string, string?>
        {
            ["target"] = target, ["schedule"] = "trig", ["sampler"] = "rk4", ["steps"] = "16,2,4,8", ["n"] = "200", ["seed"] = "7", ["out"] = work.Out,
        }));

        Assert.True(run.ExitCode == 0, run.Stderr);
        var runs = Cli.ReadJson(Path.Combine(work.Out, "metrics.json")).GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal([2, 4, 8, 16], runs.Select(r => r.GetProperty("steps").GetInt32()));
        Assert.Equal([8, 16, 32, 64], runs.Select(r => r.GetProperty("nfe").GetInt32()));
        var errors = runs.Select(r => r.GetProperty("flow_map_error").GetDouble()).ToArray();
        for (var k = 1; k < errors.Length; k++)
        {
            Assert.True(errors[k] < errors[k - 1] / 4, $"error did not fall with more steps: {string.Join(", ", errors)}");
        }

        // samples.npy is the largest count's run. Progress: the header, the reference (start, end), and per run its start,
        // its metrics phase and its result line.
        Assert.Equal([200, 2], NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples").Shape);
        var progress = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 2 + (3 * 4), progress.Length);
        Assert.Contains(progress, line => line.StartsWith("sample: reference by ", StringComparison.Ordinal));
        AssertPng(Path.Combine(work.Out, "samples.png"));
        AssertPng(Path.Combine(work.Out, "nfe.png"));
    }

    [Fact]
    public async Task Mixture_target_sweep_with_heun_converges_to_the_adaptive_reference_and_is_quiet_with_quiet()
    {
        var target = Json(work, "mixture.json", MixtureJson);
        var run = await Cli.RunAsync(Command(new Dictionary<string, string?>
        {
            ["target"] = target, ["schedule"] = "linear", ["sampler"] = "heun", ["steps"] = "8,32", ["n"] = "100", ["out"] = work.Out, ["quiet"] = null,
        }));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(string.Empty, run.Stderr);
        var metrics = Cli.ReadJson(Path.Combine(work.Out, "metrics.json"));
        Assert.Equal("mixture", metrics.GetProperty("target_kind").GetString());
        Assert.StartsWith("adaptive", metrics.GetProperty("reference").GetString(), StringComparison.Ordinal);
        var errors = metrics.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("flow_map_error").GetDouble()).ToArray();
        Assert.Equal(2, errors.Length);
        Assert.True(errors[1] < errors[0] / 4, $"heun error did not fall about 16-fold: {errors[0]} -> {errors[1]}");
        AssertPng(Path.Combine(work.Out, "samples.png"));
        AssertPng(Path.Combine(work.Out, "nfe.png"));
    }

    [Fact]
    public async Task Data_set_target_with_weights_and_snap_puts_every_sample_on_a_data_point()
    {
        // The exact empirical field reproduces the atoms (math.md 2.3c); after the snap x <- D(1 - delta, x) each
        // sample is (to round-off) one of the data points, and the zero-weight-free weights change nothing about that.
        double[][] data = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 2]];
        var dataPath = work.Npy("data.npy", Rows(data), 5, 2);
        var weights = work.Npy("w.npy", [1, 2, 3, 1, 1], 5);
        var run = await Cli.RunAsync(Command(new Dictionary<string, string?>
        {
            ["target"] = dataPath, ["target-weights"] = weights, ["schedule"] = "linear", ["sampler"] = "euler", ["steps"] = "64",
            ["n"] = "40", ["snap"] = null, ["out"] = work.Out,
        }));

        Assert.True(run.ExitCode == 0, run.Stderr);
        var samples = NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples");
        Assert.Equal([40, 2], samples.Shape);
        for (var i = 0; i < 40; i++)
        {
            var nearest = data.Min(y => Math.Abs(samples.Data[2 * i] - y[0]) + Math.Abs(samples.Data[(2 * i) + 1] - y[1]));
            Assert.True(nearest < 1e-6, $"sample {i} is {nearest} away from every data point");
        }

        var metrics = Cli.ReadJson(Path.Combine(work.Out, "metrics.json"));
        Assert.Equal("data", metrics.GetProperty("target_kind").GetString());
        Assert.Equal(1e-3, metrics.GetProperty("delta").GetDouble());
        Assert.True(metrics.GetProperty("snap").GetBoolean());
        Assert.Equal(65, metrics.GetProperty("nfe").GetInt32());
        AssertPng(Path.Combine(work.Out, "samples.png"));
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("mixture")]
    [InlineData("data")]
    [InlineData("ot")]
    public async Task Demo_runs_its_sweep_and_writes_every_output(string demo)
    {
        var run = await Cli.RunAsync("sample", "--demo", demo, "--n", "64", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var metrics = Cli.ReadJson(Path.Combine(work.Out, "metrics.json"));
        Assert.Equal(demo == "ot" ? "mixture" : demo, metrics.GetProperty("target_kind").GetString());
        Assert.Equal(64, metrics.GetProperty("n").GetInt32());
        Assert.True(metrics.GetProperty("runs").GetArrayLength() >= 3);
        foreach (var file in new[] { "samples.npy", "samples.png", "nfe.png" })
        {
            Assert.True(File.Exists(Path.Combine(work.Out, file)), $"{file} missing");
        }
    }

    [Fact]
    public async Task Spec_file_resolves_paths_against_its_folder_and_the_command_line_overrides_it()
    {
        Json(work, "g.json", GaussianJson);
        var spec = Json(work, "run.json", """{"target": "g.json", "schedule": "vp", "sampler": "ddim", "steps": [2, 4], "n": 12, "seed": 5}""");
        var run = await Cli.RunAsync("sample", "--spec", spec, "--steps", "10", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var metrics = Cli.ReadJson(Path.Combine(work.Out, "metrics.json"));
        Assert.Equal("vp", metrics.GetProperty("schedule").GetString());
        Assert.Equal("ddim", metrics.GetProperty("sampler").GetString());
        Assert.Equal(10, metrics.GetProperty("steps").GetInt32());
        Assert.Equal(5, metrics.GetProperty("seed").GetInt64());
        Assert.Equal(1, metrics.GetProperty("runs").GetArrayLength());
        Assert.Equal([12, 2], NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples").Shape);
    }

    [Fact]
    public async Task Same_seed_draws_the_same_samples_and_another_seed_does_not()
    {
        var target = Json(work, "gaussian.json", GaussianJson);
        async Task<double[]> Sample(string seed, string folder)
        {
            var run = await Cli.RunAsync("sample", "--target", target, "--schedule", "linear", "--sampler", "sde", "--steps", "20", "--n", "30",
                "--seed", seed, "--out", Path.Combine(work.Root, folder), "--quiet");
            Assert.True(run.ExitCode == 0, run.Stderr);
            return NpyArray.Read(Path.Combine(work.Root, folder, "samples.npy"), "samples").Data;
        }

        var first = await Sample("11", "a");
        Assert.Equal(first, await Sample("11", "b"));
        Assert.NotEqual(first, await Sample("12", "c"));
    }

    [Fact]
    public async Task Adaptive_sampler_needs_no_steps_and_meets_its_tolerance_on_a_gaussian()
    {
        var target = Json(work, "gaussian.json", GaussianJson);
        var run = await Cli.RunAsync("sample", "--target", target, "--schedule", "trig", "--sampler", "adaptive", "--tolerance", "1e-7",
            "--n", "50", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var metrics = Cli.ReadJson(Path.Combine(work.Out, "metrics.json"));
        Assert.True(metrics.GetProperty("nfe").GetInt32() > 6);
        Assert.True(metrics.GetProperty("runs")[0].GetProperty("flow_map_error").GetDouble() < 1e-4);
    }

    [Fact]
    public async Task One_dimensional_mixture_splits_the_noise_at_the_weight_quantile()
    {
        // math.md FM-1/FM-2: a 1-D flow is monotone, so x0 goes to the lighter left component exactly when
        // x0 < Phi^-1(0.3) = -0.5244005; points just either side of it must land on opposite components.
        var target = Json(work, "m1.json", """{"kind": "mixture", "weights": [0.3, 0.7], "means": [[-2], [2]], "covariances": [[[0.25]], [[0.25]]]}""");
        var noise = work.Npy("x0.npy", [1.0, -0.53, -0.52, -3.0], 4, 1);
        var run = await Cli.RunAsync("sample", "--target", target, "--schedule", "trig", "--sampler", "rk4", "--steps", "200",
            "--noise", noise, "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var x = NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples").Data;
        Assert.True(x[0] > 0 && x[1] < 0 && x[2] > 0 && x[3] < 0, $"samples {string.Join(", ", x)} do not split at -0.5244");
        Assert.True(x[3] < x[1] && x[2] < x[0], "the 1-D map is not monotone");
        AssertPng(Path.Combine(work.Out, "samples.png"));
    }

    [Fact]
    public async Task Cancelled_run_exits_130_and_writes_nothing()
    {
        var target = Json(work, "gaussian.json", GaussianJson);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var run = await Cli.RunAsync(cancelled.Token, "sample", "--target", target, "--schedule", "linear", "--sampler", "euler", "--steps", "4", "--n", "5", "--out", work.Out);

        Assert.Equal(130, run.ExitCode);
        Assert.Contains("cancelled", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task A_single_sample_runs_with_the_default_coupling_options()
    {
        // n = 1 is valid input; the coupling defaults (at least 2 pairs) must not reject it when no coupling is asked for.
        var target = Json(work, "gaussian.json", GaussianJson);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var arguments = new SampleArguments { Target = target, Schedule = "linear", Sampler = "rk4", Steps = "8", Count = "1", Out = work.Out, Quiet = true };
        var code = await SampleCommand.RunAsync(arguments, SampleCommand.LocalRunners, stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(2, NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples").Data.Length);
    }

    [Fact]
    public async Task The_command_writes_what_the_injected_runner_returns()
    {
        // The command does not know which runner it talks to: a stand-in runner's samples are written verbatim.
        var target = Json(work, "gaussian.json", GaussianJson);
        var runner = new FixedRunner();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var arguments = new SampleArguments
        {
            Target = target, Schedule = "linear", Sampler = "euler", Steps = "3,6", Count = "2", Out = work.Out, Quiet = true,
        };
        var code = await SampleCommand.RunAsync(arguments, (_, _, _, _) => new InProcessSampleStudy(runner), stdout, stderr, CancellationToken.None);

        Assert.True(code == 0, stderr.ToString());
        Assert.Equal([3, 6], runner.Steps);
        Assert.Equal([6.0, 6.0, 6.0, 6.0], NpyArray.Read(Path.Combine(work.Out, "samples.npy"), "samples").Data);
        var nfe = Cli.ReadJson(Path.Combine(work.Out, "metrics.json")).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("nfe").GetInt32());
        Assert.Equal([30, 60], nfe);
    }

    /// <summary>Returns every coordinate equal to the step count and 10 x steps evaluations.</summary>
    private sealed class FixedRunner : ISampleRunner
    {
        public List<int> Steps { get; } = [];

        public Task<SampleRunResult> RunAsync(SampleRequest request, int steps, CancellationToken ct)
        {
            Steps.Add(steps);
            return Task.FromResult(new SampleRunResult(Enumerable.Repeat((double)steps, request.Count * request.Dimension).ToArray(), 10 * steps, 0.0));
        }
    }
}
