namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// Where one block of a cloud sorted in blocks starts and ends at the leaf depth: what <see cref="LeafAlignment"/> needs
/// from every block.
/// </summary>
/// <param name="Count">Points in the block (0: empty, the other fields are not read).</param>
/// <param name="FirstLeaf">Leaf cell (code prefix at the leaf depth) of its first point.</param>
/// <param name="LastLeaf">Leaf cell of its last point.</param>
/// <param name="Leading">Points at its start in <paramref name="FirstLeaf"/> (1 .. Count).</param>
public sealed record LeafEdge(int Count, ulong FirstLeaf, ulong LastLeaf, int Leading)
{
    /// <summary>The edge of a sorted block at leaf depth <paramref name="depth"/>.</summary>
    public static LeafEdge Of(MortonOrder morton, ReadOnlySpan<ulong> sortedCodes, int depth)
    {
        ArgumentNullException.ThrowIfNull(morton);
        if (sortedCodes.Length == 0)
        {
            return new LeafEdge(0, 0, 0, 0);
        }

        var first = morton.Prefix(sortedCodes[0], depth);
        var leading = 1;
        while (leading < sortedCodes.Length && morton.Prefix(sortedCodes[leading], depth) == first)
        {
            leading++;
        }

        return new LeafEdge(sortedCodes.Length, first, morton.Prefix(sortedCodes[^1], depth), leading);
    }
}

/// <summary>A move of alignment: the first <paramref name="Count"/> points of block <paramref name="From"/> go to the end of block <paramref name="To"/>.</summary>
/// <param name="From">The block giving its leading points.</param>
/// <param name="To">The block holding the first point of their leaf (an earlier block).</param>
/// <param name="Count">Points moved.</param>
public sealed record LeafMove(int From, int To, int Count);

/// <summary>
/// After a distributed sort a leaf cell may straddle block boundaries. The moves that put every leaf whole on the block
/// holding its first point: each block whose first leaf continues a leaf begun on an earlier block sends its leading
/// points of that leaf there. A leaf may span several blocks (the blocks inside it then give all their points and end
/// empty); empty blocks are skipped. Each block gives at most one move, and appending the received points in block
/// order keeps the sorted order (they follow the receiver's own points).
/// </summary>
public static class LeafAlignment
{
    /// <summary>The moves for the blocks' edges, in block order (moves ordered by giving block).</summary>
    public static LeafMove[] Moves(IReadOnlyList<LeafEdge> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var moves = new List<LeafMove>();

        // The block holding the first point of the last leaf seen, and that leaf.
        var owner = -1;
        var ownerLeaf = 0UL;
        for (var b = 0; b < edges.Count; b++)
        {
            var edge = edges[b];
            if (edge.Count == 0)
            {
                continue;
            }

            if (edge.Leading < 1 || edge.Leading > edge.Count || (edge.Leading == edge.Count) != (edge.FirstLeaf == edge.LastLeaf))
            {
                throw new ArgumentException($"block {b}: {edge.Leading} leading points of {edge.Count} with leaves {edge.FirstLeaf} .. {edge.LastLeaf} is not a sorted block", nameof(edges));
            }

            if (owner >= 0 && edge.FirstLeaf < ownerLeaf)
            {
                throw new ArgumentException($"block {b} starts at leaf {edge.FirstLeaf}, before leaf {ownerLeaf} of an earlier block: the blocks are not in sorted order", nameof(edges));
            }

            if (owner >= 0 && edge.FirstLeaf == ownerLeaf)
            {
                moves.Add(new LeafMove(b, owner, edge.Leading));
                if (edge.Leading == edge.Count)
                {
                    // The whole block lies inside the leaf: the owner stays.
                    continue;
                }
            }

            owner = b;
            ownerLeaf = edge.LastLeaf;
        }

        return [.. moves];
    }

    /// <summary>Points per block after the moves.</summary>
    public static int[] CountsAfter(IReadOnlyList<LeafEdge> edges, IReadOnlyList<LeafMove> moves)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(moves);
        var counts = edges.Select(e => e.Count).ToArray();
        foreach (var move in moves)
        {
            counts[move.From] -= move.Count;
            counts[move.To] += move.Count;
        }

        return counts;
    }
}
