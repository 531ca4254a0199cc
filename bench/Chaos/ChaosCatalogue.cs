using System.Globalization;
using Transport.Numerics.IO;

namespace Transport.Bench.Chaos;

/// <summary>
/// The inputs of a chaos run, written once into the work folder, and which one a client submits next. Every job is
/// small (seconds on an idle core) so that many run during a kill: a Sinkhorn divergence (three dense solves, 3 shards
/// per cloud) between two clouds of <c>--points</c> points in the plane, a Sinkhorn flow of 150 particles over 8 Euler
/// steps, and a sampling study (Gaussian target, RK4 at 8 and 16 steps, 1,000 samples).
/// </summary>
internal static class ChaosCatalogue
{
    /// <summary>
    /// The order in which a client cycles through the kinds: Sinkhorn twice per cycle (the longest jobs, so the ones a
    /// kill most often lands on, and the kind whose resumption is reported).
    /// </summary>
    private static readonly ChaosKind[] Rotation = [ChaosKind.Sinkhorn, ChaosKind.Flow, ChaosKind.Sinkhorn, ChaosKind.Sample];

    /// <summary>Writes <c>--variants</c> inputs of each kind into <paramref name="directory"/>; the references go beside them.</summary>
    public static IReadOnlyList<ChaosInput> Write(string directory, ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(directory);
        var inputs = new List<ChaosInput>();
        for (var v = 0; v < options.Variants; v++)
        {
            inputs.Add(Sinkhorn(directory, options, v));
            inputs.Add(Flow(directory, v));
            inputs.Add(Sample(directory, v));
        }

        return inputs;
    }

    /// <summary>The input client <paramref name="client"/> submits as its job number <paramref name="job"/> (clients start at different places of the cycle).</summary>
    public static ChaosInput Pick(IReadOnlyList<ChaosInput> inputs, int client, int job)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var kind = Rotation[(client + job) % Rotation.Length];
        var ofKind = inputs.Where(i => i.Kind == kind).ToList();
        return ofKind[((job / Rotation.Length) + client) % ofKind.Count];
    }

    /// <summary>
    /// Whether client <paramref name="client"/> submits its job number <paramref name="job"/> detached: every other
    /// cycle of the rotation, shifted by client, so that each kind runs both ways from every client.
    /// </summary>
    public static bool Detached(int client, int job) => ((job / Rotation.Length) + client) % 2 == 0;

    private static ChaosInput Sinkhorn(string directory, ChaosOptions options, int variant)
    {
        var n = options.Points;
        var x = Path.Combine(directory, Name($"sinkhorn-{variant}-x.npy"));
        var y = Path.Combine(directory, Name($"sinkhorn-{variant}-y.npy"));
        var random = new Random((options.Seed * 1000) + variant);
        NpyArray.WriteFloat64(x, [.. Enumerable.Range(0, n * 2).Select(_ => (2 * random.NextDouble()) - 1)], n, 2);
        NpyArray.WriteFloat64(y, [.. Enumerable.Range(0, n * 2).Select(_ => 0.3 + (2 * random.NextDouble()) - 1)], n, 2);

        // eps = 0.003 on clouds of diameter about 3: a few hundred iterations over the three solves.
        return new ChaosInput(
            ChaosKind.Sinkhorn,
            variant,
            ["sinkhorn", "--source", x, "--target", y, "--epsilon", "0.003", "--divergence", "--shards", "3"],
            Path.Combine(directory, Name($"reference-sinkhorn-{variant}")));
    }

    private static ChaosInput Flow(string directory, int variant)
    {
        var spec = Path.Combine(directory, Name($"flow-{variant}.json"));
        File.WriteAllText(spec, string.Create(CultureInfo.InvariantCulture, $$"""
            {"model": "sinkhorn-flow", "epsilon": 0.05,
             "initial": {"generator": "gaussian", "n": 150, "dim": 2, "mean": [-1.0, 0.0], "std": 0.3, "seed": {{3 + (2 * variant)}}},
             "target": {"generator": "ring", "n": 120, "radius": 1.0, "noise": 0.05, "center": [1.0, 0.0], "seed": {{4 + (2 * variant)}}},
             "integrator": "euler", "step": 0.25, "t_end": 2, "shards": 3}
            """));
        return new ChaosInput(ChaosKind.Flow, variant, ["flow", "--spec", spec], Path.Combine(directory, Name($"reference-flow-{variant}")));
    }

    private static ChaosInput Sample(string directory, int variant)
    {
        var target = Path.Combine(directory, Name($"sample-{variant}-target.json"));
        File.WriteAllText(target, string.Create(CultureInfo.InvariantCulture, $$"""{"kind": "gaussian", "mean": [1.0, {{-0.5 + (0.25 * variant)}}], "covariance": [[0.8, 0.2], [0.2, 0.5]]}"""));
        return new ChaosInput(
            ChaosKind.Sample,
            variant,
            ["sample", "--target", target, "--schedule", "trig", "--sampler", "rk4", "--steps", "8,16", "--n", "1000", "--seed", (variant + 1).ToString(CultureInfo.InvariantCulture), "--shards", "2", "--particle-shards", "3"],
            Path.Combine(directory, Name($"reference-sample-{variant}")));
    }

    private static string Name(FormattableString name) => FormattableString.Invariant(name);
}
