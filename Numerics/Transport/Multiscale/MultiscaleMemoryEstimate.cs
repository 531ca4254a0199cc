using System.Numerics;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The peak bytes a multiscale solve holds (<see cref="MultiscaleSinkhornSolver"/>, with its points in process or on
/// shards of an embedded silo), from the sizes of the structures it allocates for a <see cref="MultiscaleMemoryShape"/>.
/// Counted are live bytes, not the collector's slack between collections (the default budget leaves the other half of
/// the memory for that, <see cref="MultiscaleOptions.DefaultMemoryBudget"/>). The solve peaks in one of four phases
/// on the points, each the structures it has alive at once:
/// <list type="bullet">
/// <item>the jump to the points: the coarse stage and the extrapolation with their pattern, the previous drops and
/// the search's new lists (kept pairs, coarse drops, expanded parents);</item>
/// <item>building the points' pattern: the kept and dropped lists with the sort that makes the pattern;</item>
/// <item>installing the pattern on the points: the new transforms while the old ones live (after a re-admission) and,
/// on shards, every shard's install in its forms at once (the plan, the message, its serialized bytes and the shard's
/// staged copy);</item>
/// <item>iterating on the points: the patterns, both transforms and the safeguard's re-admission (its candidates,
/// then a new pattern).</item>
/// </list>
/// The shards' terms are counted in process too, where they do not arise: they are a few copies of the points and
/// 32 bytes a kept pair.
/// The block level's dropped pairs are held implicitly, as the parent pairs the search expanded
/// (<see cref="ImplicitChildren"/>): the kept pairs one level up stand for them. The kept pairs grow with the number of
/// leaves (<see cref="BlockPatternModel"/>): at 10^6 points in d = 3 they are most of the peak, and larger leaves shrink
/// them.
/// </summary>
public sealed record MultiscaleMemoryEstimate
{
    /// <summary>Entries of a list before its first growth (List doubles from there).</summary>
    private const long FirstListCapacity = 4;

    /// <summary>A transform keeps its gathered keys between calls up to this many bytes (BlockSparseTransform).</summary>
    private const long KeyCacheBytes = 256L << 20;

    /// <summary>Query rows per chunk of a dense block (MultiscaleStage).</summary>
    private const int DenseRowChunk = 64;

    /// <summary>The clouds of the problem, held by the caller: d coordinates and a weight per point.</summary>
    public long Clouds { get; init; }

    /// <summary>The cluster path's copies of the points: the shards' uploaded rows, and each shard's installed rows and partner keys.</summary>
    public long ShardCopies { get; init; }

    /// <summary>The hierarchies: the points in Morton order, their order, and every level's centroids, masses and child offsets.</summary>
    public long Hierarchies { get; init; }

    /// <summary>f, g and their candidates in the run and in the backend, the map and the outputs in input order.</summary>
    public long Potentials { get; init; }

    /// <summary>The truncation searches' per-cluster maxima, radii and linear envelopes (the safeguard's and the next one).</summary>
    public long SearchBounds { get; init; }

    /// <summary>The coarse stage on the leaves and the extrapolation to the points (alive during the jump).</summary>
    public long CoarseStages { get; init; }

    /// <summary>The run's list of the kept leaf pairs (List&lt;(int, int)&gt;, 8 bytes a slot).</summary>
    public long KeptList { get; init; }

    /// <summary>The points' pattern and its transpose (CSR: 4 bytes a kept pair, 4 a row).</summary>
    public long Patterns { get; init; }

    /// <summary>
    /// The cluster path's installs, all shards at once: each share (rows, partner keys, pattern rows re-indexed) as the
    /// coordinator's plan, the message, its serialized bytes and the shard's staged copy.
    /// </summary>
    public long ShardInstalls { get; init; }

    /// <summary>
    /// The dropped pairs, kept to the end: the coarse levels' as the search lists them (List&lt;BlockPair&gt;, 12 bytes a
    /// slot) and as the run holds them (compressed rows, 4 bytes a pair); the block level's as the expanded parent pairs
    /// (about the kept pairs one level up: listed at 8 bytes a slot, held at 4).
    /// </summary>
    public long DroppedList { get; init; }

    /// <summary>The two transforms on the points: per leaf its queries, key ranges and (when they fit the cache) gathered keys.</summary>
    public long PointTransforms { get; init; }

    /// <summary>The jump's search beyond the lists it leaves: the previous stage's drops, read as its start.</summary>
    public long SearchTransient { get; init; }

    /// <summary>The largest sort of a pattern (BlockPattern.FromPairs) or of the safeguard's re-admission.</summary>
    public long SortTransient { get; init; }

    /// <summary>The largest of the four phases: the estimate of the solve's peak.</summary>
    public long PeakBytes { get; init; }

    /// <summary>The estimate for <paramref name="shape"/>.</summary>
    public static MultiscaleMemoryEstimate Of(MultiscaleMemoryShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        double n = shape.SourceCount, m = shape.TargetCount, d = shape.Dimension;
        var clouds = 8 * (d + 1) * (n + m);
        // Run: f, g, candidate; backend: f, g clones, candidate, source candidate; finish: mean squared distance, f and g
        // in input order and the input-order weights; the map twice (sorted, input order).
        var potentials = (8 * 6 * (n + m)) + (2 * 8 * n * d);
        if (shape.Levels == 1)
        {
            // Dense: the points as given, every query chunk against every key (MultiscaleStage with no pattern).
            var dense = Transform(shape, Chunks(n), n, m, Chunks(n), Chunks(n) * m) + Transform(shape, Chunks(m), m, n, Chunks(m), Chunks(m) * n);
            var denseTotal = clouds + (8 * (d + 1) * (n + m)) + (4 * (n + m)) + potentials + dense;
            return new MultiscaleMemoryEstimate
            {
                Clouds = Bytes(clouds),
                Hierarchies = Bytes((8 * (d + 1) * (n + m)) + (4 * (n + m))),
                Potentials = Bytes(potentials),
                PointTransforms = Bytes(dense),
                PeakBytes = Bytes(denseTotal),
            };
        }

        var s = shape.SourceClusters;
        var t = shape.TargetClusters;
        double leafRows = s[0], leafColumns = t[0], kept = shape.KeptPairs[0];
        var droppedHere = shape.DroppedPairs[0];
        var dropped = (double)shape.DroppedPairs.Sum();
        var droppedBefore = dropped - droppedHere;

        // Sorted positions and weights, the order, and per cluster its centroid, mass and child offset (4 bytes).
        var clusters = Enumerable.Range(0, s.Count).Sum(k => (double)s[k] + t[k]);
        var hierarchies = (8 * (d + 1) * (n + m)) + (4 * (n + m)) + (clusters * ((8 * (d + 1)) + 4));
        // The cluster path: the shards' uploaded rows, and their installed rows and partner keys (about the other cloud).
        var shardCopies = 3 * 8 * (d + 1) * (n + m);
        // Per cluster and search: maximum, radius, slope (d) and residual maximum; the safeguard keeps one while the next
        // is made.
        var searchBounds = 2 * clusters * 8 * (d + 3);

        var keptList = 8 * Capacity(kept);
        var patterns = 4 * ((2 * kept) + leafRows + leafColumns);
        // Every share in four forms at once (plan, message, serialized, staged): its rows and partner keys (about both
        // clouds per side) and its pattern rows (4 bytes a kept pair, once per side).
        var shardInstalls = 4 * ((2 * 8 * (d + 1) * (n + m)) + (2 * 4 * kept));
        var pointTransforms = Transform(shape, leafRows, n, m, kept, kept * (m / leafColumns))
            + Transform(shape, leafColumns, m, n, kept, kept * (n / leafRows));
        // Re-installing after a re-admission builds the new transforms while the old ones (and their key caches) live.
        var newTransforms = Transform(shape, leafRows, n, m, kept, kept * (m / leafColumns), keysCached: false)
            + Transform(shape, leafColumns, m, n, kept, kept * (n / leafRows), keysCached: false);

        // The stage on the leaves and the extrapolation to the points: row blocks are the level-2 clusters (chunks of the
        // leaves when the leaves are the coarsest level, whose stage is dense), keys the leaves.
        double coarseRows, coarseColumns, coarseKept, coarseSourceKeys, coarseTargetKeys;
        if (s.Count > 1)
        {
            (coarseRows, coarseColumns, coarseKept) = (s[1], t[1], shape.KeptPairs[1]);
            (coarseSourceKeys, coarseTargetKeys) = (coarseKept * (leafColumns / coarseColumns), coarseKept * (leafRows / coarseRows));
        }
        else
        {
            (coarseRows, coarseColumns) = (Chunks(leafRows), Chunks(leafColumns));
            coarseKept = coarseRows;
            (coarseSourceKeys, coarseTargetKeys) = (coarseRows * leafColumns, coarseColumns * leafRows);
        }

        var coarsePattern = (8 * Capacity(coarseKept)) + (4 * ((2 * coarseKept) + coarseRows + coarseColumns));
        var coarseStage = Transform(shape, coarseRows, leafRows, leafColumns, coarseKept, coarseSourceKeys)
            + Transform(shape, coarseColumns, leafColumns, leafRows, coarseKept, coarseTargetKeys);
        var extrapolation = Transform(shape, coarseRows, n, leafColumns, coarseKept, coarseSourceKeys)
            + Transform(shape, coarseColumns, m, leafRows, coarseKept, coarseTargetKeys);
        var coarseStages = coarsePattern + coarseStage + extrapolation;

        // Dropped pairs: with parents over the leaves, the leaves' drops are the expanded parents (about the kept pairs one
        // level up); the leaves of a two-level hierarchy are the coarsest and their drops are listed.
        var (listedDrops, parents) = s.Count > 1 ? (droppedBefore, coarseKept) : (dropped, 0.0);
        var droppedList = (12 * Capacity(listedDrops)) + (4 * listedDrops) + (8 * Capacity(parents)) + (4 * (parents + coarseRows));

        // The jump's search reads its start (kept coarse pairs and earlier drops) as it goes, with a stack a few children
        // deep; the previous stage's drops (compressed rows) live until it is done, beside the new lists (counted above
        // as the kept list and the dropped list).
        var searchTransient = 4 * (droppedBefore + coarseKept);

        // BlockPattern.FromPairs: a counting sort by row into the column list (4 bytes a pair, counted in building as the
        // pattern it becomes) with two arrays of row starts, each row sorted and deduplicated in place, then the list
        // trimmed (a second copy while it is resized); then the run lists the pattern again (8 a slot) while the old list
        // lives.
        var patternSort = (4 * kept) + (8 * leafRows) + (8 * Capacity(kept));
        // Readmit (HeaviestPairs): the candidates of the heaviest mass bins (24 bytes a slot: mass, index, pair) and the
        // forced set (about 28 bytes an entry), both taken as at most the kept pairs: the re-admitted pairs become kept
        // ones, and the candidates are those and the rest of their mass bins.
        var readmitSort = (24 * Capacity(kept)) + (28 * Capacity(kept));
        var sortTransient = Math.Max(patternSort, readmitSort);

        var common = clouds + shardCopies + hierarchies + potentials + searchBounds;
        var jump = common + coarseStages + searchTransient + keptList + droppedList;
        var building = common + coarsePattern + coarseStage + keptList + droppedList + (4 * kept) + patternSort;
        var installing = common + keptList + patterns + droppedList + shardInstalls + pointTransforms + newTransforms;
        var iterating = common + keptList + patterns + droppedList + pointTransforms + sortTransient;
        return new MultiscaleMemoryEstimate
        {
            Clouds = Bytes(clouds),
            ShardCopies = Bytes(shardCopies),
            Hierarchies = Bytes(hierarchies),
            Potentials = Bytes(potentials),
            SearchBounds = Bytes(searchBounds),
            CoarseStages = Bytes(coarseStages),
            KeptList = Bytes(keptList),
            Patterns = Bytes(patterns),
            ShardInstalls = Bytes(shardInstalls),
            DroppedList = Bytes(droppedList),
            PointTransforms = Bytes(pointTransforms),
            SearchTransient = Bytes(searchTransient),
            SortTransient = Bytes(sortTransient),
            PeakBytes = Bytes(Math.Max(Math.Max(jump, building), Math.Max(installing, iterating))),
        };
    }

    /// <summary>
    /// One BlockSparseTransform: <paramref name="rows"/> row blocks over <paramref name="queries"/> query entities,
    /// <paramref name="keys"/> key entities, <paramref name="kept"/> kept blocks and <paramref name="gathered"/> keys
    /// gathered over all row blocks.
    /// </summary>
    private static double Transform(MultiscaleMemoryShape shape, double rows, double queries, double keys, double kept, double gathered, bool keysCached = true)
    {
        double d = shape.Dimension;
        double kernel = shape.Precision == Precision.Single ? sizeof(float) : sizeof(double);
        double lanes = shape.Precision == Precision.Single ? 8 : 4;
        // QueryPoints per row block: coordinates in the kernel's type and float64 norms, padded to groups of 4 (under 3
        // rows a block), two array headers and the object.
        var queryCopies = ((kernel * d) + 8) * (queries + (3 * rows)) + (80 * rows);
        // Per row block its key ranges (at most two ints a kept block, fewer where neighbouring blocks merge), the array
        // header and its slot, and the key count.
        var ranges = (8 * kept) + (36 * rows);
        // log b of every key.
        var logWeights = 8 * keys;
        // Gathered keys (coordinates and norms, padded to a vector) are kept when they fit KeyCacheBytes, rebuilt otherwise.
        var cacheBytes = gathered * (d + 1) * kernel;
        // A new transform gathers them at its first call.
        var cache = keysCached && cacheBytes <= KeyCacheBytes ? cacheBytes + (rows * (((d + 1) * kernel * lanes) + 80)) : 0;
        // Per parallel task (during a call) a buffer for the largest row block's keys (about twice the mean).
        var workspace = keysCached ? Environment.ProcessorCount * 2 * (gathered / Math.Max(1, rows)) * (d + 2) * kernel : 0;
        return queryCopies + ranges + logWeights + cache + workspace;
    }

    /// <summary>Slots of a List grown one item at a time to <paramref name="count"/> (4, then doubling).</summary>
    private static double Capacity(double count) =>
        count <= 0 ? 0 : count <= FirstListCapacity ? FirstListCapacity : count >= 1L << 62 ? count * 2 : BitOperations.RoundUpToPowerOf2((ulong)Math.Ceiling(count));

    private static double Chunks(double count) => Math.Max(1, Math.Ceiling(count / DenseRowChunk));

    private static long Bytes(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(bytes);
}
