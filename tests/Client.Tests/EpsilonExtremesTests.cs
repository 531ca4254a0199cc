using Transport.Grains.Interfaces;

namespace Transport.Client.Tests;

/// <summary>
/// Epsilon at the extremes from the console (issue 12): an eps outside the clouds' admissible range exits 2 naming
/// epsilon (or the coupling blur), the value and the range, prints no NaN and writes nothing, for every command where
/// eps enters; an ordinary solve's progress shows no NaN either.
/// </summary>
public sealed class EpsilonExtremesTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    public static TheoryData<string, string, string[]> SinkhornExtremes => new()
    {
        { "1e300", "1E+300", [] },
        { "1e-300", "1E-300", [] },
        { "1e300", "1E+300", ["--multiscale"] },
        { "1e-300", "1E-300", ["--divergence"] },
        { "1e300", "1E+300", ["--divergence", "--shards", "2"] },

        // float32 kernels stop at eps ~ c_max (the demo's c_max is about 10).
        { "1000", "1000", ["--precision", "single"] },
    };

    [Theory]
    [MemberData(nameof(SinkhornExtremes))]
    public async Task An_extreme_epsilon_exits_2_naming_it_with_no_nan_and_no_output(string epsilon, string shown, string[] extra)
    {
        string[] args = ["sinkhorn", "--demo", "--points", "60", "--epsilon", epsilon, "--out", work.Out, .. extra];
        var run = await Cli.RunAsync(args);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Contains($"error: epsilon: {shown} is outside the admissible range [", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task A_sinkhorn_flow_with_an_extreme_epsilon_exits_2_naming_it()
    {
        var spec = work.Path2("flow.json");
        File.WriteAllText(spec, """
            {"model": "sinkhorn-flow", "epsilon": 1e300,
             "initial": {"generator": "gaussian", "n": 20, "dim": 2, "seed": 1},
             "target": {"generator": "ring", "n": 20, "radius": 1.0, "seed": 2},
             "integrator": "euler", "step": 0.25, "t_end": 1}
            """);

        var run = await Cli.RunAsync("flow", "--spec", spec, "--out", work.Out);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Contains("error: epsilon: 1E+300 is outside the admissible range", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task A_coupling_blur_whose_epsilon_underflows_exits_2_naming_the_blur()
    {
        var run = await Cli.RunAsync("sample", "--demo", "ot", "--coupling-blur", "1e-200", "--n", "50", "--coupling-pairs", "50", "--steps", "4", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.Contains("error: coupling-blur: 1E-200", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("the blur fraction must be in [", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task The_progress_of_a_solve_shows_no_nan_from_its_first_line()
    {
        // The job's progress before its first iteration holds no eps and no error (NaN): it is shown as a phase.
        var run = await Cli.RunAsync("sinkhorn", "--demo", "--points", "60", "--out", work.Out);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}; stderr: {run.Stderr}");
        Assert.DoesNotContain("NaN", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("sinkhorn cross", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_progress_before_the_first_iteration_is_a_phase_line_without_nan()
    {
        using var log = new StringWriter();
        var reporter = new ProgressReporter(log, interactive: false, quiet: false) { SinkhornTarget = (0.05, 1e-6) };

        reporter.Report(new JobStatus<SinkhornJobProgress>(JobState.Running, SinkhornJobProgress.None));

        Assert.Equal("sinkhorn: solving", log.ToString().Trim());
    }
}
