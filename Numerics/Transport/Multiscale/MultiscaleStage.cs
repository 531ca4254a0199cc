namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The two restricted soft c-transforms of one level: f = T_b(g) with source entities as queries and
/// g = T_a(f) with target entities as queries, over the level's block pattern (the coarsest level is
/// dense: its rows are fixed-size chunks, for parallelism, against one column block holding every key).
/// The same construction with finer queries gives the extrapolation to the next level.
/// </summary>
internal sealed class MultiscaleStage
{
    /// <summary>Queries per row chunk on the dense coarsest level.</summary>
    private const int DenseRowChunk = 64;

    private MultiscaleStage(int level, BlockPattern pattern, BlockSparseTransform sourceUpdate, BlockSparseTransform targetUpdate)
    {
        Level = level;
        Pattern = pattern;
        SourceUpdate = sourceUpdate;
        TargetUpdate = targetUpdate;
    }

    /// <summary>The level whose entities carry the potentials.</summary>
    public int Level { get; }

    /// <summary>Kept block pairs (clusters of level + 1), or the single dense block on the coarsest level.</summary>
    public BlockPattern Pattern { get; }

    /// <summary>f = T_b(g) restricted to the pattern.</summary>
    public BlockSparseTransform SourceUpdate { get; }

    /// <summary>g = T_a(f) restricted to the transposed pattern.</summary>
    public BlockSparseTransform TargetUpdate { get; }

    /// <summary>
    /// Transforms whose keys are the entities of <paramref name="level"/> and whose queries are those of
    /// <paramref name="queryLevel"/> (the level itself, or the one below to extrapolate), restricted to
    /// <paramref name="pattern"/> over clusters of level + 1 (null: dense).
    /// </summary>
    public static MultiscaleStage Create(ClusterHierarchy source, ClusterHierarchy target, int level, int queryLevel, BlockPattern? pattern, SinkhornOptions options)
    {
        int[] sourceRows, targetRows, sourceColumns, targetColumns;
        BlockPattern forward, backward;
        if (pattern is null)
        {
            sourceRows = Chunks(source[queryLevel].Count);
            targetRows = Chunks(target[queryLevel].Count);
            sourceColumns = [0, source[level].Count];
            targetColumns = [0, target[level].Count];
            forward = BlockPattern.Full(sourceRows.Length - 1, 1);
            backward = BlockPattern.Full(targetRows.Length - 1, 1);
        }
        else
        {
            sourceRows = source.Boundaries(level + 1, queryLevel);
            targetRows = target.Boundaries(level + 1, queryLevel);
            sourceColumns = source.Boundaries(level + 1, level);
            targetColumns = target.Boundaries(level + 1, level);
            forward = pattern;
            backward = pattern.Transpose();
        }

        var sourceUpdate = BlockSparseTransform.Create(source[queryLevel], sourceRows, target[level], targetColumns, forward, options.Cost, options.Precision, options.MaxDegreeOfParallelism);
        var targetUpdate = BlockSparseTransform.Create(target[queryLevel], targetRows, source[level], sourceColumns, backward, options.Cost, options.Precision, options.MaxDegreeOfParallelism);
        return new MultiscaleStage(level, forward, sourceUpdate, targetUpdate);
    }

    /// <summary>Row chunks of <see cref="DenseRowChunk"/> queries over <paramref name="count"/> rows: the rows of a dense block, split for parallelism.</summary>
    internal static int[] Chunks(int count)
    {
        var chunks = Math.Max(1, (count + DenseRowChunk - 1) / DenseRowChunk);
        var boundaries = new int[chunks + 1];
        for (var c = 0; c <= chunks; c++)
        {
            boundaries[c] = Math.Min(count, c * DenseRowChunk);
        }

        return boundaries;
    }
}
