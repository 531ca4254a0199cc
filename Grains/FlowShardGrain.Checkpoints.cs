using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// A flow shard's share of checkpoints: its block (setup, weights, initial positions) sealed in grain storage before
/// the run, and its positions after an accepted step in the two alternating slots the coordinator commits. A shard
/// re-created on another silo reads its block back; every shard of a recovering run rolls back to the committed slot.
/// </summary>
public sealed partial class FlowShardGrain
{
    private const string BlockRecord = "flow-block";
    private const string WeightsRecord = "flow-block/weights";
    private const string InitialRecord = "flow-block/positions";

    private GrainStore? store;

    // Whether this activation wrote or read anything in storage (so releasing it clears storage too).
    private bool stored;

    private GrainStore Store
    {
        get
        {
            stored = true;
            return store ??= new GrainStore(ServiceProvider, this.GetGrainId());
        }
    }

    /// <inheritdoc />
    public async Task<ShardSeal> SealAsync()
    {
        var seal = ShardSeals.Of(count, weights);
        await Store.WriteAsync(InitialRecord, positions);
        await Store.WriteAsync(WeightsRecord, weights);
        // The description last: a block without it was never sealed.
        await Store.WriteSerializedAsync(BlockRecord, new StoredFlowBlock { Setup = Setup, Index = index, Count = count, Mass = seal.Mass });
        return seal;
    }

    /// <inheritdoc />
    public async Task<ShardSeal> SaveCheckpointAsync(int slot)
    {
        CheckSlot(slot);
        _ = State;
        await Store.WriteAsync(SlotRecord(slot), positions);
        return ShardSeals.Of(count, weights);
    }

    /// <inheritdoc />
    public async Task<ShardSeal> RestoreAsync(int? slot)
    {
        if (slot is { } s)
        {
            CheckSlot(s);
        }

        var key = this.GetPrimaryKeyString();
        if (setup is null)
        {
            var block = await Store.ReadSerializedAsync<StoredFlowBlock>(BlockRecord)
                ?? throw new InvalidOperationException($"flow shard {key} lost its block and none was sealed: the job cannot recover");
            var storedWeights = await Store.ReadAsync(WeightsRecord) ?? throw new InvalidOperationException($"flow shard {key}: the sealed weights are missing");
            var seal = ShardSeals.Of(storedWeights.Length, storedWeights);
            if (storedWeights.Length != block.Count || seal.Mass != block.Mass)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"flow shard {key}: the sealed block holds {storedWeights.Length} rows of mass {seal.Mass:R}, but {block.Count} rows of mass {block.Mass:R} were sealed"));
            }

            setup = block.Setup;
            index = block.Index;
            count = block.Count;
            weights = storedWeights;
            positions = new double[(long)count * block.Setup.Job.Dimension];
        }

        var name = slot is { } at ? SlotRecord(at) : InitialRecord;
        var restored = await Store.ReadAsync(name);
        if (restored is null || restored.Length != positions.Length)
        {
            throw new InvalidOperationException($"flow shard {key}: {name} holds {restored?.Length.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, {positions.Length} values were expected");
        }

        // In place: a block built on this array before sees the restored particles too; the integrator state is
        // rebuilt by the next PrepareAsync.
        restored.CopyTo(positions, 0);
        state = null;
        currentStage = 0;
        DelayDeactivation(TimeSpan.FromHours(24));
        return ShardSeals.Of(count, weights);
    }

    /// <summary>Deletes what this shard stored when it stored anything: the job is being released.</summary>
    private async Task ClearStoredAsync()
    {
        if (!stored)
        {
            return;
        }

        await Store.ClearAsync(InitialRecord);
        await Store.ClearAsync(WeightsRecord);
        for (var slot = 0; slot < FlowCheckpointSlots.Count; slot++)
        {
            await Store.ClearAsync(SlotRecord(slot));
        }

        await Store.ClearAsync(BlockRecord);
    }

    private static void CheckSlot(int slot) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)FlowCheckpointSlots.Count, nameof(slot));

    private static string SlotRecord(int slot) => string.Create(CultureInfo.InvariantCulture, $"flow-slot/{slot}/positions");
}

/// <summary>The checkpoint slots of a flow run's particles: two that alternate, so the committed one is never overwritten.</summary>
public static class FlowCheckpointSlots
{
    /// <summary>Number of slots.</summary>
    public const int Count = 2;

    /// <summary>The slot of checkpoint number <paramref name="checkpoint"/> (1, 2, ...).</summary>
    public static int Of(int checkpoint) => checkpoint % Count;
}

/// <summary>Where a sealed flow block sits in its job: its setup, index, row count and mass.</summary>
[GenerateSerializer]
[Alias("Transport.StoredFlowBlock")]
public sealed class StoredFlowBlock
{
    /// <summary>The job's shard setup.</summary>
    [Id(0)]
    public FlowShardSetup Setup { get; set; } = null!;

    /// <summary>The shard's index.</summary>
    [Id(1)]
    public int Index { get; set; }

    /// <summary>Rows.</summary>
    [Id(2)]
    public int Count { get; set; }

    /// <summary>Mass of the rows.</summary>
    [Id(3)]
    public double Mass { get; set; }
}
