namespace Transport.Client.Tests.Hostile;

/// <summary>Malformed <c>transport flow --spec</c> specifications: JSON, types, unknown and repeated keys, sizes.</summary>
internal static partial class HostileCommands
{
    /// <summary>A valid MMD flow specification's keys after the model (four particles towards a ring of four).</summary>
    private const string FlowRest = """
        "initial": {"generator": "gaussian", "n": 4, "dim": 2, "seed": 1},
        "target": {"generator": "ring", "n": 4, "seed": 2},
        "step": 0.1, "t_end": 0.3
        """;

    private static IEnumerable<HostileCommand> FlowSpecs =>
    [
        Flow("flow json: empty file", "specification", string.Empty),
        Flow("flow json: an array, not an object", "specification", "[1, 2, 3]"),
        Flow("flow json: nested 10000 deep", "specification", new string('[', 10_000) + new string(']', 10_000)),
        Flow("flow json: trailing garbage", "specification", $$"""{"model": "mmd-flow", {{FlowRest}}} trailing"""),
        Flow("flow json: step given twice", "step", $$"""{"model": "mmd-flow", {{FlowRest}}, "step": -1}"""),
        Flow("flow json: unknown key inside initial", "initial.colour", $$"""{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 2, "colour": "red"}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": 0.3}"""),
        Flow("flow json: model a number", "model", $$"""{"model": 5, {{FlowRest}}}"""),
        Flow("flow json: t_end a list", "t_end", """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": [1]}"""),
        Flow("flow json: step 1e400, infinite in float64", "step", """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 2}, "target": {"generator": "ring", "n": 4}, "step": 1e400, "t_end": 1}"""),
        Flow("flow json: n 10^12", "initial.n", """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 1000000000000, "dim": 2}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": 0.3}"""),
        Flow("flow json: dim 10^9", "initial.dim", """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 1000000000}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": 0.3}"""),
        Flow("flow json: mean of three coordinates in d = 2", "initial.mean", """{"model": "mmd-flow", "initial": {"generator": "gaussian", "n": 4, "dim": 2, "mean": [0, 0, 0]}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": 0.3}"""),
        Flow("flow json: shards 0", "shards", $$"""{"model": "mmd-flow", {{FlowRest}}, "shards": 0}"""),
        Flow("flow json: snapshot_every negative", "snapshot_every", $$"""{"model": "mmd-flow", {{FlowRest}}, "snapshot_every": -3}"""),
        Flow("flow json: seed 1.5", "seed", $$"""{"model": "mmd-flow", {{FlowRest}}, "seed": 1.5}"""),
        Flow("flow json: length_scale negative", "length_scale", $$"""{"model": "mmd-flow", "length_scale": -1, {{FlowRest}}}"""),
        Flow("flow json: max_steps 0", "max_steps", $$"""{"model": "mmd-flow", {{FlowRest}}, "max_steps": 0}"""),
        Flow("flow json: adaptive rtol 1e-300", "rtol", $$"""{"model": "mmd-flow", {{FlowRest}}, "integrator": "adaptive", "rtol": 1e-300}"""),
        new("flow npy: initial cloud with a NaN", "initial", w => FlowCommand(w, $$"""{"model": "mmd-flow", "initial": {"npy": "{{Escape(w.Npy("x0.npy", [0, 0, 1, double.NaN, 2, 2], 3, 2))}}"}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": 0.3}""")),
        new("flow npy: initial header declaring 10^9 rows", "initial.npy", w => FlowCommand(w, $$"""{"model": "mmd-flow", "initial": {"npy": "{{Escape(w.Bytes("huge.npy", Npy("<f8", "(1000000000, 2)", 16)))}}"}, "target": {"generator": "ring", "n": 4}, "step": 0.1, "t_end": 0.3}""")),
    ];

    /// <summary>The valid flow command line the cases change.</summary>
    public static string[] ValidFlow(Workspace work) => FlowCommand(work, $$"""{"model": "mmd-flow", {{FlowRest}}}""");

    private static HostileCommand Flow(string name, string field, string json) => new(name, field, w => FlowCommand(w, json));

    /// <summary><c>transport flow --spec</c> with <paramref name="json"/> written as the specification.</summary>
    private static string[] FlowCommand(Workspace work, string json) => ["flow", "--spec", Text(work, "flow.json", json), "--out", work.Out, "--quiet"];

    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);
}
