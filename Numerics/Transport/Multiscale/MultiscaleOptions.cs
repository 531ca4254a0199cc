using System.Globalization;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Options of the multiscale solver on top of <see cref="SinkhornOptions"/>. <see cref="Validate"/>
/// rejects out-of-range values naming the field.
/// </summary>
public sealed record MultiscaleOptions
{
    /// <summary>
    /// Number of levels including the points themselves (1 = dense, no clustering). Null chooses them:
    /// clusters of about <see cref="LeafClusterSize"/> points, then one octree depth coarser per level
    /// until at most <see cref="CoarsestClusters"/> clusters remain.
    /// </summary>
    public int? Levels { get; init; }

    /// <summary>
    /// Truncation threshold tau &gt; 0: a block pair is skipped when its plan density is provably at most
    /// e^-tau (see <see cref="TruncationSearch"/>). Default 5 (GeomLoss's value).
    /// </summary>
    public double Truncation { get; init; } = 5;

    /// <summary>Re-evaluate the dropped blocks at the end and re-admit them when their mass bound exceeds <see cref="NeglectedMassTolerance"/>. Default on.</summary>
    public bool Safeguard { get; init; } = true;

    /// <summary>
    /// The largest acceptable upper bound on the plan mass in dropped blocks (an L1 error bound on the
    /// marginals). Default 1e-5: the radius bound is loose, so a target at the Sinkhorn tolerance
    /// (1e-6) would re-admit most of the boundary blocks for little gain.
    /// </summary>
    public double NeglectedMassTolerance { get; init; } = 1e-5;

    /// <summary>Most safeguard refinements (each re-admits blocks and iterates again); default 8.</summary>
    public int MaxRefinements { get; init; } = 8;

    /// <summary>
    /// Target number of points per finest cluster. Null (default): the smallest of <see cref="DefaultLeafClusterSize"/>
    /// (8), 16, 32, ... whose estimated peak memory (<see cref="MultiscaleMemoryEstimate"/>) fits
    /// <see cref="MemoryBudget"/>, so that problems which fit keep leaves of about 8 points and larger ones get larger
    /// leaves instead of outgrowing the memory; a value given here is used whatever the budget.
    /// Small blocks keep the kept set close to the blur-wide transport band: at N = 10^5, d = 3, blur 0.01 x
    /// diameter, leaves of about 8 points keep 108x fewer point pairs per iteration than dense against 24x
    /// for leaves of 32 (the finest level is then coarsened when its cells are much smaller than the blur). But the
    /// block pattern grows with the number of leaves (a few hundred partner leaves each in d = 3): at 10^6 points the
    /// leaves of 8 need more than 20 GB.
    /// </summary>
    public int? LeafClusterSize { get; init; }

    /// <summary>
    /// The most bytes the solve may hold at its peak (its estimate, <see cref="MultiscaleMemoryEstimate"/>), which
    /// chooses <see cref="LeafClusterSize"/> when that is not given; must be &gt; 0. Null (default):
    /// <see cref="DefaultMemoryBudget"/>.
    /// </summary>
    public long? MemoryBudget { get; init; }

    /// <summary>The leaf size the automatic choice starts from (and keeps whenever it fits the budget): 8.</summary>
    public const int DefaultLeafClusterSize = 8;

    /// <summary>
    /// Half of the memory available to this process (the GC's limit, which honours a container's limit; 8 GiB when the
    /// runtime does not know it): the rule of a silo's <c>MaxJobMemory</c>. The other half is for what the estimate does
    /// not count: the collector's slack between collections, the runtime, and the process's other work. It is not
    /// divided by the solve's shards: the estimate already counts the whole solve in one process (the pattern
    /// bookkeeping, which stays with the coordinator, and every shard's transforms, which an embedded silo holds
    /// together), and splitting the rows over shards moves transforms between processes without shrinking the
    /// coordinator's share.
    /// </summary>
    public static long DefaultMemoryBudget
    {
        get
        {
            var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return available > 0 ? available / 2 : 8L << 30;
        }
    }

    /// <summary>The budget in force: <see cref="MemoryBudget"/>, or <see cref="DefaultMemoryBudget"/> when it is null.</summary>
    public long EffectiveMemoryBudget => MemoryBudget ?? DefaultMemoryBudget;

    /// <summary>The automatic hierarchy stops coarsening at this many clusters per side; default 256.</summary>
    public int CoarsestClusters { get; init; } = 256;

    /// <summary>
    /// Over-relaxation factor w of the cross problem's iterations at the target eps on the points (see
    /// <see cref="RelaxationPolicy"/>): when set, it overrides <see cref="SinkhornOptions.Overrelaxation"/> for this
    /// solve; null (default) takes that one (itself null: measure the plain contraction rate and use the optimal w);
    /// 1 turns it off (plain Sinkhorn); a value in (1, 2) is used as given. Self problems take symmetric averaged
    /// steps instead.
    /// </summary>
    public double? Overrelaxation { get; init; }

    /// <summary>Throws <see cref="InvalidInputException"/> for the first invalid field.</summary>
    public void Validate()
    {
        if (Levels is { } levels && (levels < 1 || levels > MortonOrder.MaxLevels))
        {
            throw new InvalidInputException("levels", $"must be between 1 and {MortonOrder.MaxLevels}, got {levels}");
        }

        if (!double.IsFinite(Truncation) || Truncation <= 0)
        {
            throw new InvalidInputException("truncate", $"must be a finite number > 0, got {Format(Truncation)}");
        }

        if (!double.IsFinite(NeglectedMassTolerance) || NeglectedMassTolerance <= 0)
        {
            throw new InvalidInputException("neglected-mass-tolerance", $"must be a finite number > 0, got {Format(NeglectedMassTolerance)}");
        }

        if (MaxRefinements < 0)
        {
            throw new InvalidInputException("max-refinements", $"must be at least 0, got {MaxRefinements}");
        }

        if (Overrelaxation is { } w && (!double.IsFinite(w) || w < 1 || w >= 2))
        {
            throw new InvalidInputException("overrelaxation", $"must be in [1, 2), got {Format(w)}");
        }

        if (LeafClusterSize is { } leaf && leaf < 1)
        {
            throw new InvalidInputException("leaf-cluster-size", $"must be at least 1, got {leaf}");
        }

        if (MemoryBudget is { } budget && budget <= 0)
        {
            throw new InvalidInputException("memory-budget", $"must be a number of bytes > 0, got {budget}");
        }

        if (CoarsestClusters < 1)
        {
            throw new InvalidInputException("coarsest-clusters", $"must be at least 1, got {CoarsestClusters}");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
