namespace Transport.Bench.Chaos;

/// <summary>The three kinds of job the chaos clients submit.</summary>
internal enum ChaosKind
{
    /// <summary><c>transport sinkhorn --divergence</c>: dense, checkpointed; its result reports its recoveries.</summary>
    Sinkhorn,

    /// <summary><c>transport flow</c>: checkpointed; its summary reports its recoveries.</summary>
    Flow,

    /// <summary><c>transport sample</c> (one study job): checkpointed; its metrics do not report recoveries.</summary>
    Sample,
}

/// <summary>
/// One distinct input of the run: the console arguments that run it (everything but <c>--out</c> and
/// <c>--cluster</c>), and the folder holding its reference, the same command on an embedded silo.
/// </summary>
/// <param name="Kind">What it runs.</param>
/// <param name="Variant">Which of the kind's inputs (0, 1, ...).</param>
/// <param name="Arguments">The console arguments.</param>
/// <param name="Reference">The reference run's output folder.</param>
internal sealed record ChaosInput(ChaosKind Kind, int Variant, IReadOnlyList<string> Arguments, string Reference)
{
    /// <summary>For progress lines and failure summaries, e.g. <c>sinkhorn#1</c>.</summary>
    public string Name => $"{KindName(Kind)}#{Variant}";

    /// <summary>The JSON file whose scalars are compared (the arrays are every <c>.npy</c> of the reference).</summary>
    public string ResultFile => Kind switch
    {
        ChaosKind.Sinkhorn => "result.json",
        ChaosKind.Flow => "summary.json",
        _ => "metrics.json",
    };

    /// <summary>The kind as the console names it.</summary>
    public static string KindName(ChaosKind kind) => kind.ToString().ToLowerInvariant();
}
