using System.Globalization;
using Transport.Grains.Interfaces;

namespace Transport.Grains;

/// <summary>
/// A data shard's share of recovery: its block never changes during a run, so it is sealed once (setup, points,
/// weights, total weight) and an activation re-created on another silo reads it back and prepares it again.
/// </summary>
public sealed partial class SamplingDataShardGrain
{
    private const string BlockRecord = "data-block";
    private const string PointsRecord = "data-block/points";
    private const string WeightsRecord = "data-block/weights";

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
        if (block is null)
        {
            throw new InvalidOperationException("seal a data shard once it is prepared");
        }

        var seal = ShardSeals.Of(Setup.Rows, weights);
        await Store.WriteAsync(PointsRecord, points);
        await Store.WriteAsync(WeightsRecord, weights);
        // The description last: a block without it was never sealed.
        await Store.WriteSerializedAsync(BlockRecord, new StoredDataBlock { Setup = Setup, TotalWeight = preparedTotal, Mass = seal.Mass });
        return seal;
    }

    /// <inheritdoc />
    public async Task<ShardSeal> RecoverAsync()
    {
        if (setup is not null && block is not null)
        {
            return ShardSeals.Of(setup.Rows, weights);
        }

        var key = this.GetPrimaryKeyString();
        var sealedBlock = await Store.ReadSerializedAsync<StoredDataBlock>(BlockRecord)
            ?? throw new InvalidOperationException($"data shard {key} lost its block and none was sealed: the job cannot recover");
        var storedPoints = await Store.ReadAsync(PointsRecord) ?? throw new InvalidOperationException($"data shard {key}: the sealed points are missing");
        var storedWeights = await Store.ReadAsync(WeightsRecord) ?? throw new InvalidOperationException($"data shard {key}: the sealed weights are missing");
        var seal = ShardSeals.Of(storedWeights.Length, storedWeights);
        var rows = sealedBlock.Setup.Rows;
        if (storedWeights.Length != rows || storedPoints.Length != (long)rows * sealedBlock.Setup.Dimension || seal.Mass != sealedBlock.Mass)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"data shard {key}: the sealed block holds {storedWeights.Length} rows of mass {seal.Mass:R}, but {rows} rows of mass {sealedBlock.Mass:R} were sealed"));
        }

        setup = sealedBlock.Setup;
        points = storedPoints;
        weights = storedWeights;
        await PrepareAsync(sealedBlock.TotalWeight);
        return seal;
    }

    /// <summary>Deletes what this shard stored when it stored anything: the job is being released.</summary>
    private async Task ClearStoredAsync()
    {
        if (!stored)
        {
            return;
        }

        await Store.ClearAsync(PointsRecord);
        await Store.ClearAsync(WeightsRecord);
        await Store.ClearAsync(BlockRecord);
    }
}

/// <summary>A sealed data block's description: its setup, the total weight it was prepared with and its weight sum.</summary>
[GenerateSerializer]
[Alias("Transport.StoredDataBlock")]
public sealed class StoredDataBlock
{
    /// <summary>The block's setup.</summary>
    [Id(0)]
    public SamplingDataShardSetup Setup { get; set; } = null!;

    /// <summary>The whole data set's weight (the normaliser of the log-weights).</summary>
    [Id(1)]
    public double TotalWeight { get; set; }

    /// <summary>The block's weight sum.</summary>
    [Id(2)]
    public double Mass { get; set; }
}
