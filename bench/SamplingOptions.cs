using System.Globalization;

namespace Transport.Bench;

/// <summary>Command-line options of <c>sampling</c>.</summary>
internal sealed record SamplingOptions
{
    /// <summary>Write the numbers as JSON to this file, when set.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Data points of the empirical target.</summary>
    public int Points { get; init; } = 100_000;

    /// <summary>Particles per denoiser evaluation.</summary>
    public int Particles { get; init; } = 10_000;

    /// <summary>Dimensions, one row each.</summary>
    public IReadOnlyList<int> Dimensions { get; init; } = [2, 64];

    /// <summary>Timed evaluations per row in dimensions up to <see cref="HighDimension"/> (after an untimed warm-up).</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>Timed evaluations per row above <see cref="HighDimension"/> (each costs about d / 2 times more).</summary>
    public int HighDimensionRepetitions { get; init; } = 1;

    /// <summary>Dimensions above this use <see cref="HighDimensionRepetitions"/>.</summary>
    public int HighDimension { get; init; } = 16;

    /// <summary>Target seconds for one exp measurement.</summary>
    public double ExpSeconds { get; init; } = 0.25;

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- sampling [options]
          --json PATH             also write the numbers as JSON
          --quick                 small sizes for a smoke run (10,000 points, 1,000 particles)
          --points M              data points of the empirical target (default 100000)
          --particles N           particles per denoiser evaluation (default 10000)
          --dims 2,64             dimensions, one row each
          --repetitions R         timed evaluations for d <= 16 (default 3; the fastest is reported)
          --high-repetitions R    timed evaluations for d > 16 (default 1)
        """;

    public static SamplingOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SamplingOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = arg switch
            {
                "--json" => options with { JsonPath = Next() },
                "--quick" => options with { Points = 10_000, Particles = 1_000, ExpSeconds = 0.05 },
                "--points" => options with { Points = NextInt() },
                "--particles" => options with { Particles = NextInt() },
                "--dims" => options with { Dimensions = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--repetitions" => options with { Repetitions = NextInt() },
                "--high-repetitions" => options with { HighDimensionRepetitions = NextInt() },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        if (options.Points < 1 || options.Particles < 1 || options.Repetitions < 1 || options.HighDimensionRepetitions < 1 || options.Dimensions.Any(d => d < 1))
        {
            throw new ArgumentException("points, particles, repetitions and dimensions must be at least 1");
        }

        return options;
    }

    /// <summary>Timed evaluations for a row in dimension <paramref name="d"/>.</summary>
    public int RepetitionsFor(int d) => d > HighDimension ? HighDimensionRepetitions : Repetitions;
}
