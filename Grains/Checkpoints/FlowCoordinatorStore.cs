using System.Globalization;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// The arrays a flow coordinator keeps in its grain storage beside its job record: every snapshot once (a snapshot
/// retaken after a rollback has the same values, so rewriting it is harmless) and the model's state per checkpoint slot.
/// </summary>
internal sealed class FlowCoordinatorStore(GrainStore store, int count, int dimension)
{
    /// <summary>Snapshots written so far (the first ones of the trajectory).</summary>
    public int SnapshotsStored { get; set; }

    /// <summary>Writes the snapshots not stored yet.</summary>
    public async Task SaveSnapshotsAsync(IReadOnlyList<FlowSnapshot> snapshots)
    {
        for (var s = SnapshotsStored; s < snapshots.Count; s++)
        {
            await store.WriteAsync(SnapshotRecord(s), snapshots[s].Positions);
        }

        SnapshotsStored = Math.Max(SnapshotsStored, snapshots.Count);
    }

    /// <summary>Reads the snapshots described by <paramref name="times"/> back.</summary>
    public async Task<List<FlowSnapshot>> LoadSnapshotsAsync(IReadOnlyList<FlowSnapshotTime> times)
    {
        var snapshots = new List<FlowSnapshot>(times.Count);
        for (var s = 0; s < times.Count; s++)
        {
            var positions = await store.ReadAsync(SnapshotRecord(s));
            if (positions is null || positions.Length != (long)count * dimension)
            {
                throw new InvalidOperationException($"snapshot {s} of the flow is missing from storage or has {positions?.Length ?? 0} values, {(long)count * dimension} were expected");
            }

            snapshots.Add(new FlowSnapshot(times[s].Step, times[s].Time, positions));
        }

        return snapshots;
    }

    /// <summary>Writes the model's state to checkpoint slot <paramref name="slot"/>.</summary>
    public Task SaveModelStateAsync(int slot, double[] state) => store.WriteAsync(ModelStateRecord(slot), state);

    /// <summary>Reads the model's state of checkpoint slot <paramref name="slot"/>.</summary>
    public async Task<double[]> LoadModelStateAsync(int slot) =>
        await store.ReadAsync(ModelStateRecord(slot)) ?? throw new InvalidOperationException($"the model state of checkpoint slot {slot} is missing from storage");

    /// <summary>Writes uploaded model data block <paramref name="block"/> (once, before the run: a new activation rebuilds the model from it).</summary>
    public Task SaveModelDataAsync(int block, double[] values) => store.WriteAsync(ModelDataRecord(block), values);

    /// <summary>Reads uploaded model data block <paramref name="block"/>.</summary>
    public async Task<double[]> LoadModelDataAsync(int block) =>
        await store.ReadAsync(ModelDataRecord(block)) ?? throw new InvalidOperationException($"the uploaded model data block {block} is missing from storage");

    /// <summary>Deletes the <paramref name="blocks"/> stored model data blocks (the job is released).</summary>
    public async Task ClearModelDataAsync(int blocks)
    {
        for (var k = 0; k < blocks; k++)
        {
            await store.ClearAsync(ModelDataRecord(k));
        }
    }

    /// <summary>Deletes every array this run stored but the model data.</summary>
    public async Task ClearAsync()
    {
        for (var s = 0; s < SnapshotsStored; s++)
        {
            await store.ClearAsync(SnapshotRecord(s));
        }

        for (var slot = 0; slot < FlowCheckpointSlots.Count; slot++)
        {
            await store.ClearAsync(ModelStateRecord(slot));
        }

        SnapshotsStored = 0;
    }

    private static string SnapshotRecord(int snapshot) => string.Create(CultureInfo.InvariantCulture, $"flow-snapshot/{snapshot}");

    private static string ModelDataRecord(int block) => string.Create(CultureInfo.InvariantCulture, $"flow-model-data/{block}");

    private static string ModelStateRecord(int slot) => string.Create(CultureInfo.InvariantCulture, $"flow-model-state/{slot}");
}
