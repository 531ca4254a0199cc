using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Owns one contiguous block of a sampling run's particles (key: "run/particles/index") and runs the engine's
/// <see cref="Transport.Numerics.Sampling.ParticleBlockSampler"/> on it over an interpolant field whose denoiser is
/// the replicated inline target or the run's data shards. The operations are those of
/// <see cref="Transport.Numerics.Sampling.ISamplingBackend"/> for one block.
/// </summary>
[Alias("Transport.ISamplingParticleShardGrain")]
public interface ISamplingParticleShardGrain : IGrainWithStringKey, ITrafficCountingGrain
{
    /// <summary>Resets the shard for a run layout.</summary>
    [Alias("Initialize")]
    Task InitializeAsync(SamplingParticleShardSetup setup, int index);

    /// <summary>Stores uploaded source points (rows x d) of this block (offset relative to the block start).</summary>
    [Alias("LoadNoise")]
    Task LoadNoiseAsync(int offset, FloatBlock noise);

    /// <summary>Draws the source points unless uploaded, and builds the field and the block sampler.</summary>
    [Alias("Prepare")]
    Task PrepareAsync();

    /// <summary>One fixed step from <paramref name="t"/> to <paramref name="nextTime"/>.</summary>
    [Alias("Step")]
    Task<SamplingStepTotals> StepAsync(int index, double t, double nextTime);

    /// <summary>The corrector steps after step <paramref name="index"/>, at time <paramref name="t"/>.</summary>
    [Alias("Correct")]
    Task CorrectAsync(int index, double t);

    /// <summary>The snapping step x &lt;- D(t, x).</summary>
    [Alias("Snap")]
    Task SnapAsync(double t);

    /// <summary>Starts the adaptive run.</summary>
    [Alias("StartAdaptive")]
    Task<SamplingNormTotals> StartAdaptiveAsync(double t);

    /// <summary>Proposes an adaptive step.</summary>
    [Alias("Propose")]
    Task<SamplingNormTotals> ProposeAsync(double t, double h, double stepEnd);

    /// <summary>Accepts or drops the pending proposal.</summary>
    [Alias("Commit")]
    Task<SamplingStepTotals> CommitAsync(bool accept);

    /// <summary>Rows of the block's current positions (count x d), offset relative to the block.</summary>
    [Alias("GetPositions")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPositionsAsync(int offset, int count);

    /// <summary>Drops everything the shard holds and deactivates it (the job is released).</summary>
    [Alias("ReleaseShard")]
    Task ReleaseShardAsync();

    /// <summary>
    /// Writes the block (where it sits in the job and its particles at the start) to the cluster's grain storage, so that
    /// the shard can be rebuilt on another silo if its own dies; returns its count (each particle carries mass 1).
    /// </summary>
    [Alias("Seal")]
    Task<ShardSeal> SealAsync();

    /// <summary>Writes the particles after the last step to checkpoint slot <paramref name="slot"/>; returns the count held.</summary>
    [Alias("SaveCheckpoint")]
    Task<ShardSeal> SaveCheckpointAsync(int slot);

    /// <summary>
    /// Rolls the block back to checkpoint slot <paramref name="slot"/> (null: the sealed start) and rebuilds its sampler
    /// there; an activation that lost the block (its silo died) reads it back from storage first. Returns the count held.
    /// </summary>
    [Alias("Restore")]
    Task<ShardSeal> RestoreAsync(int? slot);
}
