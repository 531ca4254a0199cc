using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// The checkpoints of one dense solve on the shards, in two phases: every shard writes its potentials to the slot not
/// holding the committed checkpoint (<see cref="CheckpointSlots"/>) and reports the count and mass of its block, which
/// must equal what it sealed; only once all have written does the sink
/// commit the new one (slot and the loop's state). A checkpoint cut short by a failure is never used: the committed one
/// is still intact in the other slot.
/// </summary>
internal sealed class SinkhornCheckpointSink : ISinkhornCheckpoints
{
    private readonly CheckpointOptions options;
    private readonly Func<SinkhornCommitted, Task> committed;
    private readonly Func<SinkhornTerm, ShardSeal[]> sealedSeals;
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <summary>
    /// Creates the sink; <paramref name="resume"/> is the committed checkpoint a resumed solve continues from, and
    /// <paramref name="onCommitted"/> records each new one with the job.
    /// </summary>
    public SinkhornCheckpointSink(CheckpointOptions options, SinkhornCommitted? resume, Func<SinkhornCommitted, Task> onCommitted, Func<SinkhornTerm, ShardSeal[]> sealedSeals)
    {
        this.options = options;
        this.sealedSeals = sealedSeals;
        committed = onCommitted;
        Committed = resume;
        Written = resume?.Number ?? 0;
    }

    /// <summary>The backend of the current attempt (replaced when a recovery resumes the solve).</summary>
    public DistributedSinkhornBackend? Backend { get; set; }

    /// <summary>The last complete checkpoint.</summary>
    public SinkhornCommitted? Committed { get; private set; }

    /// <summary>Checkpoints committed in this solve.</summary>
    public int Written { get; private set; }

    /// <inheritdoc />
    public bool Due(int iterations) =>
        options.EveryIterations > 0 ? iterations % options.EveryIterations == 0 : sinceLast.Elapsed >= options.Interval;

    /// <inheritdoc />
    public async Task SaveAsync(SinkhornRunCheckpoint state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var backend = Backend ?? throw new InvalidOperationException("no backend to checkpoint");
        var number = Written + 1;
        var slot = CheckpointSlots.Of(number);
        var held = await backend.SaveCheckpointAsync(slot);
        ShardSeals.Verify(held, sealedSeals(backend.Term), backend.Term.Name(), string.Create(CultureInfo.InvariantCulture, $"at checkpoint {number}"));
        var next = new SinkhornCommitted(backend.Term, state, slot, number);
        Committed = next;
        Written = number;
        await committed(next);
        sinceLast.Restart();
    }
}
