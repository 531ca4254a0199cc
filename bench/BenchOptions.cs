using System.Globalization;

namespace Transport.Bench;

/// <summary>Command-line options of <c>kernels</c>.</summary>
internal sealed record BenchOptions
{
    /// <summary>Write the numbers as JSON to this file, when set.</summary>
    public string? JsonPath { get; init; }

    /// <summary>N = M for the reduction benchmark.</summary>
    public int ReductionSize { get; init; } = 20_000;

    /// <summary>Dimensions of the reduction benchmark.</summary>
    public IReadOnlyList<int> Dimensions { get; init; } = [2, 3, 16, 64];

    /// <summary>N = M for the Sinkhorn iteration benchmark.</summary>
    public int SinkhornSize { get; init; } = 10_000;

    /// <summary>Dimension for the Sinkhorn iteration benchmark.</summary>
    public int SinkhornDimension { get; init; } = 3;

    /// <summary>Timed Sinkhorn iterations.</summary>
    public int SinkhornIterations { get; init; } = 20;

    /// <summary>Shards per cloud in the cluster path.</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Timed repetitions per measurement (after one untimed warm-up).</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>Floats per exp buffer (chosen to stay in L1/L2).</summary>
    public int ExpBufferLength { get; init; } = 4096;

    /// <summary>Target seconds for one exp measurement.</summary>
    public double ExpSeconds { get; init; } = 0.25;

    /// <summary>Regularisation; the kernel scale is 1/eps (points in the unit cube).</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Skip the cluster path.</summary>
    public bool SkipCluster { get; init; }

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- [kernels] [options]
          --json PATH             also write the numbers as JSON
          --quick                 small sizes for a smoke run
          --reduction-size N      N = M of the reduction benchmark (default 20000)
          --dims 2,3,16,64        dimensions of the reduction benchmark
          --sinkhorn-size N       N = M of the Sinkhorn benchmark (default 10000)
          --iterations K          timed Sinkhorn iterations (default 20)
          --shards S              shards per cloud on the cluster path (default 4)
          --repetitions R         timed repetitions (default 3; best is reported)
          --epsilon E             kernel scale 1/E (default 0.1)
          --no-cluster            skip the cluster path
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = arg switch
            {
                "--json" => options with { JsonPath = Next() },
                "--quick" => options with
                {
                    ReductionSize = 4_000,
                    SinkhornSize = 2_000,
                    SinkhornIterations = 5,
                    Repetitions = 2,
                    ExpSeconds = 0.05,
                },
                "--reduction-size" => options with { ReductionSize = NextInt() },
                "--dims" => options with { Dimensions = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--sinkhorn-size" => options with { SinkhornSize = NextInt() },
                "--iterations" => options with { SinkhornIterations = NextInt() },
                "--shards" => options with { Shards = NextInt() },
                "--repetitions" => options with { Repetitions = NextInt() },
                "--epsilon" => options with { Epsilon = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-cluster" => options with { SkipCluster = true },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        return options;
    }
}
