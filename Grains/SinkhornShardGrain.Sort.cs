using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// The shard's part of a Morton sort without gathering (<see cref="DistributedMortonSort"/>): per solve term, its rows
/// sorted along the curve, then exchanged with the peers of its side by sample-sort buckets and by leaf alignment moves,
/// every message at most the chunk size. Peers' rows arrive by interleaved calls while this shard is sending its own, so
/// they are kept apart (<see cref="MortonSortState.Received"/>) and merged by key when the coordinator says all are in.
/// </summary>
public sealed partial class SinkhornShardGrain
{
    private readonly Dictionary<SinkhornTerm, MortonSortState> mortonSorts = [];

    /// <inheritdoc />
    public async Task<MortonKeys> MortonSortAsync(SinkhornTerm term, FloatBlock box, int samples)
    {
        ArgumentNullException.ThrowIfNull(box);
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        _ = PartnerSide(term); // a self term runs on its own cloud's shards only
        var d = Setup.Dimension;
        if (!box.IsWellFormed || box.Rows != 2 || box.Columns != d)
        {
            throw new ArgumentException($"a box of {box.Rows} x {box.Columns} for points of dimension {d}", nameof(box));
        }

        var values = box.Values;
        var morton = new MortonOrder(new BoundingBox(values[..d].ToArray(), values[d..].ToArray()));
        var (rows, rowWeights, first) = (positions, weights, Offsets(side)[index]);
        var block = await Task.Run(() => MortonSortedBlock.Sort(morton, rows, rowWeights, first));
        mortonSorts[term] = new MortonSortState(morton, block);
        var (codes, indices) = block.Sample(samples);
        return new MortonKeys(codes, indices, block.Count);
    }

    /// <inheritdoc />
    public async Task MortonExchangeAsync(SinkhornTerm term, MortonKeys splitters, int chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(splitters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        var state = MortonSort(term);
        var shards = Offsets(side).Length - 1;
        if (splitters.Codes.Length != shards - 1 || splitters.Indices.Length != shards - 1)
        {
            throw new ArgumentException($"{splitters.Codes.Length} splitters for {shards} shards", nameof(splitters));
        }

        var block = state.Block;
        var bounds = block.BucketBoundaries(splitters.Codes, splitters.Indices);
        state.Block = MortonSortedBlock.Empty(block.Dimension);
        state.Received.Add(block.Slice(bounds[index], bounds[index + 1] - bounds[index]));
        await Task.WhenAll(Enumerable.Range(0, shards)
            .Where(k => k != index && bounds[k + 1] > bounds[k])
            .Select(k => SendAsync(term, block, k, bounds[k], bounds[k + 1] - bounds[k], chunkBytes)));
    }

    /// <inheritdoc />
    public Task MortonReceiveAsync(SinkhornTerm term, MortonRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var piece = rows.ToBlock();
        var state = MortonSort(term);
        if (piece.Count > 0 && piece.Dimension != state.Block.Dimension)
        {
            throw new ArgumentException($"rows of dimension {piece.Dimension} for a sort of dimension {state.Block.Dimension}", nameof(rows));
        }

        state.Received.Add(piece);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<MortonCells> MortonMergeAsync(SinkhornTerm term)
    {
        var state = MortonSort(term);
        await MergeReceivedAsync(state);
        return MortonCells.From(MortonCellSummary.Of(state.Morton, state.Block.Codes));
    }

    /// <inheritdoc />
    public Task<MortonLeafEdge> MortonLeafEdgeAsync(SinkhornTerm term, int leafDepth)
    {
        var state = MortonSort(term);
        CheckDepth(state, leafDepth);
        var edge = LeafEdge.Of(state.Morton, state.Block.Codes, leafDepth);
        return Task.FromResult(new MortonLeafEdge(edge.Count, edge.FirstLeaf, edge.LastLeaf, edge.Leading));
    }

    /// <inheritdoc />
    public async Task MortonAlignAsync(SinkhornTerm term, int receiver, int count, int chunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        var state = MortonSort(term);
        var block = state.Block;
        if (receiver < 0 || receiver >= index || count < 0 || count > block.Count)
        {
            throw new ArgumentException($"shard {index} cannot move its first {count} of {block.Count} rows to shard {receiver}");
        }

        // Dropped before the first await: rows a later peer moves here meanwhile go to Received, not into this range.
        state.Block = block.Slice(count, block.Count - count);
        state.Leaves = null;
        await SendAsync(term, block, receiver, 0, count, chunkBytes);
    }

    /// <inheritdoc />
    public async Task<int> MortonLeavesAsync(SinkhornTerm term, int leafDepth)
    {
        var state = MortonSort(term);
        CheckDepth(state, leafDepth);
        await MergeReceivedAsync(state);
        var block = state.Block;
        state.Leaves = await Task.Run(() => LeafClusters.Of(state.Morton, block, leafDepth));
        return state.Leaves.Count;
    }

    /// <inheritdoc />
    public Task<MortonLeafChunk> GetMortonLeavesAsync(SinkhornTerm term, int offset, int count)
    {
        var leaves = MortonSort(term).Leaves ?? throw new InvalidOperationException($"the leaves of the {term.Name()} sort have not been summarised on shard {this.GetPrimaryKeyString()}");
        if (offset < 0 || count < 0 || offset + count > leaves.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"leaves [{offset}, {offset + count}) of {leaves.Count}");
        }

        return Task.FromResult(MortonLeafChunk.From(leaves, offset, count));
    }

    /// <inheritdoc />
    public Task<MortonRows> GetMortonRowsAsync(SinkhornTerm term, int offset, int count)
    {
        var block = MortonSort(term).Block;
        if (offset < 0 || count < 0 || offset + count > block.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"rows [{offset}, {offset + count}) of {block.Count}");
        }

        return Task.FromResult(MortonRows.From(block, offset, count));
    }

    /// <inheritdoc />
    public Task ReleaseMortonSortAsync(SinkhornTerm term)
    {
        mortonSorts.Remove(term);
        return Task.CompletedTask;
    }

    private MortonSortState MortonSort(SinkhornTerm term) =>
        mortonSorts.TryGetValue(term, out var state) ? state : throw new ShardStateLostException($"no Morton sort of the {term.Name()} solve on shard {this.GetPrimaryKeyString()}");

    private static void CheckDepth(MortonSortState state, int depth)
    {
        if (depth < 0 || depth > state.Morton.BitsPerDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), $"leaf depth {depth} outside 0 .. {state.Morton.BitsPerDimension}");
        }
    }

    /// <summary>Merges the received pieces into the block, by key: the order they arrived in does not matter.</summary>
    private static async Task MergeReceivedAsync(MortonSortState state)
    {
        if (state.Received.Count == 0)
        {
            return;
        }

        List<MortonSortedBlock> pieces = [state.Block, .. state.Received];
        state.Received.Clear();
        state.Leaves = null;
        state.Block = await Task.Run(() => MortonSortedBlock.Merge(pieces, state.Morton.Dimension));
    }

    /// <summary>Sends rows [start, start + count) of <paramref name="block"/> to peer <paramref name="peer"/> of this side, one chunk after another.</summary>
    private async Task SendAsync(SinkhornTerm term, MortonSortedBlock block, int peer, int start, int count, int chunkBytes)
    {
        var target = Peer(side, peer);
        var rows = MortonRows.RowsPerChunk(block.Dimension, chunkBytes);
        for (var at = start; at < start + count; at += rows)
        {
            await target.MortonReceiveAsync(term, MortonRows.From(block, at, Math.Min(rows, start + count - at)));
        }
    }

    /// <summary>One term's sort on this shard: its sorted block, the pieces received since the last merge, its leaves.</summary>
    private sealed class MortonSortState(MortonOrder morton, MortonSortedBlock block)
    {
        public MortonOrder Morton { get; } = morton;

        public MortonSortedBlock Block { get; set; } = block;

        public List<MortonSortedBlock> Received { get; } = [];

        public LeafClusters? Leaves { get; set; }
    }
}
