using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// A shard's share of checkpoints: its block, sealed in grain storage once the upload is complete, and per solve the
/// potentials (and the map) in numbered slots the coordinator commits. A shard re-created on another silo reads its
/// block back (<see cref="RecoverAsync"/>), checking count and mass, and its potentials from the committed slot.
/// </summary>
public sealed partial class SinkhornShardGrain
{
    private const string BlockRecord = "block";
    private const string PositionsRecord = "block/positions";
    private const string WeightsRecord = "block/weights";

    private static readonly string[] SlotArrays = ["f", "g", "map"];

    private readonly ShardStore shardStore = new();

    private GrainStore Store => shardStore.Open(ServiceProvider, this.GetGrainId());

    /// <inheritdoc />
    public async Task<ShardSeal> SealAsync()
    {
        var seal = ShardSeals.Of(count, weights);
        await Store.WriteAsync(PositionsRecord, positions);
        await Store.WriteAsync(WeightsRecord, weights);
        // The description last: a block without it was never sealed.
        await Store.WriteSerializedAsync(BlockRecord, new StoredShardBlock { Setup = Setup, Side = side, Index = index, Count = count, Mass = seal.Mass });
        return seal;
    }

    /// <inheritdoc />
    public async Task<ShardSeal> RecoverAsync()
    {
        if (setup is not null)
        {
            return ShardSeals.Of(count, weights);
        }

        var key = this.GetPrimaryKeyString();
        var block = await Store.ReadSerializedAsync<StoredShardBlock>(BlockRecord)
            ?? throw new InvalidOperationException($"shard {key} lost its block and none was sealed: the job cannot recover");
        var storedPositions = await Store.ReadAsync(PositionsRecord) ?? throw new InvalidOperationException($"shard {key}: the sealed positions are missing");
        var storedWeights = await Store.ReadAsync(WeightsRecord) ?? throw new InvalidOperationException($"shard {key}: the sealed weights are missing");
        var mass = ShardSeals.Of(block.Count, storedWeights).Mass;
        if (storedWeights.Length != block.Count || storedPositions.Length != (long)block.Count * block.Setup.Dimension || mass != block.Mass)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"shard {key}: the sealed block holds {storedWeights.Length} rows of mass {mass:R}, but {block.Count} rows of mass {block.Mass:R} were sealed"));
        }

        setup = block.Setup;
        side = block.Side;
        index = block.Index;
        count = block.Count;
        positions = storedPositions;
        weights = storedWeights;
        solves.Clear();
        DelayDeactivation(TimeSpan.FromHours(24));
        return new ShardSeal(count, mass);
    }

    /// <inheritdoc />
    public async Task<ShardSeal> SaveCheckpointAsync(SinkhornTerm term, int slot)
    {
        var solve = Solve(term);
        if (solve.F is { } f)
        {
            await Store.WriteAsync(SlotRecord(term, slot, "f"), f);
        }

        if (solve.G is { } g)
        {
            await Store.WriteAsync(SlotRecord(term, slot, "g"), g);
        }

        if (solve.Map is { } map)
        {
            await Store.WriteAsync(SlotRecord(term, slot, "map"), map);
        }

        return ShardSeals.Of(count, weights);
    }

    /// <inheritdoc />
    public async Task LoadCheckpointAsync(SinkhornTerm term, int slot)
    {
        var solve = Solve(term);
        var key = this.GetPrimaryKeyString();
        if (solve.F is not null)
        {
            solve.F = Checked(await Store.ReadAsync(SlotRecord(term, slot, "f")), solve.F.Length, "f");
        }

        if (solve.G is not null)
        {
            solve.G = Checked(await Store.ReadAsync(SlotRecord(term, slot, "g")), solve.G.Length, "g");
        }

        solve.Map = await Store.ReadAsync(SlotRecord(term, slot, "map"));

        double[] Checked(double[]? values, int length, string what) =>
            values is { } v && v.Length == length
                ? v
                : throw new InvalidOperationException($"shard {key}: checkpoint slot {slot} of the {term.Name()} solve has no {what} of {length} rows");
    }

    /// <summary>Deletes what this shard stored (its block and every slot) when it stored anything: the job is being released.</summary>
    private async Task ClearStoredAsync()
    {
        if (!shardStore.Used)
        {
            return;
        }

        var names = new List<string> { PositionsRecord, WeightsRecord };
        foreach (var term in Enum.GetValues<SinkhornTerm>())
        {
            for (var slot = 0; slot < CheckpointSlots.Count; slot++)
            {
                names.AddRange(SlotArrays.Select(what => SlotRecord(term, slot, what)));
            }

            names.AddRange(SlotArrays.Select(what => OutputRecord(term, what)));
        }

        foreach (var name in names)
        {
            await Store.ClearAsync(name);
        }

        await Store.ClearAsync(BlockRecord);
    }

    private static string OutputRecord(SinkhornTerm term, string what) => $"outputs/{term.Name()}/{what}";

    private static string SlotRecord(SinkhornTerm term, int slot, string what) => string.Create(CultureInfo.InvariantCulture, $"solve/{term.Name()}/{slot}/{what}");
}

/// <summary>Where a sealed shard block sits in its job: its setup, side, index, row count and mass.</summary>
[GenerateSerializer]
[Alias("Transport.StoredShardBlock")]
public sealed class StoredShardBlock
{
    /// <summary>The job's shard setup.</summary>
    [Id(0)]
    public SinkhornShardSetup Setup { get; set; } = null!;

    /// <summary>The shard's cloud.</summary>
    [Id(1)]
    public CloudSide Side { get; set; }

    /// <summary>The shard's index in its cloud.</summary>
    [Id(2)]
    public int Index { get; set; }

    /// <summary>Rows.</summary>
    [Id(3)]
    public int Count { get; set; }

    /// <summary>Mass of the rows.</summary>
    [Id(4)]
    public double Mass { get; set; }
}

/// <summary>The checkpoint slots of a solve: two that alternate (the committed one is never overwritten) and the final one.</summary>
public static class CheckpointSlots
{
    /// <summary>Number of slots.</summary>
    public const int Count = 3;

    /// <summary>The slot of a finished solve's potentials and map.</summary>
    public const int Final = 2;

    /// <summary>The slot of checkpoint number <paramref name="checkpoint"/> (1, 2, ...): alternating 1, 0, 1, ...</summary>
    public static int Of(int checkpoint) => checkpoint % 2;
}
