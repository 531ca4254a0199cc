using System.Globalization;

namespace Transport.Bench;

/// <summary>Command-line options of <c>flows</c>.</summary>
internal sealed record FlowsOptions
{
    /// <summary>Write the numbers as JSON to this file, when set.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Tokens of the attention flow.</summary>
    public int AttentionSize { get; init; } = 4096;

    /// <summary>Token dimension of the attention flow.</summary>
    public int AttentionDimension { get; init; } = 64;

    /// <summary>RK4 steps of the attention flow.</summary>
    public int AttentionSteps { get; init; } = 3;

    /// <summary>N = M of the Sinkhorn-divergence flow.</summary>
    public int SinkhornSize { get; init; } = 10_000;

    /// <summary>Dimension of the Sinkhorn-divergence flow.</summary>
    public int SinkhornDimension { get; init; } = 3;

    /// <summary>Euler steps of the Sinkhorn-divergence flow.</summary>
    public int SinkhornSteps { get; init; } = 2;

    /// <summary>Regularisation of the Sinkhorn-divergence flow (clouds of unit scale).</summary>
    public double Epsilon { get; init; } = 0.05;

    /// <summary>Shards on the cluster path (and blocks of the local compute reference).</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Timed runs per path (after one untimed warm-up); the fastest is reported.</summary>
    public int Repetitions { get; init; } = 2;

    /// <summary>Skip the cluster path.</summary>
    public bool SkipCluster { get; init; }

    /// <summary>Time only the Sinkhorn-divergence flow (<c>--sinkhorn-only</c>).</summary>
    public bool SinkhornOnly { get; init; }

    /// <summary>Solve the Sinkhorn-divergence flow's problems with the multiscale solver (<c>--multiscale</c>).</summary>
    public bool Multiscale { get; init; }

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- flows [options]
          --json PATH             also write the numbers as JSON
          --quick                 small sizes for a smoke run (N = 512)
          --attention-size N      tokens of the attention flow (default 4096)
          --attention-dim D       token dimension (default 64)
          --attention-steps K     RK4 steps (default 3)
          --sinkhorn-size N       N = M of the Sinkhorn-divergence flow (default 10000)
          --sinkhorn-steps K      Euler steps (default 2)
          --epsilon E             Sinkhorn-divergence flow regularisation (default 0.05)
          --shards S              shards on the cluster path (default 4)
          --repetitions R         timed runs per path (default 2; the fastest is reported)
          --no-cluster            skip the cluster path
          --sinkhorn-only         time only the Sinkhorn-divergence flow
          --multiscale            the Sinkhorn-divergence flow with the multiscale solver (default leaves)
        """;

    public static FlowsOptions Parse(IReadOnlyList<string> args)
    {
        var options = new FlowsOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = arg switch
            {
                "--json" => options with { JsonPath = Next() },
                "--quick" => options with { AttentionSize = 512, SinkhornSize = 512 },
                "--attention-size" => options with { AttentionSize = NextInt() },
                "--attention-dim" => options with { AttentionDimension = NextInt() },
                "--attention-steps" => options with { AttentionSteps = NextInt() },
                "--sinkhorn-size" => options with { SinkhornSize = NextInt() },
                "--sinkhorn-steps" => options with { SinkhornSteps = NextInt() },
                "--epsilon" => options with { Epsilon = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--shards" => options with { Shards = NextInt() },
                "--repetitions" => options with { Repetitions = NextInt() },
                "--no-cluster" => options with { SkipCluster = true },
                "--sinkhorn-only" => options with { SinkhornOnly = true },
                "--multiscale" => options with { Multiscale = true },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        return options;
    }
}
