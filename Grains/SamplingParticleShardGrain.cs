using Orleans.Placement;
using Transport.Grains.Interfaces;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// A block of a sampling run's particles. The per-particle arithmetic is the engine's
/// <see cref="ParticleBlockSampler"/> (the code the single-process backend runs) over an <see cref="InterpolantField"/>;
/// this grain only chooses the denoiser (the replicated inline target, run on the thread pool, or the run's data
/// shards through <see cref="DistributedEmpiricalDenoiser"/>) and moves totals and positions.
/// </summary>
// Shards spread over the silos (fewest activations first) rather than gathering on their caller's silo: a job's
// shards are what lets it use the cluster, and a silo's loss then costs only its share of them.
[ActivationCountBasedPlacement]
public sealed partial class SamplingParticleShardGrain() : TrafficCountedGrain("sampling-particle-shard"), ISamplingParticleShardGrain
{
    private SamplingParticleShardSetup? setup;
    private int index;
    private int count;
    private double[] source = [];
    private long loadedRows;
    private ParticleBlockSampler? sampler;

    // A shard asked to work without a setup is a new activation: its silo was lost (or it was released).
    private SamplingParticleShardSetup Setup => setup ?? throw new ShardStateLostException($"particle shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost, or it was released)");

    private ParticleBlockSampler Sampler => sampler ?? (setup is null ? throw new ShardStateLostException($"particle shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost)") : throw new InvalidOperationException("particle shard not prepared"));

    /// <inheritdoc />
    public Task InitializeAsync(SamplingParticleShardSetup setup, int index)
    {
        ArgumentNullException.ThrowIfNull(setup);
        this.setup = setup;
        this.index = index;
        count = setup.Offsets[index + 1] - setup.Offsets[index];
        source = new double[(long)count * setup.Job.Dimension];
        loadedRows = 0;
        sampler = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LoadNoiseAsync(int offset, FloatBlock noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var d = Setup.Job.Dimension;
        if (sampler is not null)
        {
            throw new InvalidOperationException("the shard is prepared; initialise it again to load new noise");
        }

        if (offset < 0 || (long)offset + noise.Rows > count || noise.Columns != d)
        {
            throw new ArgumentException($"rows [{offset}, {(long)offset + noise.Rows}) do not fit block of {count} x {d}");
        }

        noise.Values.CopyTo(source.AsSpan(offset * d));
        loadedRows += noise.Rows;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task PrepareAsync()
    {
        // Positions live here until the coordinator has gathered them.
        DelayDeactivation(TimeSpan.FromHours(24));
        var job = Setup.Job;
        var d = job.Dimension;
        var firstId = Setup.Offsets[index];
        if (job.UploadedNoise && loadedRows != count)
        {
            throw new InvalidOperationException($"particle shard {index}: {loadedRows} of {count} source rows were loaded");
        }

        if (!job.UploadedNoise)
        {
            SourceNoise.Fill(job.Seed, firstId, d, source);
        }

        await BuildSamplerAsync(source);
        source = [];
    }

    /// <summary>The block's sampler over <paramref name="positions"/> (at the start, or restored from a checkpoint).</summary>
    private async Task BuildSamplerAsync(double[] positions)
    {
        var job = Setup.Job;
        var firstId = Setup.Offsets[index];
        var options = job.ToOptions();
        var schedule = SamplingModel.Schedule(job);
        IVelocityField field = job.Target == "pairs"
            ? new ThreadPoolVelocityField(SamplingModel.PairsField(job))
            : new InterpolantField(schedule, Denoiser(job));
        sampler = await Task.Run(() => new ParticleBlockSampler(field, options, positions, firstId));
    }

    /// <inheritdoc />
    public async Task<SamplingStepTotals> StepAsync(int index, double t, double nextTime) =>
        Wire(await Sampler.StepAsync(index, t, nextTime, CancellationToken.None));

    /// <inheritdoc />
    public async Task CorrectAsync(int index, double t) => await Sampler.CorrectAsync(index, t, CancellationToken.None);

    /// <inheritdoc />
    public async Task SnapAsync(double t) => await Sampler.SnapAsync(t, CancellationToken.None);

    /// <inheritdoc />
    public async Task<SamplingNormTotals> StartAdaptiveAsync(double t) =>
        Wire(await Sampler.StartAdaptiveAsync(t, CancellationToken.None));

    /// <inheritdoc />
    public async Task<SamplingNormTotals> ProposeAsync(double t, double h, double stepEnd) =>
        Wire(await Sampler.ProposeAsync(t, h, stepEnd, CancellationToken.None));

    /// <inheritdoc />
    public Task<SamplingStepTotals> CommitAsync(bool accept) => Task.FromResult(Wire(Sampler.Commit(accept)));

    /// <inheritdoc />
    public Task<FloatBlock> GetPositionsAsync(int offset, int count)
    {
        var d = Setup.Job.Dimension;
        if (offset < 0 || count < 0 || (long)offset + count > this.count)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {(long)offset + count}) are outside [0, {this.count})");
        }

        return Task.FromResult(FloatBlock.From(Sampler.Positions.Span.Slice(offset * d, count * d), count, d));
    }

    private static SamplingStepTotals Wire(StepTotals totals) => new(totals.KineticEnergy, totals.Particles);

    private static SamplingNormTotals Wire(NormTotals totals) => new(totals.First, totals.Second, totals.Count);

    private IDenoiser Denoiser(SamplingJobSpec job)
    {
        if (job.Target != "empirical")
        {
            return new ThreadPoolDenoiser(new TargetDenoiser(SamplingModel.InlineTarget(job)), job.Target);
        }

        var shards = Enumerable.Range(0, Setup.DataShards)
            .Select(k => GrainFactory.GetGrain<ISamplingDataShardGrain>(SamplingLayout.DataShardKey(Setup.JobId, k)))
            .ToArray();
        return new DistributedEmpiricalDenoiser(shards, job.Dimension);
    }

    /// <inheritdoc />
    public async Task ReleaseShardAsync()
    {
        // The activation goes, and with it every array it holds (and what it stored).
        await ClearStoredAsync();
        DeactivateOnIdle();
    }
}
