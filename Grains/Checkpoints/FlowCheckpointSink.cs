using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Flows;

namespace Transport.Grains;

/// <summary>
/// The checkpoints of a flow run, in two phases: every shard writes its particles to the slot not holding the committed
/// checkpoint (<see cref="FlowCheckpointSlots"/>) and reports its count and mass, which must equal what it sealed; the
/// coordinator's snapshots taken since the last checkpoint and the model's state go to its own storage; only then is
/// the new checkpoint committed. A checkpoint cut short by a failure is never used: the committed one is intact.
/// </summary>
internal sealed class FlowCheckpointSink : IFlowCheckpoints
{
    private readonly CheckpointOptions options;
    private readonly IReadOnlyList<IFlowShardGrain> shards;
    private readonly IReadOnlyList<ShardSeal> seals;
    private readonly FlowCoordinatorStore store;
    private readonly Func<FlowCommitted, Task> committed;
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <summary>Creates the sink; <paramref name="resume"/> is the committed checkpoint a resumed run continues from.</summary>
    public FlowCheckpointSink(CheckpointOptions options, IReadOnlyList<IFlowShardGrain> shards, IReadOnlyList<ShardSeal> seals, FlowCoordinatorStore store, FlowCommitted? resume, Func<FlowCommitted, Task> onCommitted)
    {
        (this.options, this.shards, this.seals, this.store, committed) = (options, shards, seals, store, onCommitted);
        Committed = resume;
        Written = resume?.Number ?? 0;
    }

    /// <summary>The last complete checkpoint.</summary>
    public FlowCommitted? Committed { get; private set; }

    /// <summary>
    /// More state of the run's shards to write to the same slot before the commit (the Sinkhorn shards' warm potentials
    /// of a divergence flow), returning the count and mass each holds (checked against the same seals).
    /// </summary>
    public Func<int, Task<ShardSeal[]>>? AlsoSave { get; init; }

    /// <summary>Checkpoints committed in this run.</summary>
    public int Written { get; private set; }

    /// <inheritdoc />
    public bool Due(long steps) =>
        options.EveryIterations > 0 ? steps % options.EveryIterations == 0 : sinceLast.Elapsed >= options.Interval;

    /// <inheritdoc />
    public async Task SaveAsync(FlowRunCheckpoint state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var number = Written + 1;
        var slot = FlowCheckpointSlots.Of(number);
        var held = await Task.WhenAll(shards.Select(s => s.SaveCheckpointAsync(slot)));
        ShardSeals.Verify(held, seals, "particles", string.Create(CultureInfo.InvariantCulture, $"at checkpoint {number}"));
        if (AlsoSave is { } more)
        {
            ShardSeals.Verify(await more(slot), seals, "particles", string.Create(CultureInfo.InvariantCulture, $"at checkpoint {number} (solver state)"));
        }

        await store.SaveSnapshotsAsync(state.Snapshots);
        if (state.ModelState is { } modelState)
        {
            await store.SaveModelStateAsync(slot, modelState);
        }

        var next = new FlowCommitted(state, slot, number);
        Committed = next;
        Written = number;
        await committed(next);
        sinceLast.Restart();
    }
}

/// <summary>A committed flow checkpoint: the driver's state and the slot holding the shards' particles.</summary>
/// <param name="State">The driver's state (with the snapshots' positions and the model's state, in memory).</param>
/// <param name="Slot">The slot holding the particles and the model's state.</param>
/// <param name="Number">The checkpoint's number (1, 2, ...).</param>
internal sealed record FlowCommitted(FlowRunCheckpoint State, int Slot, int Number)
{
    /// <summary>What the job record keeps of it (the arrays are in storage).</summary>
    public FlowCommittedRecord Describe() => new(
        State.Steps, State.Rejected, State.Time, State.NextStep, [.. State.Diagnostics], [.. State.Snapshots.Select(FlowSnapshotTime.Of)], State.ModelState is not null, Slot, Number);
}

/// <summary>The step and time of a snapshot whose positions are in storage.</summary>
/// <param name="Step">The step.</param>
/// <param name="Time">The time.</param>
internal sealed record FlowSnapshotTime(long Step, double Time)
{
    public static FlowSnapshotTime Of(FlowSnapshot snapshot) => new(snapshot.Step, snapshot.Time);
}

/// <summary>A committed checkpoint as the job record keeps it (the snapshots' positions and the model's state are stored apart).</summary>
internal sealed record FlowCommittedRecord(
    long Steps,
    long Rejected,
    double Time,
    double NextStep,
    FlowStepDiagnostics[] Diagnostics,
    FlowSnapshotTime[] Snapshots,
    bool HasModelState,
    int Slot,
    int Number);

/// <summary>A finished trajectory as the job record keeps it, so that a new coordinator activation can serve it.</summary>
internal sealed record FlowFinishedRecord(FlowStepDiagnostics[] Diagnostics, FlowSnapshotTime[] Snapshots, long Steps, long Rejected, double FinalTime);

/// <summary>What a durable flow run keeps with its job record.</summary>
internal sealed record FlowDurableRun(ShardSeal[] Seals, FlowCommittedRecord? Committed, FlowFinishedRecord? Finished, int CheckpointsWritten, int Recoveries, int SnapshotsStored);
