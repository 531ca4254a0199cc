using Orleans.Concurrency;

namespace Transport.Grains.Interfaces;

/// <summary>
/// Owns one contiguous block of a flow's particles (key: "run/index") and runs the engine's
/// <see cref="Transport.Numerics.Flows.FlowBlockState"/> on it, stage by stage, as the coordinator asks. For
/// all-pairs models it pulls the other blocks' stage positions straight from its peers. Getters are
/// interleaved so that peers and the coordinator can read while this shard computes.
/// </summary>
[Alias("Transport.IFlowShardGrain")]
public interface IFlowShardGrain : IGrainWithStringKey, ITrafficCountingGrain
{
    /// <summary>Resets the shard for a run layout.</summary>
    [Alias("Initialize")]
    Task InitializeAsync(FlowShardSetup setup, int index);

    /// <summary>Stores rows of this block (offset relative to the block start).</summary>
    [Alias("Load")]
    Task LoadAsync(int offset, FloatBlock positions, FloatBlock weights);

    /// <summary>Stores rows of an uploaded model data block (see <see cref="FlowModelSpec.Uploaded"/>), checked by the coordinator.</summary>
    [Alias("LoadModelData")]
    Task LoadModelDataAsync(string name, int offset, FloatBlock rows);

    /// <summary>Builds the model from the run's description and the block's integrator state.</summary>
    [Alias("Prepare")]
    Task PrepareAsync();

    /// <summary>
    /// Forms the positions of <paramref name="stage"/> and returns the block's partial sums (PartialLength x 1), or an
    /// empty block when they do not fit in one <see cref="FloatBlock"/>: then read them with <see cref="GetPartialsAsync"/>.
    /// </summary>
    [Alias("BeginStage")]
    Task<FloatBlock> BeginStageAsync(int stage, double time, double stepSize);

    /// <summary>Entries [offset, offset + count) of the block's partial sums of the current stage (count x 1).</summary>
    [Alias("GetPartials")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPartialsAsync(int offset, int count);

    /// <summary>Stores entries [offset, offset + chunk rows) of a globals vector of length <paramref name="total"/> sent in chunks.</summary>
    [Alias("ReceiveGlobals")]
    Task ReceiveGlobalsAsync(FlowGlobalsPart part, int total, int offset, FloatBlock chunk);

    /// <summary>Computes the stage's velocities from the globals (pulling all stage positions when the model needs them).</summary>
    [Alias("Velocity")]
    Task<FlowMeasurePartial> VelocityAsync(int stage, FlowStageGlobals globals, bool measure);

    /// <summary>Forms the step's candidate; returns the block's error partial.</summary>
    [Alias("CompleteStep")]
    Task<FlowErrorPartialWire> CompleteStepAsync(double stepSize, long stepIndex, double noiseAmplitude);

    /// <summary>Accepts or rejects the candidate.</summary>
    [Alias("Commit")]
    Task CommitAsync(bool accept);

    /// <summary>Rows of the block's current positions (count x d), offset relative to the block.</summary>
    [Alias("GetPositions")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPositionsAsync(int offset, int count);

    /// <summary>Rows of the block's positions at the current stage <paramref name="stage"/> (count x d).</summary>
    [Alias("GetStagePositions")]
    [AlwaysInterleave]
    Task<FloatBlock> GetStagePositionsAsync(int stage, int offset, int count);

    /// <summary>Rows of the block's weights (count x 1).</summary>
    [Alias("GetWeights")]
    [AlwaysInterleave]
    Task<FloatBlock> GetWeightsAsync(int offset, int count);

    /// <summary>Drops everything the shard holds and deactivates it (the job is released).</summary>
    [Alias("ReleaseShard")]
    Task ReleaseShardAsync();

    /// <summary>
    /// Writes the block (where it sits in the job, its weights and its initial positions) to the cluster's grain storage,
    /// so that the shard can be rebuilt on another silo if its own dies; returns its row count and mass.
    /// </summary>
    [Alias("Seal")]
    Task<ShardSeal> SealAsync();

    /// <summary>Writes the particles at the last accepted step to checkpoint slot <paramref name="slot"/>; returns the count and mass held.</summary>
    [Alias("SaveCheckpoint")]
    Task<ShardSeal> SaveCheckpointAsync(int slot);

    /// <summary>
    /// Rolls the block back to checkpoint slot <paramref name="slot"/> (null: the sealed initial positions). An activation
    /// that lost the block (its silo died) reads it back from storage first. The integrator state is rebuilt by the next
    /// <see cref="PrepareAsync"/>. Returns the count and mass held, to be checked against the seal.
    /// </summary>
    [Alias("Restore")]
    Task<ShardSeal> RestoreAsync(int? slot);
}
