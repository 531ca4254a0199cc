using System.Globalization;

namespace Transport.Bench;

/// <summary>Command-line options of <c>iterations</c>.</summary>
internal sealed record IterationsOptions
{
    public IReadOnlyList<int> Sizes { get; init; } = [10_000];

    /// <summary>Target eps values (absolute, cost |x - y|^2).</summary>
    public IReadOnlyList<double> Epsilons { get; init; } = [4e-4, 1e-2];

    public int Dimension { get; init; } = 3;

    public double Tolerance { get; init; } = 1e-6;

    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Iteration cap of the plain ("before") dense runs, which are the slow ones.</summary>
    public int PlainMaxIterations { get; init; } = 10_000;

    public double Scaling { get; init; } = 0.5;

    public bool Multiscale { get; init; } = true;

    public bool Plain { get; init; } = true;

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- iterations [options]
          --sizes 10000           N = M (default 10000)
          --epsilons 4e-4,1e-2    target eps, cost |x - y|^2 (default 4e-4,1e-2)
          --dim D                 dimension (default 3)
          --tolerance T           L1 marginal tolerance (default 1e-6)
          --max-iterations K      iteration cap of the adaptive and multiscale solves (default 10000)
          --plain-max K           iteration cap of the plain (w = 1) dense solve (default 10000)
          --scaling R             annealing factor (default 0.5)
          --no-plain              skip the plain dense solve ("before")
          --no-multiscale         skip the multiscale solve
        """;

    public static IterationsOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new IterationsOptions();
        for (var k = 0; k < arguments.Count; k++)
        {
            var name = arguments[k];
            string Next() => k + 1 < arguments.Count ? arguments[++k] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--sizes" => options with { Sizes = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] },
                "--epsilons" => options with { Epsilons = [.. Next().Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))] },
                "--dim" => options with { Dimension = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--tolerance" => options with { Tolerance = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--max-iterations" => options with { MaxIterations = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--plain-max" => options with { PlainMaxIterations = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--scaling" => options with { Scaling = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-plain" => options with { Plain = false },
                "--no-multiscale" => options with { Multiscale = false },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return options;
    }
}
