using System.Globalization;

namespace Transport.Bench;

/// <summary>Command-line options of <c>divergence</c>.</summary>
internal sealed record DivergenceBenchOptions
{
    /// <summary>N = M of each problem.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [10_000];

    /// <summary>eps in the units of the cost |x - y|^2.</summary>
    public IReadOnlyList<double> Epsilons { get; init; } = [1e-2];

    /// <summary>L1 marginal tolerance of our solvers.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Iteration cap per solve (ours and POT's numItermax).</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>POT runs only up to this N (it holds several N x N float64 matrices).</summary>
    public int PotMax { get; init; } = 12_000;

    /// <summary>POT's stopThr (L2 column-marginal error); null: tolerance / sqrt(N).</summary>
    public double? PotStopThreshold { get; init; }

    /// <summary>Wall-clock limit of one POT subprocess (three terms), seconds.</summary>
    public double PotTimeoutSeconds { get; init; } = 3600;

    /// <summary>GeomLoss eps-scaling factor (used only when GeomLoss can be imported).</summary>
    public double GeomLossScaling { get; init; } = 0.9;

    /// <summary>The Python interpreter that runs POT and GeomLoss.</summary>
    public string Python { get; init; } = "/usr/bin/python3";

    /// <summary>Seed of the source cloud; the target uses seed + 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Which rows to run: dense, multiscale, cluster, pot, geomloss.</summary>
    public IReadOnlySet<string> Solvers { get; init; } = AllSolvers;

    /// <summary>Shards per cloud of the cluster row (a multiscale job on an embedded silo).</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Our kernels' arithmetic (POT and GeomLoss run in float64 whatever this is).</summary>
    public Transport.Numerics.Kernels.Precision Precision { get; init; } = Transport.Numerics.Kernels.Precision.Double;

    /// <summary>Points per leaf cluster of our multiscale rows (null: chosen from the memory budget).</summary>
    public int? LeafClusterSize { get; init; }

    /// <summary>Memory budget in bytes that chooses our multiscale rows' leaves (null: half of the machine's memory).</summary>
    public long? MemoryBudget { get; init; }

    /// <summary>Our multiscale rows' options from <see cref="LeafClusterSize"/> and <see cref="MemoryBudget"/>.</summary>
    public Transport.Numerics.Transport.Multiscale.MultiscaleOptions Multiscale() => new() { LeafClusterSize = LeafClusterSize, MemoryBudget = MemoryBudget };

    public static readonly IReadOnlySet<string> AllSolvers = new HashSet<string>(StringComparer.Ordinal) { "dense", "multiscale", "cluster", "pot", "geomloss" };

    public const string Usage = """
        usage: dotnet run -c Release --project bench -- divergence [options]
          --sizes 10000           N = M (default 10000)
          --quick                 N = 2000
          --epsilons 1e-2         eps for the cost |x - y|^2 (default 1e-2)
          --tolerance T           our L1 marginal tolerance (default 1e-6)
          --max-iterations K      iteration cap per solve, ours and POT's numItermax (default 10000)
          --pot-max N             run POT only up to this N (default 12000; it holds several N x N float64 matrices)
          --pot-stop-thr T        POT's stopThr, an L2 column-marginal threshold (default tolerance / sqrt(N))
          --pot-timeout S         wall-clock limit of one POT run of three terms, seconds (default 3600)
          --geomloss-scaling Q    GeomLoss eps-scaling, used only if geomloss imports (default 0.9)
          --python PATH           interpreter for POT / GeomLoss (default /usr/bin/python3)
          --seed S                source cloud seed; the target uses S + 1 (default 1)
          --solvers LIST          subset of dense,multiscale,cluster,pot,geomloss (default all); cluster: the
                                  multiscale divergence as a job on an embedded silo, its points kept on the shards
          --shards S              shards per cloud of the cluster row (default 4)
          --precision P           our kernels: double (default) or single
          --leaf L                points per leaf cluster of our multiscale rows (default: from the memory budget)
          --memory-budget BYTES   the budget that chooses those leaves (default: half of the machine's memory)
        """;

    public static DivergenceBenchOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new DivergenceBenchOptions();
        for (var k = 0; k < arguments.Count; k++)
        {
            var name = arguments[k];
            string Next() => k + 1 < arguments.Count ? arguments[++k] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--sizes" => options with { Sizes = [.. Next().Split(',').Select(Int)] },
                "--quick" => options with { Sizes = [2_000] },
                "--epsilons" => options with { Epsilons = [.. Next().Split(',').Select(Double)] },
                "--tolerance" => options with { Tolerance = Double(Next()) },
                "--max-iterations" => options with { MaxIterations = Int(Next()) },
                "--pot-max" => options with { PotMax = Int(Next()) },
                "--pot-stop-thr" => options with { PotStopThreshold = Double(Next()) },
                "--pot-timeout" => options with { PotTimeoutSeconds = Double(Next()) },
                "--geomloss-scaling" => options with { GeomLossScaling = Double(Next()) },
                "--python" => options with { Python = Next() },
                "--seed" => options with { Seed = Int(Next()) },
                "--solvers" => options with { Solvers = ParseSolvers(Next()) },
                "--shards" => options with { Shards = Int(Next()) },
                "--leaf" => options with { LeafClusterSize = Int(Next()) },
                "--precision" => options with { Precision = Next() switch { "double" => Transport.Numerics.Kernels.Precision.Double, "single" => Transport.Numerics.Kernels.Precision.Single, var other => throw new ArgumentException($"--precision must be double or single, got '{other}'") } },
                "--memory-budget" => options with { MemoryBudget = long.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if (options.Sizes.Any(n => n < 1) || options.Epsilons.Any(e => !(e > 0)) || !(options.Tolerance > 0) || options.MaxIterations < 1)
        {
            throw new ArgumentException("sizes, epsilons, tolerance and max-iterations must be positive");
        }

        return options;
    }

    private static HashSet<string> ParseSolvers(string value)
    {
        var solvers = new HashSet<string>(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
        var unknown = solvers.Where(s => !AllSolvers.Contains(s)).ToList();
        return unknown.Count > 0 ? throw new ArgumentException($"unknown solver(s) {string.Join(", ", unknown)} (expected dense, multiscale, pot, geomloss)") : solvers;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static double Double(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
