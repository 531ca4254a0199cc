using System.Globalization;
using Transport.Numerics.IO;

namespace Transport.Client.Tests;

public sealed class FlowCommandTests
{
    [Fact]
    public async Task Sinkhorn_flow_demo_writes_every_output_with_the_documented_shapes_and_a_decreasing_divergence()
    {
        using var work = new Workspace();
        var run = await Cli.RunAsync("flow", "--demo", "sinkhorn-flow", "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var (trajectoryShape, trajectoryData) = NpyFiles.ReadFloat64(Path.Combine(work.Out, "trajectory.npy"));
        var final = NpyArray.Read(Path.Combine(work.Out, "final.npy"), "final");
        Assert.Equal([256, 2], final.Shape);

        // 20 Euler steps, snapshots every 2 steps plus the initial state: 11 snapshots; the last equals final.npy.
        var lines = File.ReadAllLines(Path.Combine(work.Out, "diagnostics.csv"));
        Assert.StartsWith("step,time,energy", lines[0], StringComparison.Ordinal);
        Assert.Equal(21, lines.Length - 1);
        var energies = lines.Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        for (var k = 1; k < energies.Length; k++)
        {
            Assert.True(energies[k] < energies[k - 1], $"divergence rose at step {k}: {energies[k - 1]} -> {energies[k]}");
        }

        var summary = Cli.ReadJson(Path.Combine(work.Out, "summary.json"));
        Assert.Equal("sinkhorn-flow", summary.GetProperty("model").GetString());
        Assert.Equal(20, summary.GetProperty("steps").GetInt64());
        var snapshots = summary.GetProperty("snapshots").GetInt32();
        Assert.Equal([snapshots, 256, 2], trajectoryShape);
        Assert.Equal(final.Data, trajectoryData.AsSpan((snapshots - 1) * 512, 512).ToArray());
        foreach (var png in new[] { "particles.png", "energy.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(work.Out, png));
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{png} is not a PNG");
        }
    }

    [Theory]
    [InlineData("mmd-flow", -1)]
    [InlineData("mean-field-relu", -1)]
    [InlineData("attention-sphere", +1)]
    [InlineData("sinkformer", -1)]
    public async Task Demo_runs_and_its_energy_moves_the_way_the_theory_says(string demo, int direction)
    {
        // MMD and network risk are gradient-flow energies (non-increasing); E_beta rises along
        // self-attention on the sphere (GLPR); the Sinkformer descends OT_1(alpha, alpha)/(2 beta).
        // Round-off allowance 1e-10 relative per step.
        using var work = new Workspace();
        var run = await Cli.RunAsync("flow", "--demo", demo, "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var energies = File.ReadAllLines(Path.Combine(work.Out, "diagnostics.csv")).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(energies.Length > 10);
        for (var k = 1; k < energies.Length; k++)
        {
            var change = direction * (energies[k] - energies[k - 1]);
            Assert.True(change >= -1e-10 * Math.Max(1, Math.Abs(energies[k])), $"{demo}: energy moved the wrong way at row {k}: {energies[k - 1]:R} -> {energies[k]:R}");
        }

        Assert.True(direction * (energies[^1] - energies[0]) > 0, $"{demo}: energy did not change");
        foreach (var file in new[] { "trajectory.npy", "final.npy", "summary.json", "particles.png", "energy.png" })
        {
            Assert.True(File.Exists(Path.Combine(work.Out, file)), $"{file} missing");
        }
    }

    [Fact]
    public async Task Potential_flow_from_a_spec_file_matches_the_closed_form_and_does_not_depend_on_shards()
    {
        // V = lambda/2 |x - m|^2: x(t) = m + e^{-lambda t} (x0 - m). RK4 with h = 0.01 has error ~ (lambda h)^4 t / 120 << 1e-9.
        using var work = new Workspace();
        double[] x0 = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5];
        work.Npy("x0.npy", x0, 3, 2);
        const double lambda = 0.8, tEnd = 1.5;
        double[] m = [0.1, -0.2];
        var finals = new List<double[]>();
        foreach (var shards in new[] { 1, 3 })
        {
            var spec = work.Path2($"run{shards}.json");
            File.WriteAllText(spec, $$"""
                {"model": "potential", "lambda": {{lambda}}, "center": [0.1, -0.2],
                 "initial": {"npy": "x0.npy"}, "integrator": "rk4", "step": 0.01, "t_end": {{tEnd}}, "shards": {{shards}}}
                """);
            var output = Path.Combine(work.Root, $"out{shards}");
            var run = await Cli.RunAsync("flow", "--spec", spec, "--out", output, "--quiet");
            Assert.True(run.ExitCode == 0, run.Stderr);
            finals.Add(NpyArray.Read(Path.Combine(output, "final.npy"), "final").Data);
        }

        var decay = Math.Exp(-lambda * tEnd);
        for (var i = 0; i < x0.Length; i++)
        {
            Assert.Equal(m[i % 2] + (decay * (x0[i] - m[i % 2])), finals[0][i], 9);
        }

        Assert.Equal(finals[0], finals[1]);
    }

    [Fact]
    public async Task Multiscale_sinkhorn_flow_from_a_spec_runs_on_two_shards_and_its_divergence_decreases()
    {
        // "multiscale": true sends the model's Sinkhorn solves to the multiscale solver, warm-started
        // between stages; two shards check that each block reads its own rows of the stage's maps.
        using var work = new Workspace();
        var spec = work.Path2("multiscale.json");
        File.WriteAllText(spec, """
            {"model": "sinkhorn-flow", "epsilon": 0.01, "cost": "half-sqeuclidean", "multiscale": true, "levels": 2, "truncate": 5,
             "initial": {"generator": "gaussian", "n": 96, "dim": 2, "mean": [-1.0, 0.0], "std": 0.3, "seed": 1},
             "target": {"generator": "ring", "n": 80, "radius": 1.0, "noise": 0.05, "center": [1.0, 0.0], "seed": 2},
             "integrator": "euler", "step": 0.25, "t_end": 1, "shards": 2}
            """);

        var run = await Cli.RunAsync("flow", "--spec", spec, "--out", work.Out, "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var energies = File.ReadAllLines(Path.Combine(work.Out, "diagnostics.csv")).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(5, energies.Length);
        for (var k = 1; k < energies.Length; k++)
        {
            Assert.True(energies[k] < energies[k - 1], $"divergence rose at step {k}: {energies[k - 1]} -> {energies[k]}");
        }

        Assert.Equal([96, 2], NpyArray.Read(Path.Combine(work.Out, "final.npy"), "final").Shape);
    }

    [Fact]
    public async Task Multiscale_flags_give_the_same_run_as_the_spec_keys()
    {
        // --multiscale --levels --truncate are written into the spec before it is parsed: same trajectory.
        using var work = new Workspace();
        const string common = "\"initial\": {\"generator\": \"gaussian\", \"n\": 64, \"dim\": 2, \"mean\": [-1.0, 0.0], \"std\": 0.3, \"seed\": 1}, "
            + "\"target\": {\"generator\": \"ring\", \"n\": 60, \"radius\": 1.0, \"noise\": 0.05, \"center\": [1.0, 0.0], \"seed\": 2}, "
            + "\"integrator\": \"euler\", \"step\": 0.25, \"t_end\": 0.5, \"shards\": 2";
        var plain = work.Path2("plain.json");
        File.WriteAllText(plain, "{\"model\": \"sinkhorn-flow\", \"epsilon\": 0.01, \"cost\": \"half-sqeuclidean\", " + common + "}");
        var keyed = work.Path2("keyed.json");
        File.WriteAllText(keyed, "{\"model\": \"sinkhorn-flow\", \"epsilon\": 0.01, \"cost\": \"half-sqeuclidean\", \"multiscale\": true, \"levels\": 2, \"truncate\": 4, " + common + "}");
        var byFlags = Path.Combine(work.Root, "flags");
        var byKeys = Path.Combine(work.Root, "keys");

        var flags = await Cli.RunAsync("flow", "--spec", plain, "--multiscale", "--levels", "2", "--truncate", "4", "--out", byFlags, "--quiet");
        var keys = await Cli.RunAsync("flow", "--spec", keyed, "--out", byKeys, "--quiet");

        Assert.True(flags.ExitCode == 0, flags.Stderr);
        Assert.True(keys.ExitCode == 0, keys.Stderr);
        var a = NpyArray.Read(Path.Combine(byFlags, "final.npy"), "final").Data;
        var b = NpyArray.Read(Path.Combine(byKeys, "final.npy"), "final").Data;
        Assert.Equal(b, a);
    }

    [Theory]
    [InlineData("levels", "--levels", "3")]
    [InlineData("truncate", "--truncate", "2")]
    public async Task Multiscale_values_without_the_switch_exit_2_naming_the_field(string field, string flag, string value)
    {
        using var work = new Workspace();
        var run = await Cli.RunAsync("flow", "--demo", "sinkhorn-flow", flag, value, "--out", work.Out, "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(field, run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(work.Out));
    }

    [Fact]
    public async Task Multiscale_switch_on_another_model_exits_2()
    {
        using var work = new Workspace();
        var run = await Cli.RunAsync("flow", "--demo", "mmd-flow", "--multiscale", "--out", work.Out, "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("multiscale", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(work.Out));
    }

    public static TheoryData<string, string, string> BadSpecs => new()
    {
        { """{"model": "potential", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1, "stpe": 1}""", "stpe", "unknown field" },
        { """{"model": "potential", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "step": -0.1, "t_end": 1}""", "step", "-0.1" },
        { """{"model": "potential", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "step": "big", "t_end": 1}""", "step", "\"big\"" },
        { """{"model": "teleport", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1}""", "model", "teleport" },
        { """{"model": "potential", "step": 0.1, "t_end": 1}""", "initial", "required" },
        { """{"model": "potential", "initial": {"generator": "gaussian", "n": 0, "dim": 2}, "step": 0.1, "t_end": 1}""", "initial.n", "0" },
        { """{"model": "potential", "initial": {"npy": "missing.npy"}, "step": 0.1, "t_end": 1}""", "initial.npy", "missing.npy" },
        { """{"model": "potential", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "integrator": "leapfrog", "step": 0.1, "t_end": 1}""", "integrator", "leapfrog" },
        { """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1}""", "target", "target" },
        { """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "target": {"generator": "gaussian", "n": 4, "dim": 3}, "step": 0.1, "t_end": 1}""", "target", "dimension 3" },
        { """{"model": "sinkhorn-flow", "epsilon": 0, "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "target": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1}""", "epsilon", "0" },
        { """{"model": "sinkhorn-flow", "epsilon": 0.1, "levels": 3, "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "target": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1}""", "levels", "multiscale" },
        { """{"model": "sinkhorn-flow", "epsilon": 0.1, "multiscale": true, "truncate": -1, "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "target": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1}""", "truncate", "-1" },
        { """{"model": "mean-field-network", "activation": "sigmoid", "data": {"generator": "teacher", "input_dim": 3, "n": 8}, "initial": {"generator": "gaussian", "n": 4, "dim": 4}, "step": 0.1, "t_end": 1}""", "activation", "sigmoid" },
        { """{"model": "potential", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "step": 0.1, "t_end": 1""", "specification", "malformed" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task Bad_specifications_exit_2_naming_the_field_and_write_nothing(string json, string field, string value)
    {
        using var work = new Workspace();
        var spec = work.Path2("bad.json");
        File.WriteAllText(spec, json);

        var run = await Cli.RunAsync("flow", "--spec", spec, "--out", work.Out, "--quiet");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: {field}:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(value, run.Stderr, StringComparison.Ordinal);
        work.AssertNoOutput();
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        using var work = new Workspace();
        Assert.Equal(2, (await Cli.RunAsync("flow", "--out", work.Out)).ExitCode);
        Assert.Equal(2, (await Cli.RunAsync("flow", "--demo", "no-such-demo", "--out", work.Out)).ExitCode);
        Assert.Equal(2, (await Cli.RunAsync("flow", "--demo", "mmd-flow")).ExitCode);
        work.AssertNoOutput();
    }
}
