using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// Warm starts from an earlier solve's outputs (a flow's next stage): a multiscale solve's sorted points pull their
/// potentials from the shards of their input rows, a dense solve takes them in place; and the outputs in checkpoint slots,
/// so that a flow resumed from a checkpoint starts its next stage from the same potentials.
/// </summary>
public sealed partial class SinkhornShardGrain
{
    // The potentials the next dense install of a term starts from (SeedFromOutputsAsync), taken once.
    private readonly Dictionary<SinkhornTerm, (double[] F, double[] G)> seeds = [];

    /// <inheritdoc />
    public async Task StartPointsAsync(SinkhornTerm term, CloudSide role, SinkhornTerm from, double shift, int chunkBytes)
    {
        var offset = role == CloudSide.Source ? -shift : shift;
        var share = Share(term);
        var owners = Offsets(side);
        var potential = new double[share.InputIndices.Length];

        // One request per owner and chunk: the input rows asked for (4 bytes each) and their values back (8 bytes each).
        var rowsPerRequest = Math.Max(1, chunkBytes / sizeof(double));
        var pulls = new List<Task>();
        foreach (var group in Enumerable.Range(0, share.InputIndices.Length).GroupBy(s => ShardOfRow(owners, share.InputIndices[s])))
        {
            var points = group.ToArray();
            var owner = group.Key;
            for (var start = 0; start < points.Length; start += rowsPerRequest)
            {
                var slice = points.AsSpan(start, Math.Min(rowsPerRequest, points.Length - start)).ToArray();
                int[] rows = [.. slice.Select(s => share.InputIndices[s] - owners[owner])];
                pulls.Add(PullAsync(owner, slice, rows));
            }
        }

        await Task.WhenAll(pulls);
        share.Set(role, potential);

        // An installed pattern holds the potentials it started from: they are the old ones now.
        solves.Remove(term);

        async Task PullAsync(int owner, int[] points, int[] rows)
        {
            var values = owner == index ? await GetOutputRowsAsync(from, role, rows) : await Peer(side, owner).GetOutputRowsAsync(from, role, rows);
            var span = values.Values;
            if (span.Length != points.Length)
            {
                throw new InvalidOperationException($"shard {owner} sent {span.Length} potentials of the {from.Name()} outputs for {points.Length} rows");
            }

            for (var r = 0; r < points.Length; r++)
            {
                potential[points[r]] = span[r] + offset;
            }
        }
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetOutputRowsAsync(SinkhornTerm term, CloudSide role, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var potential = (await OutputsAsync(term)).Potential(role);
        var values = new double[rows.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            values[r] = (uint)rows[r] < (uint)potential.Length
                ? potential[rows[r]]
                : throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[r]} is not one of the {potential.Length} rows of shard {this.GetPrimaryKeyString()}");
        }

        return FloatBlock.FromVector(values);
    }

    /// <inheritdoc />
    public async Task SeedFromOutputsAsync(SinkhornTerm term, double shift)
    {
        // Read now (from storage if this activation replaced the one that received them), so that the install finds them.
        var held = await OutputsAsync(term);
        solves.Remove(term);
        seeds[term] = ([.. held.F.Select(v => v - shift)], [.. held.G.Select(v => v + shift)]);
    }

    /// <inheritdoc />
    public async Task<ShardSeal> SaveOutputsCheckpointAsync(SinkhornTerm term, int slot)
    {
        var held = await OutputsAsync(term);
        await Store.WriteAsync(SlotRecord(term, slot, "f"), held.F);
        await Store.WriteAsync(SlotRecord(term, slot, "g"), held.G);
        await Store.WriteAsync(SlotRecord(term, slot, "map"), held.Map);
        return ShardSeals.Of(count, weights);
    }

    /// <inheritdoc />
    public async Task LoadOutputsCheckpointAsync(SinkhornTerm term, int slot)
    {
        var key = this.GetPrimaryKeyString();
        var held = new ShardOutputs(count, Setup.Dimension);
        foreach (var (what, into) in new[] { ("f", held.F), ("g", held.G), ("map", held.Map) })
        {
            var values = await Store.ReadAsync(SlotRecord(term, slot, what));
            if (values is null || values.Length != into.Length)
            {
                throw new InvalidOperationException($"shard {key}: checkpoint slot {slot} of the {term.Name()} outputs has no {what} of {into.Length} values");
            }

            values.CopyTo(into, 0);
        }

        outputs[term] = held;
    }

    /// <summary>The outputs a dense install of <paramref name="term"/> starts from (once), or null (zero or the previous solve's).</summary>
    private (double[] F, double[] G)? TakeOutputSeed(SinkhornTerm term) => seeds.Remove(term, out var seed) ? seed : null;
}
