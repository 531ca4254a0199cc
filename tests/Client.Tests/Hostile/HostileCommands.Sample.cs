namespace Transport.Client.Tests.Hostile;

/// <summary>Malformed <c>transport sample</c> requests: targets, data sets, noise, counts and specifications.</summary>
internal static partial class HostileCommands
{
    private const string Gaussian = """{"kind": "gaussian", "mean": [1.0, -1.0], "covariance": [[1.0, 0.6], [0.6, 1.0]]}""";

    private static IEnumerable<HostileCommand> SampleRequests =>
    [
        SampleOption("sample: steps past int.MaxValue", "steps", "steps", "2147483648"),
        SampleOption("sample: 10^9 steps", "steps", "steps", "1000000000"),
        SampleOption("sample: n negative", "n", "n", "-5"),
        SampleOption("sample: a sweep of 33 step counts", "steps", "steps", string.Join(',', Enumerable.Range(1, 33))),
        SampleOption("sample: n past int.MaxValue", "n", "n", "2147483648"),
        Sample("sample: adaptive tolerance 1e-300", "tolerance", _ => [("sampler", "adaptive"), ("steps", null), ("tolerance", "1e-300")]),
        SampleOption("sample: seed past long", "seed", "seed", "99999999999999999999"),
        SampleTarget("sample target: mean given twice", "target.mean", """{"kind": "gaussian", "mean": [0, 0], "mean": [5, 5], "covariance": [[1, 0], [0, 1]]}"""),
        SampleTarget("sample target: mean 1e300", "target.mean", """{"kind": "gaussian", "mean": [1e300, 0], "covariance": [[1, 0], [0, 1]]}"""),
        SampleTarget("sample target: covariance entry 1e400", "target.covariance[0][0]", """{"kind": "gaussian", "mean": [0, 0], "covariance": [[1e400, 0], [0, 1]]}"""),
        SampleTarget("sample target: empty mean", "target.mean", """{"kind": "gaussian", "mean": [], "covariance": [[1, 0], [0, 1]]}"""),
        SampleTarget("sample target: mixture weights summing to 0", "target.weights[0]", """{"kind": "mixture", "weights": [0, 0], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}"""),
        Sample("sample data: 1e300 coordinate", "target", w => [("target", w.Npy("far.npy", [0, 0, 1e300, 0, 1, 1], 3, 2))]),
        Sample("sample data: header declaring 10^6 columns", "target", w => [("target", w.Bytes("wide-data.npy", Npy("<f8", "(2, 1000000)", 16)))]),
        Sample("sample data: Fortran-ordered noise", "noise", w => [("noise", w.Bytes("x0.npy", NpyBytes.Image("<f8", true, "(10, 2)", new byte[160]))), ("n", null)]),
        Sample("sample data: NaN weight", "target-weights[1]", w => [("target", w.Npy("d.npy", [0, 0, 1, 1, 2, 2], 3, 2)), ("target-weights", w.Npy("dw.npy", [1, double.NaN, 1], 3))]),
        Sample("sample spec: unknown key", "colour", w => [("spec", Text(w, "run.json", """{"colour": "red"}"""))]),
        Sample("sample spec: steps a string of words", "steps", w => [("spec", Text(w, "run.json", """{"steps": "four"}""")), ("steps", null)]),
        Sample("sample spec: n given twice", "n", w => [("spec", Text(w, "run.json", """{"n": 10, "n": 0}""")), ("n", null)]),
        Sample("sample spec: malformed JSON", "spec", w => [("spec", Text(w, "run.json", """{"n": 10,"""))]),
        Sample("sample: --spec and --demo together", "spec", w => [("spec", Text(w, "run.json", """{"n": 10}""")), ("demo", "gaussian")]),
    ];

    /// <summary>A valid <c>transport sample</c> command line (a Gaussian target, RK4 with four steps, ten samples) changed by <paramref name="changes"/>.</summary>
    private static HostileCommand Sample(string name, string field, Func<Workspace, (string Name, string? Value)[]> changes) =>
        new(name, field, w => SampleLine(w, changes(w)));

    /// <summary>The valid sample command line the cases change.</summary>
    public static string[] ValidSample(Workspace work) => SampleLine(work, []);

    private static string[] SampleLine(Workspace w, (string Name, string? Value)[] changes) =>
        Command("sample", w, [("target", Text(w, "gaussian.json", Gaussian)), ("schedule", "linear"), ("sampler", "rk4"), ("steps", "4"), ("n", "10")], changes);

    private static HostileCommand SampleOption(string name, string field, string option, string value) => Sample(name, field, _ => [(option, value)]);

    private static HostileCommand SampleTarget(string name, string field, string json) => Sample(name, field, w => [("target", Text(w, "bad-target.json", json))]);
}
