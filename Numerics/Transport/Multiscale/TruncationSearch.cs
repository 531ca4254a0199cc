using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Decides which block pairs a stage keeps, from a provable bound on the plan density.
/// <para>
/// At stage s the potentials f, g live on the level-s entities and the blocks are the clusters of
/// level s + 1. For clusters I, J of any level m &gt; s, with centroids c_I, c_J and radii r_I, r_J
/// measured on their level-s members, every member pair satisfies
/// |x - y| &gt;= (|c_I - c_J| - r_I - r_J)_+, so C(x, y) &gt;= C_low(I, J) = s (|c_I - c_J| - r_I - r_J)_+^2, and the
/// log plan density relative to a (x) b is bounded by
/// beta(I, J) = (max_I f + max_J g - C_low(I, J)) / eps &gt;= (f_i + g_j - C_ij) / eps.
/// The potentials are row-normalised (f = T(g), so sum_j b_j exp((f_i + g_j - C_ij)/eps) = 1: the row's
/// log-normaliser is zero), so beta compares directly with -tau: a pair with beta &lt;= -tau has plan
/// density at most e^-tau everywhere and is dropped, and its mass is at most A_I B_J e^beta.
/// </para>
/// <para>
/// The radius bound ignores how f varies across a cluster, which is large when the transport moves mass
/// far (f grows like 2s&lt;x, x - T(x)&gt;). A second bound, taken when smaller, keeps the linear part:
/// with x = c_I + delta, y = c_J + eta and Delta = c_I - c_J,
/// f + g - C &lt;= (f - 2s&lt;Delta, delta&gt;) + (g + 2s&lt;Delta, eta&gt;) - s|Delta|^2, and with the cluster
/// envelopes f &lt;= R_I + &lt;p_I, delta&gt;, g &lt;= R_J + &lt;q_J, eta&gt; (<see cref="ClusterSlopes"/>),
/// beta &lt;= (R_I + |p_I - 2s Delta| r_I + R_J + |q_J + 2s Delta| r_J - s|Delta|^2) / eps.
/// Near the transport band p_I is close to 2s Delta and the variation of f cancels.
/// </para>
/// The search descends the hierarchy: a coarse pair that passes the test is split into its children,
/// so far-apart regions are dismissed with one test and only pairs near the transport band reach the
/// block level.
/// </summary>
public sealed class TruncationSearch
{
    private readonly ClusterHierarchy source;
    private readonly ClusterHierarchy target;
    private readonly int blockLevel;
    private readonly double epsilon;
    private readonly double truncation;
    private readonly double costScale;
    private readonly double[][] sourceMax;
    private readonly double[][] targetMax;
    private readonly double[][] sourceRadius;
    private readonly double[][] targetRadius;
    private readonly ClusterSlopes[] sourceSlopes;
    private readonly ClusterSlopes[] targetSlopes;

    /// <summary>Prepares the bounds for stage <paramref name="stage"/> with potentials on its level.</summary>
    public TruncationSearch(ClusterHierarchy source, ClusterHierarchy target, int stage, double[] f, double[] g, double epsilon, double truncation, CostFunction cost)
        : this(source, target, stage, ClusterBounds.MeasureLevels(source, stage, f), ClusterBounds.MeasureLevels(target, stage, g), epsilon, truncation, cost)
    {
    }

    /// <summary>
    /// Prepares the bounds for stage <paramref name="stage"/> from bounds measured elsewhere (by whoever holds the
    /// entities of the stage's level, e.g. the shards holding the points): index m of each list holds level m, for
    /// every level above the stage. Only the cluster levels of the hierarchies are read.
    /// </summary>
    public TruncationSearch(ClusterHierarchy source, ClusterHierarchy target, int stage, IReadOnlyList<ClusterBounds?> sourceBounds, IReadOnlyList<ClusterBounds?> targetBounds, double epsilon, double truncation, CostFunction cost)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sourceBounds);
        ArgumentNullException.ThrowIfNull(targetBounds);
        this.source = source;
        this.target = target;
        blockLevel = stage + 1;
        this.epsilon = epsilon;
        this.truncation = truncation;
        costScale = cost.Scale();
        var levels = source.LevelCount;
        sourceMax = new double[levels][];
        targetMax = new double[levels][];
        sourceRadius = new double[levels][];
        targetRadius = new double[levels][];
        sourceSlopes = new ClusterSlopes[levels];
        targetSlopes = new ClusterSlopes[levels];
        for (var m = blockLevel; m < levels; m++)
        {
            var sourceLevel = sourceBounds[m] ?? throw new ArgumentException($"no source bounds for level {m}", nameof(sourceBounds));
            var targetLevel = targetBounds[m] ?? throw new ArgumentException($"no target bounds for level {m}", nameof(targetBounds));
            sourceMax[m] = sourceLevel.Maxima;
            targetMax[m] = targetLevel.Maxima;
            sourceRadius[m] = sourceLevel.Radii;
            targetRadius[m] = targetLevel.Radii;
            sourceSlopes[m] = sourceLevel.Slopes;
            targetSlopes[m] = targetLevel.Slopes;
        }
    }

    /// <summary>The block level (stage + 1).</summary>
    public int BlockLevel => blockLevel;

    /// <summary>Pairs tested by the searches so far.</summary>
    public long PairsTested { get; private set; }

    /// <summary>
    /// A self problem (one cloud against itself, the same hierarchy on both sides): pairs are judged by the larger of
    /// their own and their mirror's bound and diagonal pairs are never dropped, so the kept and the dropped sets are
    /// both symmetric and the diagonal is kept (then a positive plan with the right marginals exists on the pattern).
    /// </summary>
    public bool Symmetric { get; init; }

    /// <summary>
    /// beta(I, J): the bound on (f_i + g_j - C_ij) / eps over the pair's members (for <see cref="Symmetric"/>
    /// searches, the larger of the pair's and its mirror's).
    /// </summary>
    public double LogDensityBound(BlockPair pair) =>
        Symmetric ? Math.Max(OneSidedBound(pair), OneSidedBound(new BlockPair(pair.Level, pair.Target, pair.Source))) : OneSidedBound(pair);

    private double OneSidedBound(BlockPair pair)
    {
        var m = pair.Level;
        var d = source[m].Dimension;
        var x = source[m].Positions.AsSpan(pair.Source * d, d);
        var y = target[m].Positions.AsSpan(pair.Target * d, d);
        var sum = 0.0;
        for (var k = 0; k < d; k++)
        {
            var diff = x[k] - y[k];
            sum += diff * diff;
        }

        var rx = sourceRadius[m][pair.Source];
        var ry = targetRadius[m][pair.Target];
        var gap = Math.Max(0.0, Math.Sqrt(sum) - rx - ry);
        var radiusBound = sourceMax[m][pair.Source] + targetMax[m][pair.Target] - (costScale * gap * gap);

        var p = sourceSlopes[m].Slopes.AsSpan(pair.Source * d, d);
        var q = targetSlopes[m].Slopes.AsSpan(pair.Target * d, d);
        double sourceTilt = 0, targetTilt = 0;
        for (var k = 0; k < d; k++)
        {
            var twice = 2 * costScale * (x[k] - y[k]);
            sourceTilt += (p[k] - twice) * (p[k] - twice);
            targetTilt += (q[k] + twice) * (q[k] + twice);
        }

        var linearBound = sourceSlopes[m].ResidualMax[pair.Source] + (Math.Sqrt(sourceTilt) * rx)
            + targetSlopes[m].ResidualMax[pair.Target] + (Math.Sqrt(targetTilt) * ry)
            - (costScale * sum);
        return Math.Min(radiusBound, linearBound) / epsilon;
    }

    /// <summary>Upper bound on the plan mass of the pair: A_I B_J e^beta (0 when either side has no mass).</summary>
    public double MassBound(BlockPair pair)
    {
        var mass = source[pair.Level].Weights[pair.Source] * target[pair.Level].Weights[pair.Target];
        return mass == 0 ? 0 : mass * Math.Exp(Math.Min(LogDensityBound(pair), 700));
    }

    /// <summary>
    /// Whether the pair may be dropped: no mass on either side, or density provably at most e^-tau. A pair with mass
    /// on one side only is tested like any other: it carries no plan mass, but the potentials of the zero-weight
    /// points (still outputs) are soft minima over exactly such pairs.
    /// </summary>
    public bool Negligible(BlockPair pair) =>
        (source[pair.Level].Weights[pair.Source] == 0 && target[pair.Level].Weights[pair.Target] == 0)
        || (!(Symmetric && pair.Source == pair.Target) && LogDensityBound(pair) <= -truncation);

    /// <summary>All pairs of the coarsest level: the start of the first search.</summary>
    public IEnumerable<BlockPair> CoarsestPairs()
    {
        var top = source.LevelCount - 1;
        for (var i = 0; i < source[top].Count; i++)
        {
            for (var j = 0; j < target[top].Count; j++)
            {
                yield return new BlockPair(top, i, j);
            }
        }
    }

    /// <summary>
    /// Whether the search records the pairs it expands one level above the block level
    /// (<see cref="TruncationSearchResult.Expanded"/>) instead of listing their dropped children: those are then the
    /// expanded pairs' children that are not kept (<see cref="ImplicitChildren"/>). Every block-level pair must then
    /// come from such an expansion (the start holds no block-level pair but forced ones, which are kept).
    /// </summary>
    public bool ImplicitBlockDrops { get; init; }

    /// <summary>
    /// Descends from <paramref name="start"/> (pairs at the block level or above): negligible pairs are
    /// dropped, others split into their children until the block level, where they are kept. Pairs in
    /// <paramref name="forced"/> are split (or kept) without testing: the safeguard re-admits them. The start is read
    /// one pair at a time (each descended before the next is read), so it need not be listed.
    /// </summary>
    public TruncationSearchResult Search(IEnumerable<BlockPair> start, IReadOnlySet<BlockPair>? forced = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (ImplicitBlockDrops && blockLevel + 1 >= source.LevelCount)
        {
            throw new InvalidOperationException($"the block level {blockLevel} has no parents: its drops cannot be implicit");
        }

        var result = new TruncationSearchResult([], [], []);
        var stack = new Stack<BlockPair>();
        foreach (var first in start)
        {
            stack.Push(first);
            while (stack.Count > 0)
            {
                Descend(stack, stack.Pop(), forced, result);
            }
        }

        return result;
    }

    private void Descend(Stack<BlockPair> stack, BlockPair pair, IReadOnlySet<BlockPair>? forced, TruncationSearchResult result)
    {
        PairsTested++;
        if (forced?.Contains(pair) != true && Negligible(pair))
        {
            if (!(ImplicitBlockDrops && pair.Level == blockLevel))
            {
                result.Dropped.Add(pair);
            }
        }
        else if (pair.Level == blockLevel)
        {
            result.Kept.Add((pair.Source, pair.Target));
        }
        else
        {
            if (ImplicitBlockDrops && pair.Level == blockLevel + 1)
            {
                result.Expanded.Add((pair.Source, pair.Target));
            }

            var rows = source[pair.Level].ChildOffsets;
            var columns = target[pair.Level].ChildOffsets;
            for (var i = rows[pair.Source]; i < rows[pair.Source + 1]; i++)
            {
                for (var j = columns[pair.Target]; j < columns[pair.Target + 1]; j++)
                {
                    stack.Push(new BlockPair(pair.Level - 1, i, j));
                }
            }
        }
    }

    /// <summary>
    /// Adds, for every block-level row (and column) that keeps no pair, its pair of largest bound with a
    /// massive partner, so every row sees some mass and no potential becomes infinite.
    /// </summary>
    public void CoverEveryRowAndColumn(List<(int Source, int Target)> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var rows = source[blockLevel].Count;
        var columns = target[blockLevel].Count;
        var rowCovered = new bool[rows];
        var columnCovered = new bool[columns];
        foreach (var (i, j) in kept)
        {
            rowCovered[i] = true;
            columnCovered[j] = true;
        }

        for (var i = 0; i < rows; i++)
        {
            if (!rowCovered[i])
            {
                kept.Add((i, Best(columns, j => new BlockPair(blockLevel, i, j), j => target[blockLevel].Weights[j] > 0)));
            }
        }

        for (var j = 0; j < columns; j++)
        {
            if (!columnCovered[j])
            {
                kept.Add((Best(rows, i => new BlockPair(blockLevel, i, j), i => source[blockLevel].Weights[i] > 0), j));
            }
        }
    }

    private int Best(int count, Func<int, BlockPair> pairOf, Func<int, bool> massive)
    {
        var best = -1;
        var bestBound = double.NegativeInfinity;
        for (var k = 0; k < count; k++)
        {
            if (!massive(k))
            {
                continue;
            }

            var bound = LogDensityBound(pairOf(k));
            if (best < 0 || bound > bestBound)
            {
                best = k;
                bestBound = bound;
            }
        }

        return best;
    }
}
