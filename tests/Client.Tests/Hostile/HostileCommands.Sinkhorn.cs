namespace Transport.Client.Tests.Hostile;

/// <summary>Malformed <c>transport sinkhorn</c> requests: .npy files, point and weight values, options.</summary>
internal static partial class HostileCommands
{
    private static IEnumerable<HostileCommand> NpyFiles =>
    [
        Source("npy: 10^12 rows declared in a 16-byte file", "source", w => w.Bytes("rows.npy", Npy("<f8", "(1000000000000, 2)", 16))),
        Source("npy: a shape whose product overflows", "source", w => w.Bytes("product.npy", Npy("<f8", "(2000000000, 2000000000)", 16))),
        Source("npy: 2e8 x 2 rows declared, 16 bytes present", "source", w => w.Bytes("claims.npy", Npy("<f8", "(200000000, 2)", 16))),
        Target("npy: dimension 10^7 declared", "target", w => w.Bytes("wide.npy", Npy("<f8", "(1, 10000000)", 16))),
        Source("npy: bad magic string", "source", w => w.Bytes("magic.npy", [.. "\u0093NUMPZ"u8, 1, 0, .. new byte[60]])),
        Source("npy: format version 9.0", "source", w =>
        {
            var bytes = Npy("<f8", "(3, 2)", 48);
            bytes[6] = 9;
            return w.Bytes("version.npy", bytes);
        }),
        Target("npy: header length past the end of the file", "target", w => w.Bytes("header.npy", [.. Preamble(1, 60_000), .. "{}"u8])),
        Source("npy: header without descr", "source", w => w.Bytes("nodescr.npy", RawNpy("{'fortran_order': False, 'shape': (3, 2), }", 48))),
        Source("npy: negative dimension", "source", w => w.Bytes("negative.npy", Npy("<f8", "(3, -2)", 48))),
        Source("npy: 3-D array", "source", w => w.Bytes("cube.npy", Npy("<f8", "(1, 3, 2)", 48))),
        Target("npy: big-endian float64", "target", w => w.Bytes("big.npy", Npy(">f8", "(5, 2)", 80))),
        Source("npy: empty file", "source", w => w.Bytes("empty.npy", [])),
        Source("npy: a dimension of 23 digits", "source", w => w.Bytes("digits.npy", Npy("<f8", "(99999999999999999999999, 2)", 16))),
        Source("npy: structured dtype", "source", w => w.Bytes("struct.npy", RawNpy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", 24))),
        Source("npy: zero columns", "source", w => w.Bytes("zero.npy", Npy("<f8", "(3, 0)", 0))),
        Target("npy: int64 data", "target", w => w.Bytes("int.npy", NpyBytes.Image("<i8", false, "(5, 2)", NpyBytes.Int64(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))),
        Source("npy: Fortran order", "source", w => w.Bytes("fortran.npy", NpyBytes.Image("<f8", true, "(6, 2)", new byte[96]))),
        Source("npy: version 2.0 header length 4 GB", "source", w => w.Bytes("v2.npy", [0x93, .. "NUMPY"u8, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF, .. "{}"u8])),
        Source("npy: data one byte short", "source", w => w.Bytes("short.npy", Npy("<f8", "(6, 2)", 95))),
        Target("npy: header dictionary never closed", "target", w => w.Bytes("open.npy", RawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (5, 2), ", 80))),
        Source("npy: scalar shape ()", "source", w => w.Bytes("scalar.npy", Npy("<f8", "()", 8))),
        Source("path: a directory", "source", w => w.Input),
        Target("path: no such file", "target", w => w.Path2("missing.npy")),
    ];

    private static IEnumerable<HostileCommand> CloudValues =>
    [
        Source("coordinates: NaN in a float32 file", "source", w => w.Bytes("nan32.npy", NpyBytes.Image("<f4", false, "(2, 2)", [0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0xC0, 0x7F, 0, 0, 0, 0x40]))),
        Target("coordinates: -Infinity in the target", "target", w => w.Npy("neginf.npy", [0, 1, double.NegativeInfinity, 3], 2, 2)),
        Source("coordinates: a source 1e300 wide", "source", w => w.Npy("wide-source.npy", [0, 0, 1e300, 0, 1, 1], 3, 2)),
        Target("coordinates: a target 1e300 from the source", "target", w => w.Npy("far-target.npy", [1e300, 0, 1e300, 1], 2, 2)),
        Target("coordinates: another dimension", "target", w => w.Npy("three.npy", new double[12], 4, 3)),
        Source("csv: rows of different lengths", "source", w => Text(w, "ragged.csv", "0,1\n2\n4,5\n")),
        Sinkhorn("weights: NaN", "source-weights", w => [("source-weights", w.Npy("a-nan.npy", [1, double.NaN, 1, 1, 1, 1], 6))]),
        Sinkhorn("weights: +Infinity", "target-weights", w => [("target-weights", w.Npy("b-inf.npy", [1, 1, double.PositiveInfinity, 1, 1], 5))]),
        Sinkhorn("weights: summing to infinity", "source-weights", w => [("source-weights", w.Npy("a-big.npy", [.. Enumerable.Repeat(1e308, 6)], 6))]),
        Sinkhorn("weights: all zero", "target-weights", w => [("target-weights", w.Npy("b-zero.npy", new double[5], 5))]),
        Sinkhorn("weights: negative", "source-weights", w => [("source-weights", w.Npy("a-neg.npy", [0.2, 0.2, 0.2, -0.1, 0.2, 0.2], 6))]),
        Sinkhorn("weights: a 6 x 2 matrix", "source-weights", w => [("source-weights", w.Npy("a-matrix.npy", new double[12], 6, 2))]),
        Sinkhorn("weights: fewer than the points", "target-weights", w => [("target-weights", w.Npy("b-short.npy", [1, 1, 1], 3))]),
    ];

    private static IEnumerable<HostileCommand> SinkhornOptions =>
    [
        Option("epsilon: NaN", "epsilon", "epsilon", "NaN"),
        Option("epsilon: Infinity", "epsilon", "epsilon", "Infinity"),
        Option("epsilon: 1e-400, zero in float64", "epsilon", "epsilon", "1e-400"),
        Option("epsilon: 1e300, above the clouds' range", "epsilon", "epsilon", "1e300"),
        Option("epsilon: hexadecimal", "epsilon", "epsilon", "0x10"),
        Option("tolerance: negative", "tolerance", "tolerance", "-1e-6"),
        Option("max-iterations: negative", "max-iterations", "max-iterations", "-5"),
        Option("max-iterations: past int.MaxValue", "max-iterations", "max-iterations", "2147483648"),
        Option("scaling: NaN", "scaling", "scaling", "NaN"),
        Option("shards: 0", "shards", "shards", "0"),
        Option("shards: 10^9", "shards", "shards", "1000000000"),
        Option("check-every: negative", "check-every", "check-every", "-1"),
        Option("cost: unknown", "cost", "cost", "manhattan"),
        Option("precision: unknown", "precision", "precision", "quad"),
        Sinkhorn("levels: 17", "levels", _ => [("multiscale", string.Empty), ("levels", "17")]),
        Option("truncate: without --multiscale", "truncate", "truncate", "5"),
        Option("label: 300 characters", "label", "label", new string('x', 300)),
        Sinkhorn("points: a demo of 10^12 points", "points", _ => [("source", null), ("target", null), ("demo", string.Empty), ("points", "1000000000000")]),
        Sinkhorn("points: a demo of 10^8 points", "points", _ => [("source", null), ("target", null), ("demo", string.Empty), ("points", "100000000")]),
        Sinkhorn("points: a demo of 1.2 x 10^9 points, twice past int.MaxValue", "points", _ => [("source", null), ("target", null), ("demo", string.Empty), ("points", "1200000000")]),
    ];

    /// <summary>A valid Sinkhorn command line (two small clouds) changed by <paramref name="changes"/>.</summary>
    private static HostileCommand Sinkhorn(string name, string field, Func<Workspace, (string Name, string? Value)[]> changes) =>
        new(name, field, w => SinkhornLine(w, changes(w)));

    /// <summary>The valid Sinkhorn command line the cases change.</summary>
    public static string[] ValidSinkhorn(Workspace work) => SinkhornLine(work, []);

    private static string[] SinkhornLine(Workspace w, (string Name, string? Value)[] changes) =>
        Command("sinkhorn", w, [("source", SourceCloud(w)), ("target", TargetCloud(w)), ("epsilon", "0.1")], changes);

    private static HostileCommand Option(string name, string field, string option, string value) => Sinkhorn(name, field, _ => [(option, value)]);

    private static HostileCommand Source(string name, string field, Func<Workspace, string> file) => Sinkhorn(name, field, w => [("source", file(w))]);

    private static HostileCommand Target(string name, string field, Func<Workspace, string> file) => Sinkhorn(name, field, w => [("target", file(w))]);

    private static string SourceCloud(Workspace work) => work.Npy("x.npy", [0.1, 0.2, 0.9, 0.4, 0.3, 0.8, 0.5, 0.5, 0.7, 0.1, 0.2, 0.6], 6, 2);

    private static string TargetCloud(Workspace work) => work.Npy("y.npy", [1.1, 1.2, 1.9, 1.4, 1.3, 1.8, 1.5, 1.5, 1.7, 1.1], 5, 2);
}
