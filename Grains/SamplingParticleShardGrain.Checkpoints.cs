using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// A particle shard's share of checkpoints: its block (setup, index, particles at the start) sealed before the run, its
/// particles after a step in the two alternating slots the coordinator commits, and the finished particles in the final
/// slot (so that a client can still download them after the shard's silo died). A shard re-created on another silo
/// reads its block back; every shard of a recovering run rolls back to the committed slot and rebuilds its sampler.
/// </summary>
public sealed partial class SamplingParticleShardGrain
{
    private const string BlockRecord = "particle-block";
    private const string StartRecord = "particle-block/start";

    private GrainStore? store;
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
        await Store.WriteAsync(StartRecord, Sampler.Positions);
        await Store.WriteSerializedAsync(BlockRecord, new StoredParticleBlock { Setup = Setup, Index = index, Count = count });
        return Seal();
    }

    /// <inheritdoc />
    public async Task<ShardSeal> SaveCheckpointAsync(int slot)
    {
        CheckSlot(slot);
        await Store.WriteAsync(SlotRecord(slot), Sampler.Positions);
        return Seal();
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
            var block = await Store.ReadSerializedAsync<StoredParticleBlock>(BlockRecord)
                ?? throw new InvalidOperationException($"particle shard {key} lost its block and none was sealed: the job cannot recover");
            (setup, index, count) = (block.Setup, block.Index, block.Count);
        }

        var name = slot is { } at ? SlotRecord(at) : StartRecord;
        var positions = await Store.ReadAsync(name);
        var expected = (long)count * Setup.Job.Dimension;
        if (positions is null || positions.Length != expected)
        {
            throw new InvalidOperationException($"particle shard {key}: {name} holds {positions?.Length.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, {expected} values were expected");
        }

        DelayDeactivation(TimeSpan.FromHours(24));
        await BuildSamplerAsync(positions);
        return Seal();
    }

    // Particles carry equal mass: a block's mass is its count, and a restored block must hold as many finite rows.
    private ShardSeal Seal() => new(count, count);

    /// <summary>Deletes what this shard stored when it stored anything: the job is being released.</summary>
    private async Task ClearStoredAsync()
    {
        if (!stored)
        {
            return;
        }

        await Store.ClearAsync(StartRecord);
        for (var slot = 0; slot < SamplingCheckpointSlots.Count; slot++)
        {
            await Store.ClearAsync(SlotRecord(slot));
        }

        await Store.ClearAsync(BlockRecord);
    }

    private static void CheckSlot(int slot) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)SamplingCheckpointSlots.Count, nameof(slot));

    private static string SlotRecord(int slot) => string.Create(CultureInfo.InvariantCulture, $"particle-slot/{slot}");
}

/// <summary>The checkpoint slots of a sampling run's particles: two that alternate and the final one.</summary>
public static class SamplingCheckpointSlots
{
    /// <summary>Number of slots.</summary>
    public const int Count = 3;

    /// <summary>The slot of the finished particles.</summary>
    public const int Final = 2;

    /// <summary>The slot of checkpoint number <paramref name="checkpoint"/> (1, 2, ...).</summary>
    public static int Of(int checkpoint) => checkpoint % 2;
}

/// <summary>Where a sealed particle block sits in its job.</summary>
[GenerateSerializer]
[Alias("Transport.StoredParticleBlock")]
public sealed class StoredParticleBlock
{
    /// <summary>The job's particle-shard setup.</summary>
    [Id(0)]
    public SamplingParticleShardSetup Setup { get; set; } = null!;

    /// <summary>The shard's index.</summary>
    [Id(1)]
    public int Index { get; set; }

    /// <summary>Rows.</summary>
    [Id(2)]
    public int Count { get; set; }
}
