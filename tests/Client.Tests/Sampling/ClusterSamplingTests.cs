using Transport.Client.Sampling;
using Transport.Numerics.IO;
using static Transport.Client.Tests.Sampling.SampleFixtures;

namespace Transport.Client.Tests.Sampling;

/// <summary>
/// <c>transport sample</c> on its default runner (an embedded silo: data shards, particle shards, coordinator) against
/// the single-process reference runner on the same inputs.
/// </summary>
public sealed class ClusterSamplingTests : IDisposable
{
    private readonly Workspace work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Mixture_from_a_gaussian_source_with_karras_ddim_eta_matches_the_single_process_run()
    {
        // Whitening, the Karras grid and DDIM's counter-based noise all happen per particle, so 3 particle shards give
        // the single-process samples up to rounding (1e-9 relative: only additions are reordered).
        var target = Json(work, "mixture.json", MixtureJson);
        var source = Json(work, "source.json", """{"kind": "gaussian", "mean": [0.5, -0.5], "covariance": [[2.0, 0.3], [0.3, 0.5]]}""");
        await AssertClusterEqualsLocal(1e-9, "--target", target, "--source", source, "--schedule", "trig", "--sampler", "ddim", "--eta", "0.5",
            "--grid", "karras", "--steps", "12", "--n", "90", "--particle-shards", "3", "--seed", "4");
    }

    [Fact]
    public async Task Data_set_over_data_shards_with_sde_and_correctors_matches_the_single_process_run()
    {
        // 4 data shards combine their softmax partials in shard order: 1e-9 relative covers the reordered sums.
        var points = Enumerable.Range(0, 200).SelectMany(i => new[] { Math.Cos(i * 0.7) * (1 + (i % 3)), Math.Sin(i * 1.3) }).ToArray();
        var weights = Enumerable.Range(0, 200).Select(i => 1.0 + (i % 5)).ToArray();
        var data = work.Npy("data.npy", points, 200, 2);
        var dataWeights = work.Npy("weights.npy", weights, 200);
        await AssertClusterEqualsLocal(1e-9, "--target", data, "--target-weights", dataWeights, "--schedule", "linear", "--sampler", "sde",
            "--steps", "30", "--corrector-steps", "1", "--n", "60", "--shards", "4", "--particle-shards", "2", "--seed", "9");
    }

    [Fact]
    public async Task Exact_ot_coupling_matches_the_single_process_run_and_straightens_the_paths()
    {
        // Both runners solve the same exact assignment, so the coupled field and the samples agree to rounding.
        var target = Json(work, "mixture.json", MixtureJson);
        var samples = await AssertClusterEqualsLocal(1e-9, "--target", target, "--schedule", "linear", "--sampler", "rk4", "--steps", "8",
            "--n", "50", "--coupling", "ot", "--coupling-solver", "exact", "--coupling-pairs", "300", "--particle-shards", "2");
        var runs = Cli.ReadJson(Path.Combine(samples, "metrics.json")).GetProperty("runs");
        var straightness = runs[0].GetProperty("straightness").GetDouble();
        Assert.InRange(straightness, 1.0 - 1e-9, 1.05);
    }

    [Fact]
    public async Task Sinkhorn_ot_coupling_on_the_cluster_agrees_with_the_in_process_solver()
    {
        // The cluster's distributed Sinkhorn and the in-process solver stop at the same marginal tolerance (1e-6) but
        // along different summation orders, so the barycentric pairs differ at that level; through the smooth coupled
        // field this moves samples by far less than 1e-3.
        var target = Json(work, "gaussian.json", GaussianJson);
        await AssertClusterEqualsLocal(1e-3, "--target", target, "--schedule", "linear", "--sampler", "heun", "--steps", "6",
            "--n", "40", "--coupling", "ot", "--coupling-pairs", "200");
    }

    private async Task<string> AssertClusterEqualsLocal(double tolerance, params string[] options)
    {
        var clusterOut = Path.Combine(work.Root, "cluster");
        var localOut = Path.Combine(work.Root, "local");
        var cluster = await Cli.RunAsync(["sample", .. options, "--out", clusterOut, "--quiet"]);
        Assert.True(cluster.ExitCode == 0, cluster.Stderr);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var arguments = ParseLocal(options) with { Out = localOut, Quiet = true };
        var code = await SampleCommand.RunAsync(arguments, SampleCommand.LocalRunners, stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        var a = NpyArray.Read(Path.Combine(clusterOut, "samples.npy"), "samples").Data;
        var b = NpyArray.Read(Path.Combine(localOut, "samples.npy"), "samples").Data;
        Assert.Equal(b.Length, a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            Cli.AssertClose(b[i], a[i], tolerance, 1.0, $"sample value {i}");
        }

        return clusterOut;
    }

    private static SampleArguments ParseLocal(string[] options)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(options, name);
            return index < 0 ? null : options[index + 1];
        }

        double? Number(string name) => Value(name) is { } text ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
        return new SampleArguments
        {
            Target = Value("--target"),
            TargetWeights = Value("--target-weights"),
            Source = Value("--source"),
            Schedule = Value("--schedule"),
            Sampler = Value("--sampler"),
            Steps = Value("--steps"),
            Count = Value("--n"),
            Seed = Value("--seed"),
            Shards = Value("--shards"),
            ParticleShards = Value("--particle-shards"),
            Grid = Value("--grid"),
            Eta = Number("--eta"),
            CorrectorSteps = Value("--corrector-steps"),
            Coupling = Value("--coupling"),
            CouplingSolver = Value("--coupling-solver"),
            CouplingPairs = Value("--coupling-pairs"),
        };
    }
}
