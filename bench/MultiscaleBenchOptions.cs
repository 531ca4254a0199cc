using System.Globalization;

namespace Transport.Bench;

/// <summary>Command-line options of <c>multiscale</c>.</summary>
internal sealed record MultiscaleBenchOptions
{
    public IReadOnlyList<int> Sizes { get; init; } = [10_000, 100_000];

    public int Dimension { get; init; } = 3;

    /// <summary>Blur sqrt(eps) as a fraction of the diameter of the joint box.</summary>
    public double BlurFraction { get; init; } = 0.01;

    /// <summary>Dense runs only up to this N (N x N x iterations kernel evaluations).</summary>
    public int DenseMax { get; init; } = 10_000;

    public double Tolerance { get; init; } = 1e-5;

    public double Truncation { get; init; } = 5;

    /// <summary>Points per finest cluster; null (default): chosen from the memory budget (8 when the problem fits).</summary>
    public int? LeafClusterSize { get; init; }

    /// <summary>The solver's memory budget in bytes; null (default): half of the memory available to the process.</summary>
    public long? MemoryBudget { get; init; }

    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Solve only OT_eps(a, b) (no self problems, no divergence): the largest sizes.</summary>
    public bool CrossOnly { get; init; }

    public Transport.Numerics.Kernels.Precision Precision { get; init; } = Transport.Numerics.Kernels.Precision.Double;

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- multiscale [options]
          --sizes 10000,100000    N = M (default 10000,100000)
          --million               also N = 1000000
          --dim D                 dimension (default 3)
          --blur F                blur as a fraction of the diameter (default 0.01)
          --dense-max N           run the dense solver only up to this N (default 10000)
          --tolerance T           L1 marginal tolerance (default 1e-5)
          --truncate TAU          truncation threshold (default 5)
          --leaf K                points per finest cluster (default: from the memory budget, 8 when it fits)
          --memory-budget BYTES   the solver's peak memory budget in bytes (default: half of the available memory)
          --max-iterations K      iteration cap per solve (default 10000)
          --precision P           kernel arithmetic: double or single (default double)
          --cross-only            solve OT_eps(a, b) only (no self problems, divergence n/a)
        """;

    public static MultiscaleBenchOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new MultiscaleBenchOptions();
        for (var k = 0; k < arguments.Count; k++)
        {
            var name = arguments[k];
            string Next() => k + 1 < arguments.Count ? arguments[++k] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--sizes" => options with { Sizes = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] },
                "--million" => options with { Sizes = [.. options.Sizes, 1_000_000] },
                "--dim" => options with { Dimension = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--blur" => options with { BlurFraction = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--dense-max" => options with { DenseMax = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--tolerance" => options with { Tolerance = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--truncate" => options with { Truncation = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--leaf" => options with { LeafClusterSize = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--memory-budget" => options with { MemoryBudget = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--cross-only" => options with { CrossOnly = true },
                "--precision" => options with { Precision = Next() switch { "double" => Transport.Numerics.Kernels.Precision.Double, "single" => Transport.Numerics.Kernels.Precision.Single, var other => throw new ArgumentException($"--precision must be double or single, got '{other}'") } },
                "--max-iterations" => options with { MaxIterations = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return options;
    }
}
