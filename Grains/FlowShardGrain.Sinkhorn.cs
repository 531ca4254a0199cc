using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;
using Transport.Numerics.Flows.Models;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// A flow shard of a Sinkhorn-divergence flow (dense or multiscale) whose solves run on Sinkhorn shards
/// (<see cref="SinkhornFlowOnShards"/>): at every stage it sends its stage positions to its Sinkhorn source shard (the
/// same rows), and for its velocities it pulls its own rows of the two maps from there. It never gathers the other
/// shards' positions: the Sinkhorn shards exchange what the all-pairs solves need among themselves.
/// </summary>
public sealed partial class FlowShardGrain
{
    // The Sinkhorn problem of a Sinkhorn-divergence flow, dense or multiscale (null for any other model), decided from the model as the
    // coordinator decides it (SinkhornFlowOnShards.Applies).
    private string? sinkhornProblemId;

    // The multiscale solves leave their maps with their outputs on the input rows (the dense ones, with the solves).
    private bool sinkhornMapsInOutputs;

    private bool OnSinkhornShards => sinkhornProblemId is not null;

    private ISinkhornShardGrain SinkhornShard => GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(sinkhornProblemId!, CloudSide.Source, index));

    /// <summary>Whether this shard all-gathers stage positions for <paramref name="model"/>: an all-pairs model not solved on Sinkhorn shards.</summary>
    private bool GathersPositions(IFlowModel model) => model.NeedsAllPositions && !OnSinkhornShards;

    /// <summary>The stage positions and the weights, to the Sinkhorn source shard of the same rows, in chunks.</summary>
    private async Task SendStagePositionsAsync(int stage)
    {
        var d = Dimension;
        var stagePositions = State.StageBlock(stage).PositionArray;
        var shard = SinkhornShard;

        // Rows of positions and a weight, in messages of at most the configured chunk (as the solves' own traffic).
        var chunk = Math.Max(1, Math.Min(FloatBlock.RowsPerChunk(d + 1), limits.Value.InstallChunkBytes / (sizeof(double) * (d + 1))));
        for (var offset = 0; offset < count; offset += chunk)
        {
            var rows = Math.Min(chunk, count - offset);
            await shard.LoadAsync(offset, FloatBlock.From(stagePositions.AsSpan(offset * d, rows * d), rows, d), FloatBlock.FromVector(weights.AsSpan(offset, rows)));
        }
    }

    /// <summary>
    /// The block-local stage data (<see cref="SinkhornDivergenceFlowModel.BlockStageData"/>) from this shard's rows of
    /// the cross and symmetric self maps and the divergence the coordinator sent (its one value of stage data).
    /// </summary>
    private async Task<double[]> BlockStageDataAsync(double[] coordinatorData)
    {
        if (coordinatorData.Length != 1)
        {
            throw new InvalidOperationException($"a flow on Sinkhorn shards gets one value of stage data (the divergence), got {coordinatorData.Length}");
        }

        var shard = SinkhornShard;
        int[] rows = [0, count];
        Task<FloatBlock> Map(SinkhornTerm term, int start, int length) =>
            sinkhornMapsInOutputs ? shard.GetOutputMapAsync(term, start, length) : shard.GetMapAsync(term, start, length);
        var chunkBytes = limits.Value.InstallChunkBytes;
        var crossMap = await BlockTransfer.GatherAsync(rows, Dimension, (_, start, length) => Map(SinkhornTerm.Cross, start, length), chunkBytes);
        var selfMap = await BlockTransfer.GatherAsync(rows, Dimension, (_, start, length) => Map(SinkhornTerm.SelfSource, start, length), chunkBytes);
        return SinkhornDivergenceFlowModel.BlockStageData(crossMap, selfMap, coordinatorData[0]);
    }
}
