using System.Globalization;

namespace Transport.Bench;

/// <summary>Options of <c>bench scale-out</c>.</summary>
/// <param name="Size">N = M of the measured runs (the traffic check adds N / 2).</param>
/// <param name="Shards">Shards per cloud of the embedded runs; must include 1 (it fixes c).</param>
/// <param name="Silos">Silo processes of the process runs (which use S = P and 2P).</param>
/// <param name="Iterations">Timed iterations K of the differential timing.</param>
/// <param name="Repetitions">Differential timings per run; the median is kept.</param>
/// <param name="Processes">Whether to run on silo processes too.</param>
/// <param name="JsonPath">Also write the report as JSON here.</param>
internal sealed record ScaleOutOptions(int Size, IReadOnlyList<int> Shards, int Silos, int Iterations, int Repetitions, bool Processes, string? JsonPath)
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench -- scale-out [options]
          --sinkhorn-size N       N = M of the dense float64 runs, d = 3 (default 8000; the traffic check adds N/2)
          --shards-list 1,2,4,8   shards per cloud on the embedded silo (default 1,2,4,8,16; must include 1)
          --silos P               silo processes over Redis, run with S = P and 2P (default 3)
          --iterations K          timed iterations: (Seconds(K+2) - Seconds(2)) / K (default 10)
          --repetitions R         differential timings per run, the median kept (default 3)
          --no-processes          skip the silo processes
          --json PATH             also write the report as JSON
        """;

    /// <summary>The runs' regularisation (the dense iteration's cost does not depend on it).</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>The runs' dimension.</summary>
    public int Dimension { get; init; } = 3;

    public static ScaleOutOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ScaleOutOptions(8000, [1, 2, 4, 8, 16], 3, 10, 3, true, null);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = arg switch
            {
                "--sinkhorn-size" => options with { Size = NextInt() },
                "--shards-list" => options with { Shards = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().Order()] },
                "--silos" => options with { Silos = NextInt() },
                "--iterations" => options with { Iterations = NextInt() },
                "--repetitions" => options with { Repetitions = NextInt() },
                "--no-processes" => options with { Processes = false },
                "--json" => options with { JsonPath = Next() },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        if (!options.Shards.Contains(1))
        {
            throw new ArgumentException("--shards-list must include 1: the 1-shard embedded run fixes c");
        }

        if (options.Shards[0] < 1 || options.Silos < 1 || options.Iterations < 1 || options.Repetitions < 1 || options.Size < 2 * options.Shards[^1])
        {
            throw new ArgumentException("shards, silos, iterations and repetitions must be positive, and N/2 at least the largest shard count");
        }

        return options;
    }

    /// <summary>The bench options of one run.</summary>
    public BenchOptions Run(int size, int shards) => new()
    {
        SinkhornSize = size,
        SinkhornDimension = Dimension,
        Shards = shards,
        SinkhornIterations = Iterations,
        Epsilon = Epsilon,
    };
}
