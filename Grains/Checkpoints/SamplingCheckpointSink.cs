using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// The checkpoints of a sampling run, in two phases: every particle shard writes its particles to the slot not holding
/// the committed checkpoint and reports its count, which must equal what it sealed; only then is the new checkpoint
/// committed (and recorded with the job). A checkpoint cut short by a failure is never used.
/// </summary>
internal sealed class SamplingCheckpointSink : ISamplingCheckpoints
{
    private readonly CheckpointOptions options;
    private readonly IReadOnlyList<ISamplingParticleShardGrain> shards;
    private readonly IReadOnlyList<ShardSeal> seals;
    private readonly Func<SamplingCommitted, Task> committed;
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <summary>Creates the sink; <paramref name="resume"/> is the committed checkpoint a resumed run continues from.</summary>
    public SamplingCheckpointSink(CheckpointOptions options, IReadOnlyList<ISamplingParticleShardGrain> shards, IReadOnlyList<ShardSeal> seals, SamplingCommitted? resume, Func<SamplingCommitted, Task> onCommitted)
    {
        (this.options, this.shards, this.seals, committed) = (options, shards, seals, onCommitted);
        Written = resume?.Number ?? 0;
    }

    /// <summary>Checkpoints committed in this run.</summary>
    public int Written { get; private set; }

    /// <inheritdoc />
    public bool Due(int steps) =>
        options.EveryIterations > 0 ? steps % options.EveryIterations == 0 : sinceLast.Elapsed >= options.Interval;

    /// <inheritdoc />
    public async Task SaveAsync(SamplingRunCheckpoint state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var number = Written + 1;
        var slot = SamplingCheckpointSlots.Of(number);
        var held = await Task.WhenAll(shards.Select(s => s.SaveCheckpointAsync(slot)));
        ShardSeals.Verify(held, seals, "particles", string.Create(CultureInfo.InvariantCulture, $"at checkpoint {number}"));
        Written = number;
        await committed(new SamplingCommitted(state, slot, number));
        sinceLast.Restart();
    }
}

/// <summary>A committed sampling checkpoint: the driver's state and the slot holding the particles.</summary>
/// <param name="State">The driver's state.</param>
/// <param name="Slot">The slot holding the particles.</param>
/// <param name="Number">The checkpoint's number (1, 2, ...).</param>
internal sealed record SamplingCommitted(SamplingRunCheckpoint State, int Slot, int Number);

/// <summary>What a durable sampling run keeps with its job record.</summary>
internal sealed record SamplingDurableRun(ShardSeal[] ParticleSeals, ShardSeal[] DataSeals, SamplingCommitted? Committed, bool Finished, int CheckpointsWritten, int Recoveries);
