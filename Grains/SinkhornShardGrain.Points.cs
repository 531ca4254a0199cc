using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// A multiscale solve whose points stay on the shards (issue 13): after the Morton sort (<c>SinkhornShardGrain.Sort</c>)
/// this shard holds a run of whole leaf clusters of its side, a <see cref="MultiscalePointPart"/>. It measures the
/// radii and bounds the coordinator's pattern search needs, extrapolates leaf potentials onto its points, installs its
/// rows of a leaf-pair pattern with the keys pulled from its partners, and at the end sends its potentials and map back
/// to the shards holding those input rows, which serve them. Requests larger than one message come staged
/// (<see cref="StageInstallAsync"/>); replies of O(clusters) are kept and read in chunks (<see cref="ReadReplyAsync"/>).
/// </summary>
public sealed partial class SinkhornShardGrain
{
    private readonly Dictionary<SinkhornTerm, PointShare> pointShares = [];
    private readonly Dictionary<SinkhornTerm, byte[]> replies = [];
    private readonly Dictionary<SinkhornTerm, ShardOutputs> outputs = [];

    /// <inheritdoc />
    public async Task<long> PreparePointsAsync(SinkhornTerm term, PointLevelsMessage? levels)
    {
        levels ??= TakeStaged<PointLevelsMessage>(term);
        var sort = MortonSort(term);
        var leaves = sort.Leaves ?? throw new InvalidOperationException($"the leaves of the {term.Name()} sort have not been summarised on shard {this.GetPrimaryKeyString()}");
        var block = sort.Block;
        var leafPoints = new int[leaves.Count + 1];
        for (var l = 0; l < leaves.Count; l++)
        {
            leafPoints[l + 1] = leafPoints[l] + leaves.Counts[l];
        }

        var part = new MultiscalePointPart(block.Positions, block.Weights, block.Dimension, leafPoints);
        part.UseLevels(PointMessages.ToLevels(levels));
        pointShares[term] = new PointShare(part, block.Indices);
        var radii = await Task.Run(part.Radii);
        return Reply(term, PointMessages.FromLevels(radii));
    }

    /// <inheritdoc />
    public async Task<long> ExtrapolatePointsAsync(SinkhornTerm term, CloudSide role, PointExtrapolationMessage? plan, double epsilon)
    {
        plan ??= TakeStaged<PointExtrapolationMessage>(term);
        var share = Share(term);
        var options = new SinkhornOptions { Epsilon = epsilon, Cost = CostFunctions.Parse(Setup.Cost), Precision = Precisions.Parse(Setup.Precision) };
        var extrapolation = PointMessages.ToPlan(plan);
        long evaluations = 0;
        var potential = await Task.Run(() => share.Part.Extrapolate(extrapolation, epsilon, options, out evaluations));
        share.Set(role, potential);

        // An installed pattern holds the potentials it started from: they are the old ones now.
        solves.Remove(term);
        TransportTelemetry.KernelEvaluations.Add(evaluations, new KeyValuePair<string, object?>("precision", Setup.Precision));
        return evaluations;
    }

    /// <inheritdoc />
    public async Task<long> MeasurePointBoundsAsync(SinkhornTerm term, CloudSide role)
    {
        var share = Share(term);
        var potential = CurrentPotential(term, role);
        var bounds = await Task.Run(() => share.Part.Bounds(potential));
        return Reply(term, PointMessages.FromBounds(bounds));
    }

    /// <inheritdoc />
    public async Task<double[][]> MeasureSharedResidualsAsync(SinkhornTerm term, CloudSide role, double[][] sharedSlopes)
    {
        ArgumentNullException.ThrowIfNull(sharedSlopes);
        var share = Share(term);
        var potential = CurrentPotential(term, role);
        var residuals = await Task.Run(() => share.Part.SharedResiduals(potential, PointMessages.ToLevels(sharedSlopes)));
        return PointMessages.FromLevels(residuals);
    }

    /// <inheritdoc />
    public async Task<long> InstallPointPatternAsync(SinkhornTerm term, PointPatternMessage? pattern, int chunkBytes)
    {
        pattern ??= TakeStaged<PointPatternMessage>(term);
        var share = Share(term);
        var part = share.Part;
        var d = part.Dimension;
        var partnerSide = PartnerSide(term);

        // The keys: the partners' sorted points of the kept clusters, range by range, in chunks.
        var keyCount = pattern.KeyBoundaries[^1];
        var keyPositions = new double[keyCount * d];
        var keyWeights = new double[keyCount];
        var rowsPerChunk = MortonRows.RowsPerChunk(d, chunkBytes);
        var reads = new List<(int Shard, int Start, int Count, int At)>();
        var at = 0;
        foreach (var partner in pattern.Partners)
        {
            for (var r = 0; r < partner.Starts.Length; r++)
            {
                for (var offset = 0; offset < partner.Counts[r]; offset += rowsPerChunk)
                {
                    var rows = Math.Min(rowsPerChunk, partner.Counts[r] - offset);
                    reads.Add((partner.Shard, partner.Starts[r] + offset, rows, at));
                    at += rows;
                }
            }
        }

        if (at != keyCount)
        {
            throw new ArgumentException($"the partner ranges hold {at} keys, the pattern {keyCount}", nameof(pattern));
        }

        await Task.WhenAll(reads.Select(async read =>
        {
            var rows = partnerSide == side && read.Shard == index
                ? await GetMortonRowsAsync(term, read.Start, read.Count)
                : await Peer(partnerSide, read.Shard).GetMortonRowsAsync(term, read.Start, read.Count);
            rows.Positions.Values.CopyTo(keyPositions.AsSpan(read.At * d));
            rows.Weights.Values.CopyTo(keyWeights.AsSpan(read.At));
        }));

        var rowBlocks = pattern.PatternRowStarts.Length - 1;
        var pairs = new List<(int Row, int Column)>();
        for (var r = 0; r < rowBlocks; r++)
        {
            for (var k = pattern.PatternRowStarts[r]; k < pattern.PatternRowStarts[r + 1]; k++)
            {
                pairs.Add((r, pattern.PatternColumns[k]));
            }
        }

        var blockPattern = BlockPattern.FromPairs(rowBlocks, pattern.KeyBoundaries.Length - 1, pairs);
        var cost = CostFunctions.Parse(Setup.Cost);
        var precision = Precisions.Parse(Setup.Precision);
        var transform = await Task.Run(() => new SinkhornShardPart(
            part.Positions, part.Weights, d, part.LeafPoints, blockPattern, keyPositions, keyWeights, pattern.KeyBoundaries, cost, precision, -1));

        // A re-install (after the safeguard re-admitted blocks) goes on from the potentials the last pattern reached.
        var (f, g) = solves.TryGetValue(term, out var previous) ? (previous.F, previous.G) : (share.F, share.G);
        // Each iteration's pulls are chunked like every other message of the solve.
        solves[term] = new ShardSolve(transform, part.Weights, partnerSide, pattern.Partners, keyCount, f, g, Math.Max(1, chunkBytes / sizeof(double)));
        return pattern.Partners.Length;
    }

    /// <inheritdoc />
    public Task<byte[]> ReadReplyAsync(SinkhornTerm term, long offset, int count)
    {
        var reply = replies.TryGetValue(term, out var bytes) ? bytes : throw new InvalidOperationException($"no reply of the {term.Name()} solve is waiting on shard {this.GetPrimaryKeyString()}");
        if (offset < 0 || count < 0 || offset + count > reply.LongLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"bytes [{offset}, {offset + count}) of a {reply.LongLength}-byte reply");
        }

        var chunk = reply.AsSpan((int)offset, count).ToArray();
        if (offset + count == reply.LongLength)
        {
            replies.Remove(term);
        }

        return Task.FromResult(chunk);
    }

    /// <inheritdoc />
    public async Task ReturnOutputsAsync(SinkhornTerm term, CloudSide role, bool withMap, int chunkBytes)
    {
        var share = Share(term);
        var potential = CurrentPotential(term, role);
        var map = withMap ? Solve(term).Map ?? throw new InvalidOperationException($"the map of the {term.Name()} solve has not been computed") : null;
        var d = share.Part.Dimension;
        var ownerOffsets = Offsets(side);
        var width = 1 + (map is null ? 0 : d);
        var rowsPerChunk = Math.Max(1, chunkBytes / (sizeof(double) * width + sizeof(int)));

        // Group the rows by the shard holding their input row, then send each group in chunks.
        var groups = Enumerable.Range(0, share.InputIndices.Length)
            .GroupBy(s => ShardOfRow(ownerOffsets, share.InputIndices[s]));
        var sends = new List<Task>();
        foreach (var group in groups)
        {
            var rows = group.ToArray();
            for (var start = 0; start < rows.Length; start += rowsPerChunk)
            {
                var slice = rows.AsSpan(start, Math.Min(rowsPerChunk, rows.Length - start)).ToArray();
                var message = new PointOutputsMessage(
                    [.. slice.Select(s => share.InputIndices[s] - ownerOffsets[group.Key])],
                    [.. slice.Select(s => potential[s])],
                    map is null ? null : [.. slice.SelectMany(s => map.AsSpan(s * d, d).ToArray())]);
                sends.Add(group.Key == index ? ReceiveOutputsAsync(term, role, message) : Peer(side, group.Key).ReceiveOutputsAsync(term, role, message));
            }
        }

        await Task.WhenAll(sends);
    }

    /// <inheritdoc />
    public Task ReceiveOutputsAsync(SinkhornTerm term, CloudSide role, PointOutputsMessage rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var d = Setup.Dimension;
        if (!outputs.TryGetValue(term, out var held))
        {
            held = new ShardOutputs(count, d);
            outputs[term] = held;
        }

        var potential = held.Potential(role);
        for (var r = 0; r < rows.Rows.Length; r++)
        {
            potential[rows.Rows[r]] = rows.Potential[r];
        }

        if (rows.Map is { } map)
        {
            for (var r = 0; r < rows.Rows.Length; r++)
            {
                map.AsSpan(r * d, d).CopyTo(held.Map.AsSpan(rows.Rows[r] * d));
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetOutputAsync(SinkhornTerm term, CloudSide role, int offset, int count)
    {
        var held = await OutputsAsync(term);
        return FloatBlock.FromVector(held.Potential(role).AsSpan(offset, count));
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetOutputMapAsync(SinkhornTerm term, int offset, int count)
    {
        var d = Setup.Dimension;
        var held = await OutputsAsync(term);
        return FloatBlock.From(held.Map.AsSpan(offset * d, count * d), count, d);
    }

    /// <inheritdoc />
    public Task KeepOutputsAsync(SinkhornTerm term, CloudSide role, bool withMap)
    {
        // A dense solve's rows are this shard's input rows already.
        var solve = Solve(term);
        if (!outputs.TryGetValue(term, out var held))
        {
            held = new ShardOutputs(count, Setup.Dimension);
            outputs[term] = held;
        }

        solve.Potential(role).CopyTo(held.Potential(role), 0);
        if (withMap)
        {
            (solve.Map ?? throw new InvalidOperationException($"the map of the {term.Name()} solve has not been computed")).CopyTo(held.Map, 0);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task SaveOutputsAsync(SinkhornTerm term)
    {
        var held = await OutputsAsync(term);
        await Store.WriteAsync(OutputRecord(term, "f"), held.F);
        await Store.WriteAsync(OutputRecord(term, "g"), held.G);
        await Store.WriteAsync(OutputRecord(term, "map"), held.Map);
    }

    /// <summary>The outputs held here, or read back from storage by an activation that replaced the one that received them.</summary>
    private async Task<ShardOutputs> OutputsAsync(SinkhornTerm term)
    {
        if (outputs.TryGetValue(term, out var held))
        {
            return held;
        }

        // Only a shard that recovered its block from storage (checkpoints on) can have outputs stored.
        var f = shardStore.Used ? await Store.ReadAsync(OutputRecord(term, "f")) : null;
        if (f is null)
        {
            throw new ShardStateLostException($"shard {this.GetPrimaryKeyString()} holds no outputs of the {term.Name()} solve");
        }

        held = new ShardOutputs(count, Setup.Dimension);
        f.CopyTo(held.F, 0);
        (await Store.ReadAsync(OutputRecord(term, "g")) ?? []).CopyTo(held.G, 0);
        (await Store.ReadAsync(OutputRecord(term, "map")) ?? []).CopyTo(held.Map, 0);
        outputs[term] = held;
        return held;
    }

    private PointShare Share(SinkhornTerm term) =>
        pointShares.TryGetValue(term, out var share) ? share : throw new ShardStateLostException($"shard {this.GetPrimaryKeyString()} holds no points of the {term.Name()} solve");

    /// <summary>The potential of <paramref name="role"/> on this shard's sorted points: the installed solve's, else the extrapolated one.</summary>
    private double[] CurrentPotential(SinkhornTerm term, CloudSide role) =>
        solves.TryGetValue(term, out var solve) ? solve.Potential(role) : Share(term).Potential(role);

    private static int ShardOfRow(int[] offsets, int row)
    {
        var k = Array.BinarySearch(offsets, row);
        k = k >= 0 ? k : ~k - 1;

        // Empty shards share their start with the next: the row belongs to the last shard starting at or before it.
        while (k + 1 < offsets.Length - 1 && offsets[k + 1] <= row)
        {
            k++;
        }

        return k;
    }

    /// <summary>Serializes a reply and keeps it to be read in chunks; returns its length.</summary>
    private long Reply<T>(SinkhornTerm term, T value)
    {
        var bytes = ServiceProvider.GetRequiredService<Serializer>().SerializeToArray(value);
        replies[term] = bytes;
        return bytes.LongLength;
    }

    /// <summary>The request whose bytes <see cref="StageInstallAsync"/> received (all of them).</summary>
    private T TakeStaged<T>(SinkhornTerm term)
    {
        if (!staged.Remove(term, out var buffer) || buffer.Received != buffer.Bytes.LongLength)
        {
            throw new InvalidOperationException($"the staged request of the {term.Name()} solve is incomplete ({buffer.Received} of {buffer.Bytes?.LongLength ?? 0} bytes)");
        }

        return ServiceProvider.GetRequiredService<Serializer>().Deserialize<T>(buffer.Bytes)
            ?? throw new InvalidOperationException($"the staged request of the {term.Name()} solve is empty");
    }

    /// <summary>One term's points on this shard before a pattern is installed, with the potentials put on them.</summary>
    private sealed class PointShare(MultiscalePointPart part, int[] inputIndices)
    {
        public MultiscalePointPart Part { get; } = part;

        public int[] InputIndices { get; } = inputIndices;

        public double[]? F { get; private set; }

        public double[]? G { get; private set; }

        public void Set(CloudSide role, double[] potential)
        {
            if (role == CloudSide.Source)
            {
                F = potential;
            }
            else
            {
                G = potential;
            }
        }

        public double[] Potential(CloudSide role) =>
            (role == CloudSide.Source ? F : G) ?? throw new InvalidOperationException($"no {(role == CloudSide.Source ? "f" : "g")} has been put on the points yet");
    }

    /// <summary>A finished solve's potentials and map on this shard's input rows.</summary>
    private sealed class ShardOutputs(int rows, int dimension)
    {
        public double[] F { get; } = new double[rows];

        public double[] G { get; } = new double[rows];

        public double[] Map { get; } = new double[rows * dimension];

        public double[] Potential(CloudSide role) => role == CloudSide.Source ? F : G;
    }
}
