using Transport.Numerics.Transport;
using Transport.Numerics.Kernels;
using Transport.Numerics.Geometry;
namespace Transport.Grains.Interfaces;

/// <summary>
/// What a client asks the cluster to solve. Option names and meanings follow
/// <c>transport sinkhorn</c>; the coordinator validates them before anything starts.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.SinkhornJobSpec")]
public sealed record SinkhornJobSpec
{
    /// <summary>Truncation of the multiscale solver when none is given (in units of eps; see <see cref="Truncation"/>).</summary>
    public const double DefaultTruncation = 5;

    /// <summary>Most levels a multiscale run may ask for.</summary>
    public const int MaxLevels = 16;

    /// <summary>Number of source points n.</summary>
    [Id(0)]
    public required int SourceCount { get; init; }

    /// <summary>Number of target points m.</summary>
    [Id(1)]
    public required int TargetCount { get; init; }

    /// <summary>Dimension d of both clouds.</summary>
    [Id(2)]
    public required int Dimension { get; init; }

    /// <summary>Target regularisation eps &gt; 0.</summary>
    [Id(3)]
    public required double Epsilon { get; init; }

    /// <summary><c>sqeuclidean</c> or <c>half-sqeuclidean</c>.</summary>
    [Id(4)]
    public string Cost { get; init; } = "sqeuclidean";

    /// <summary>L1 column-marginal tolerance.</summary>
    [Id(5)]
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Iteration cap.</summary>
    [Id(6)]
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Annealing factor in (0, 1]; 1 disables annealing.</summary>
    [Id(7)]
    public double Scaling { get; init; } = 0.5;

    /// <summary>Convergence test every k iterations.</summary>
    [Id(8)]
    public int CheckEvery { get; init; } = 1;

    /// <summary><c>double</c> or <c>single</c>.</summary>
    [Id(9)]
    public string Precision { get; init; } = "double";

    /// <summary>Shards per cloud (each cloud is split into this many contiguous blocks, capped by its size).</summary>
    [Id(10)]
    public int Shards { get; init; } = 1;

    /// <summary>Also solve the two self problems and report the Sinkhorn divergence.</summary>
    [Id(11)]
    public bool Divergence { get; init; }

    /// <summary>Solve coarse-to-fine with the multiscale solver instead of the dense one.</summary>
    [Id(12)]
    public bool Multiscale { get; init; }

    /// <summary>Multiscale levels, 1 to <see cref="MaxLevels"/>; 0 lets the solver choose. Only with <see cref="Multiscale"/>.</summary>
    [Id(13)]
    public int Levels { get; init; }

    /// <summary>
    /// Multiscale truncation threshold TAU &gt; 0, finite: how far a pair may lie from the best ones before the
    /// multiscale solver neglects it (that solver defines the scale). Values other than the default only with
    /// <see cref="Multiscale"/>.
    /// </summary>
    [Id(14)]
    public double Truncation { get; init; } = DefaultTruncation;

    /// <summary>A label its owner gives the job (listed by <c>transport runs list</c>); null: none.</summary>
    [Id(15)]
    public string? Label { get; init; }

    /// <summary>
    /// Bytes the multiscale solve may hold at its peak, which chooses the leaf size (the smallest of 8, 16, 32, ... whose
    /// estimate fits); &gt; 0. Null: half of the memory available to the coordinator's silo. Only with
    /// <see cref="Multiscale"/>.
    /// </summary>
    [Id(16)]
    public long? MemoryBudget { get; init; }

    /// <summary>
    /// Points per finest cluster of the multiscale hierarchy (&gt;= 1), overriding the choice from <see cref="MemoryBudget"/>;
    /// null: chosen. Only with <see cref="Multiscale"/>.
    /// </summary>
    [Id(17)]
    public int? LeafClusterSize { get; init; }

    /// <summary>The engine's options (not validated here: see <see cref="SinkhornOptions.Validate"/>; unknown cost or precision names throw).</summary>
    public SinkhornOptions ToOptions() => new()
    {
        Epsilon = Epsilon,
        Cost = CostFunctions.Parse(Cost),
        Tolerance = Tolerance,
        MaxIterations = MaxIterations,
        Scaling = Scaling,
        CheckEvery = CheckEvery,
        Precision = Precisions.Parse(Precision),
    };
}
