using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// Drives one sampling run across shard grains: validates the spec, lays out the data shards and particle shards,
/// routes uploads, runs <see cref="SamplingDriver"/> (the driver of the single-process path) on a
/// <see cref="DistributedSamplingBackend"/> on its own activation, and serves progress and the samples in chunks.
/// </summary>
/// <param name="limits">The silo's admission limits and upload lease.</param>
public sealed partial class SamplingCoordinatorGrain(IOptions<JobLimits> limits) : JobCoordinatorGrain<SamplingJobSpec, SamplingJobProgress, SamplingJobResult>(limits), ISamplingCoordinatorGrain
{
    private SamplingOptions? options;
    private int[] particleOffsets = [];
    private int[] dataOffsets = [];
    private ISamplingParticleShardGrain[] particleShards = [];
    private ISamplingDataShardGrain[] dataShards = [];
    private ChunkedUpload? dataUpload;
    private ChunkedUpload? noiseUpload;
    private double totalWeight;
    private double[] samples = [];

    /// <inheritdoc />
    protected override string Kind => "sampling";

    /// <inheritdoc />
    protected override SamplingJobProgress InitialProgress(SamplingJobSpec spec) => new(0, spec.Start, 0);

    /// <inheritdoc />
    protected override (string? Label, string Summary) Describe(SamplingJobSpec spec) =>
        (spec.Label, string.Create(CultureInfo.InvariantCulture, $"target={spec.Target} sampler={spec.Sampler} n={spec.Count} d={spec.Dimension} shards={spec.ParticleShards}"));

    /// <inheritdoc />
    protected override Task ReleaseShardsAsync()
    {
        samples = [];
        return Task.WhenAll(particleShards.Select(s => s.ReleaseShardAsync()).Concat(dataShards.Select(s => s.ReleaseShardAsync())));
    }

    /// <inheritdoc />
    protected override SamplingJobSpec ValidateJob(SamplingJobSpec spec)
    {
        try
        {
            _ = SamplingModel.Validate(spec);
            return spec;
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
    }

    /// <inheritdoc />
    protected override JobDemand Demand(SamplingJobSpec spec) => JobFootprints.Sampling(spec);

    /// <inheritdoc />
    protected override async Task<SamplingJobSpec> CreateJobAsync(SamplingJobSpec spec)
    {
        Layout(spec);
        var empirical = spec.Target == "empirical";
        var jobId = this.GetPrimaryKeyString();
        var setup = new SamplingParticleShardSetup { JobId = jobId, Job = spec, Offsets = particleOffsets, DataShards = dataShards.Length };
        await Task.WhenAll(
            particleShards.Select((s, k) => s.InitializeAsync(setup, k)).Concat(
            dataShards.Select((s, k) => s.InitializeAsync(new SamplingDataShardSetup(SamplingDataKind.Empirical, dataOffsets[k + 1] - dataOffsets[k], spec.Dimension)))));
        dataUpload = new ChunkedUpload("data", null, empirical ? spec.DataCount : 0, spec.Dimension, SampleTarget.MaxCoordinate);
        noiseUpload = new ChunkedUpload("noise", null, spec.UploadedNoise ? spec.Count : 0, spec.Dimension, SampleTarget.MaxCoordinate);
        totalWeight = 0;
        samples = [];
        return spec;
    }

    /// <summary>The validated options, the shards' layout and their grains (at creation, and in an activation that resumes the job).</summary>
    private void Layout(SamplingJobSpec spec)
    {
        options = SamplingModel.Validate(spec);
        var jobId = this.GetPrimaryKeyString();
        dataOffsets = spec.Target == "empirical" ? ShardLayout.Split(spec.DataCount, spec.DataShards) : [0];
        dataShards = [.. Enumerable.Range(0, dataOffsets.Length - 1).Select(k => GrainFactory.GetGrain<ISamplingDataShardGrain>(SamplingLayout.DataShardKey(jobId, k)))];
        particleOffsets = ShardLayout.Split(spec.Count, spec.ParticleShards);
        particleShards = [.. Enumerable.Range(0, particleOffsets.Length - 1).Select(k => GrainFactory.GetGrain<ISamplingParticleShardGrain>(SamplingLayout.ParticleShardKey(jobId, k)))];
    }

    /// <inheritdoc />
    public async Task UploadDataAsync(int offset, FloatBlock points, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(weights);
        var job = RequireUploadable();
        if (job.Target != "empirical")
        {
            throw new JobInputException("data", $"data: a {job.Target} target takes no data points");
        }

        var rows = points.Rows;
        dataUpload!.Check(offset, points, null);
        UploadChecks.CheckBlock("data-weights", weights);
        if (weights.Rows != rows || weights.Columns != 1)
        {
            throw new JobInputException("data-weights", $"data-weights: expected {rows} x 1 weights for the chunk, got {weights.Rows} x {weights.Columns}");
        }

        // The running sum continues over the chunks in order, as the single-process target sums its weights.
        var sum = totalWeight;
        var values = weights.Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (!(values[i] > 0.0) || !double.IsFinite(values[i]))
            {
                throw new JobInputException("data-weights", $"data-weights: weight [{offset + i}] is {values[i].ToString("R", CultureInfo.InvariantCulture)}; weights must be positive and finite");
            }

            sum += values[i];
        }

        await UploadChecks.RouteAsync(dataOffsets, offset, points, weights, (k, row, p, w) => dataShards[k].LoadAsync(row, p, w));
        totalWeight = sum;
        dataUpload.Accept(rows, 0);
    }

    /// <inheritdoc />
    public async Task UploadNoiseAsync(int offset, FloatBlock noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var job = RequireUploadable();
        if (!job.UploadedNoise)
        {
            throw new JobInputException("noise", "noise: the spec says each shard draws its own source noise; set UploadedNoise to upload it");
        }

        noiseUpload!.Check(offset, noise, null);
        await UploadChecks.RouteRowsAsync(particleOffsets, offset, noise, (k, row, rows) => particleShards[k].LoadNoiseAsync(row, rows));
        noiseUpload.Accept(noise.Rows, 0);
    }

    /// <inheritdoc />
    protected override async Task PrepareRunAsync(SamplingJobSpec spec)
    {
        dataUpload!.RequireComplete("points");
        noiseUpload!.RequireComplete("source rows");
        if (spec.Target == "empirical" && !(totalWeight > 0.0 && double.IsFinite(totalWeight)))
        {
            throw new JobInputException("data-weights", $"data-weights: the weights sum to {totalWeight.ToString("R", CultureInfo.InvariantCulture)}, not a positive finite number");
        }

        // Data shards first: particle shards may query them as soon as the run starts.
        await Task.WhenAll(dataShards.Select(s => s.PrepareAsync(totalWeight)));
        await Task.WhenAll(particleShards.Select(s => s.PrepareAsync()));
        await SealShardsAsync();
    }

    /// <inheritdoc />
    protected override async Task<SamplingJobResult> RunJobAsync(SamplingJobSpec spec, Activity? activity, CancellationToken cancellationToken)
    {
        activity?.SetTag("transport.shards", particleShards.Length);
        activity?.SetTag("transport.data_shards", dataShards.Length);
        activity?.SetTag("transport.sampler", spec.Sampler);
        var progress = new StatusProgress(p => Report(new SamplingJobProgress(p.Step, p.Time, p.Evaluations)));
        var report = Checkpointing.Enabled
            ? await RunCheckpointedAsync(spec, progress, cancellationToken)
            : await SamplingDriver.RunAsync(new DistributedSamplingBackend(particleShards), options!, SamplingModel.Schedule(spec), progress, cancellationToken);
        samples = Checkpointing.Enabled ? await GatherFinishedAsync() : await GatherSamplesAsync();
        Report(new SamplingJobProgress(report.Steps, report.Times[^1], report.Evaluations));
        activity?.SetTag("transport.evaluations", report.Evaluations);
        return new SamplingJobResult
        {
            Count = spec.Count,
            Dimension = spec.Dimension,
            Evaluations = report.Evaluations,
            Steps = report.Steps,
            RejectedSteps = report.RejectedSteps,
            KineticEnergy = report.KineticEnergy,
            ParticleShards = particleShards.Length,
            DataShards = dataShards.Length,
            Seconds = RunElapsed.TotalSeconds,
            Checkpoints = checkpointsWritten,
            Recoveries = Recoveries,
            Traffic = await JobTrafficReport.SumAsync([.. particleShards, .. dataShards], (long)report.Steps + report.RejectedSteps),
        };
    }

    private Task<double[]> GatherSamplesAsync() =>
        BlockTransfer.GatherAsync(particleOffsets, Spec.Dimension, (k, start, rows) => particleShards[k].GetPositionsAsync(start, rows));

    /// <inheritdoc />
    public async Task<FloatBlock> GetSamplesAsync(int offset, int count)
    {
        var done = CompletedResult;
        var all = await SamplesAsync();
        var d = done.Dimension;
        // In long: offset + count near int.MaxValue would wrap negative and pass.
        if (offset < 0 || count < 0 || (long)offset + count > done.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {(long)offset + count}) are outside [0, {done.Count})");
        }

        if ((long)count * d * sizeof(double) > FloatBlock.MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"at most {FloatBlock.RowsPerChunk(d)} rows per request");
        }

        return FloatBlock.From(all.AsSpan(offset * d, count * d), count, d);
    }

    private sealed class StatusProgress(Action<SamplingProgress> report) : IProgress<SamplingProgress>
    {
        public void Report(SamplingProgress value) => report(value);
    }
}
