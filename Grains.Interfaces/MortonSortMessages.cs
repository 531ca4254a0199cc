using System.Runtime.InteropServices;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Rows of a block sorted along the Morton curve (<see cref="MortonSortedBlock"/>) in one message: positions and weights
/// as <see cref="FloatBlock"/>s, codes (uint64) and input indices (int32) packed little-endian in byte arrays, which
/// Orleans copies as one buffer each. <see cref="PayloadBytes"/> of a message is what counts against the chunk size.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MortonRows")]
public sealed record MortonRows
{
    /// <summary>Positions (rows x dimension).</summary>
    [Id(0)]
    public required FloatBlock Positions { get; init; }

    /// <summary>Weights (rows x 1).</summary>
    [Id(1)]
    public required FloatBlock Weights { get; init; }

    /// <summary>Morton codes, little-endian uint64, non-decreasing.</summary>
    [Id(2)]
    public required byte[] Codes { get; init; }

    /// <summary>Input indices, little-endian int32.</summary>
    [Id(3)]
    public required byte[] Indices { get; init; }

    /// <summary>Bytes of payload per row of dimension <paramref name="dimension"/>: 8 per coordinate, 8 weight, 8 code, 4 index.</summary>
    public static int RowBytes(int dimension) => (8 * dimension) + 20;

    /// <summary>Rows of dimension <paramref name="dimension"/> whose payload fits <paramref name="chunkBytes"/> (at least 1).</summary>
    public static int RowsPerChunk(int dimension, int chunkBytes) => Math.Max(1, chunkBytes / RowBytes(dimension));

    /// <summary>Payload bytes of this message (what the chunk size bounds; the serializer adds a small framing).</summary>
    public long PayloadBytes => Positions.Bytes.LongLength + Weights.Bytes.LongLength + Codes.LongLength + Indices.LongLength;

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a sorted block.</summary>
    public static MortonRows From(MortonSortedBlock block, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(block);
        var d = block.Dimension;
        return new MortonRows
        {
            Positions = FloatBlock.From(block.Positions.AsSpan(start * d, count * d), count, d),
            Weights = FloatBlock.FromVector(block.Weights.AsSpan(start, count)),
            Codes = MemoryMarshal.AsBytes(block.Codes.AsSpan(start, count)).ToArray(),
            Indices = MemoryMarshal.AsBytes(block.Indices.AsSpan(start, count)).ToArray(),
        };
    }

    /// <summary>The rows as a sorted block, checked for a consistent shape.</summary>
    public MortonSortedBlock ToBlock()
    {
        if (!Positions.IsWellFormed || !Weights.IsWellFormed || Codes is null || Indices is null
            || Weights.Rows != Positions.Rows || Codes.Length != 8L * Positions.Rows || Indices.Length != 4L * Positions.Rows)
        {
            throw new ArgumentException("sorted rows whose positions, weights, codes and indices do not have one row count");
        }

        return new MortonSortedBlock(
            Positions.Values.ToArray(),
            Weights.Values.ToArray(),
            MemoryMarshal.Cast<byte, ulong>(Codes).ToArray(),
            MemoryMarshal.Cast<byte, int>(Indices).ToArray(),
            Math.Max(1, Positions.Columns));
    }
}

/// <summary>
/// Sort keys (code, input index) of a Morton sort: a shard's regular sample (with <see cref="BlockCount"/>, the points it
/// stands for) or the splitters the coordinator chose from all samples.
/// </summary>
/// <param name="Codes">Codes, in key order.</param>
/// <param name="Indices">Input indices.</param>
/// <param name="BlockCount">Points of the sampled block (0 for splitters).</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MortonKeys")]
public sealed record MortonKeys([property: Id(0)] ulong[] Codes, [property: Id(1)] int[] Indices, [property: Id(2)] int BlockCount)
{
    /// <summary>Wire bytes a key may take (a varint code, a varint index and their tags), for bounding a message.</summary>
    public const int KeyBytes = 24;
}

/// <summary>The wire form of a <see cref="MortonCellSummary"/>.</summary>
/// <param name="PointCount">Points of the shard's sorted block.</param>
/// <param name="Cells">Distinct cells per depth.</param>
/// <param name="First">First cell per depth.</param>
/// <param name="Last">Last cell per depth.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MortonCells")]
public sealed record MortonCells([property: Id(0)] int PointCount, [property: Id(1)] int[] Cells, [property: Id(2)] ulong[] First, [property: Id(3)] ulong[] Last)
{
    /// <summary>The message of a summary.</summary>
    public static MortonCells From(MortonCellSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new MortonCells(summary.PointCount, summary.Cells, summary.First, summary.Last);
    }

    /// <summary>The summary of this message.</summary>
    public MortonCellSummary ToSummary() => new(PointCount, Cells, First, Last);
}

/// <summary>The wire form of a <see cref="LeafEdge"/>.</summary>
/// <param name="Count">Points of the shard's sorted block.</param>
/// <param name="FirstLeaf">Leaf cell of its first point.</param>
/// <param name="LastLeaf">Leaf cell of its last point.</param>
/// <param name="Leading">Points at its start in the first leaf.</param>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MortonLeafEdge")]
public sealed record MortonLeafEdge([property: Id(0)] int Count, [property: Id(1)] ulong FirstLeaf, [property: Id(2)] ulong LastLeaf, [property: Id(3)] int Leading)
{
    /// <summary>The edge of this message.</summary>
    public LeafEdge ToEdge() => new(Count, FirstLeaf, LastLeaf, Leading);
}

/// <summary>
/// A range of a shard's leaf summaries (<see cref="LeafClusters"/>) in one message: prefixes (uint64) and point counts
/// (int32) packed little-endian, masses and centroids as <see cref="FloatBlock"/>s.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Transport.MortonLeafChunk")]
public sealed record MortonLeafChunk
{
    /// <summary>Leaf cells, little-endian uint64.</summary>
    [Id(0)]
    public required byte[] Prefixes { get; init; }

    /// <summary>Points per leaf, little-endian int32.</summary>
    [Id(1)]
    public required byte[] Counts { get; init; }

    /// <summary>Masses (leaves x 1).</summary>
    [Id(2)]
    public required FloatBlock Masses { get; init; }

    /// <summary>Centroids (leaves x dimension).</summary>
    [Id(3)]
    public required FloatBlock Centroids { get; init; }

    /// <summary>Bytes of payload per leaf of dimension <paramref name="dimension"/>.</summary>
    public static int LeafBytes(int dimension) => (8 * dimension) + 20;

    /// <summary>Leaves whose payload fits <paramref name="chunkBytes"/> (at least 1).</summary>
    public static int LeavesPerChunk(int dimension, int chunkBytes) => Math.Max(1, chunkBytes / LeafBytes(dimension));

    /// <summary>Leaves [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of <paramref name="leaves"/>.</summary>
    public static MortonLeafChunk From(LeafClusters leaves, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var d = leaves.Dimension;
        return new MortonLeafChunk
        {
            Prefixes = MemoryMarshal.AsBytes(leaves.Prefixes.AsSpan(start, count)).ToArray(),
            Counts = MemoryMarshal.AsBytes(leaves.Counts.AsSpan(start, count)).ToArray(),
            Masses = FloatBlock.FromVector(leaves.Masses.AsSpan(start, count)),
            Centroids = FloatBlock.From(leaves.Centroids.AsSpan(start * d, count * d), count, d),
        };
    }

    /// <summary>The leaves of this message, of depth <paramref name="depth"/> and dimension <paramref name="dimension"/>.</summary>
    public LeafClusters ToLeaves(int depth, int dimension)
    {
        var count = Masses.Rows;
        if (!Masses.IsWellFormed || !Centroids.IsWellFormed || Prefixes is null || Counts is null
            || Prefixes.Length != 8L * count || Counts.Length != 4L * count || (long)Centroids.Rows * Centroids.Columns != (long)count * dimension)
        {
            throw new ArgumentException("leaf summaries whose prefixes, counts, masses and centroids do not have one leaf count");
        }

        return new LeafClusters(
            depth,
            dimension,
            MemoryMarshal.Cast<byte, ulong>(Prefixes).ToArray(),
            MemoryMarshal.Cast<byte, int>(Counts).ToArray(),
            Masses.Values.ToArray(),
            Centroids.Values.ToArray());
    }
}
