using System.Text.Json;
using System.Text.Json.Nodes;

namespace Transport.Client.Gallery;

/// <summary>One run of the gallery: the command line it runs (its output folder appended), and what its figures show.</summary>
/// <param name="Name">The sub-folder and anchor.</param>
/// <param name="Title">The section's title.</param>
/// <param name="Caption">What to look at.</param>
/// <param name="Arguments">The <c>transport</c> arguments, without <c>--out</c>.</param>
/// <param name="Spec">A run specification to write as <c>NAME.json</c> beside the runs and pass as <c>--spec</c>, or null.</param>
internal sealed record GalleryEntry(string Name, string Title, string Caption, string[] Arguments, string? Spec = null);

/// <summary>
/// The gallery: the survey's families end to end (math.md): generative sampling with independent and OT couplings,
/// a Sinkhorn-divergence flow of one shape onto another and the MMD flow beside it, attention clustering on the
/// circle and on the sphere, mean-field network training, and one density moved by two velocity fields with its
/// Eulerian view. <c>quick</c> shrinks every run (fewer points and steps) for tests.
/// </summary>
internal static class GalleryEntries
{
    /// <summary>The entries, in the order of the index.</summary>
    public static IReadOnlyList<GalleryEntry> All(bool quick)
    {
        var n = quick ? "200" : "1000";
        var sweep = quick ? "2,4,8" : "4,8,16,32";
        return
        [
            new("sampling-independent", "Diffusion sampling, independent coupling",
                "A four-component 2-D Gaussian mixture sampled along the linear interpolant's probability-flow ODE with Euler steps, noise and data drawn independently: curved paths, and the flow-map error against the number of denoiser evaluations on log-log axes with slopes -1 and -2 for reference.",
                ["sample", "--demo", "ot", "--coupling", "independent", "--n", n, "--steps", sweep]),
            new("sampling-ot", "Diffusion sampling, OT coupling",
                "The same mixture and sampler through the coupled interpolant of an entropic OT coupling (noise matched to data by the cluster's Sinkhorn solver): nearly straight paths and a far smaller error at few steps.",
                ["sample", "--demo", "ot", "--n", n, "--coupling-pairs", n, "--steps", sweep]),
            new("sinkhorn-flow", "Sinkhorn-divergence flow: a blob onto a ring",
                "Particles of a Gaussian blob descend the debiased Sinkhorn divergence towards a noisy ring (Wasserstein gradient flow, the three Sinkhorn problems solved on shard grains every step); the divergence on a log scale.",
                ["flow", "--spec"], Flow("sinkhorn-flow", spec => { if (quick) { spec["t_end"] = 2.5; } })),
            new("mmd-flow", "MMD flow: the same blob and ring",
                "The maximum mean discrepancy with a Gaussian kernel moves the same blob: its gradient decays with the distance to the target, so the flow slows down where the Sinkhorn flow does not; the title says how far it got.",
                ["flow", "--spec"], Flow("mmd-flow", spec => { if (quick) { spec["t_end"] = 10; } })),
            new("attention-circle", "Self-attention on the circle: metastable clusters",
                "200 tokens on the circle under self-attention dynamics (beta = 9): the cluster count falls fast, then rests on long plateaus (metastable states, math.md TR-4) before the clusters merge.",
                ["flow", "--spec"], Edit(Embedded("attention-circle"), spec => { if (quick) { Shrink(spec, 80); spec["t_end"] = 10; } })),
            new("attention-sphere", "Self-attention on the sphere",
                "128 tokens on the 2-sphere (beta = 4): the interaction energy rises to its maximum as the tokens gather into clusters.",
                ["flow", "--spec"], Flow("attention-sphere", spec => { if (quick) { spec["t_end"] = 3; } })),
            new("mean-field-network", "Mean-field training of a two-layer ReLU network",
                "Each particle is a neuron (input weights and output weight); training by gradient flow on the risk moves the neuron cloud towards the teacher network's neurons; the risk on a log scale.",
                ["flow", "--spec"], Flow("mean-field-relu", spec => { if (quick) { spec["t_end"] = 10; } })),
            new("same-density", "One density, the flow-matching field",
                "N(0, I) moved to N(0, diag(4, 1)) by the linear interpolant's field (math.md V1.1): the Eulerian density under the particles, the end map is the Brenier map diag(2, 1), action 2.29.",
                ["flow", "--spec"], Flow("same-density", spec => { if (quick) { Shrink(spec, 800); } })),
            new("same-density-rotated", "The same density, a rotated field",
                "The same start and the same density path with a divergence-free rotation added: equal densities, different particle paths, and a larger action (4.64).",
                ["flow", "--spec"], Flow("same-density-rotated", spec => { if (quick) { Shrink(spec, 800); } })),
        ];
    }

    private static string Flow(string demo, Action<JsonObject> edit) => Edit(Flows.FlowCommand.DemoText(demo), edit);

    private static string Edit(string text, Action<JsonObject> edit)
    {
        var spec = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        edit(spec);
        return spec.ToJsonString();
    }

    /// <summary>A specification of <c>examples/gallery/</c>.</summary>
    private static string Embedded(string name)
    {
        using var stream = typeof(GalleryEntries).Assembly.GetManifestResourceStream($"examples.gallery.{name}.json")
            ?? throw new InvalidOperationException($"examples/gallery/{name}.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Shrink(JsonObject spec, int points) => spec["initial"]!["n"] = points;
}
