using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Sampling;

namespace Transport.Grains;

/// <summary>
/// Drives one sampling run across shard grains: validates the spec, lays out the data shards and particle shards,
/// routes uploads, runs <see cref="SamplingDriver"/> (the driver of the single-process path) on a
/// <see cref="DistributedSamplingBackend"/> on its own activation, and serves progress and the samples in chunks.
/// </summary>
public sealed class SamplingCoordinatorGrain : Grain, ISamplingCoordinatorGrain, IDisposable
{
    private SamplingJobSpec? spec;
    private SamplingOptions? options;
    private int[] particleOffsets = [];
    private int[] dataOffsets = [];
    private ISamplingParticleShardGrain[] particleShards = [];
    private ISamplingDataShardGrain[] dataShards = [];
    private long dataRows;
    private long noiseRows;
    private double totalWeight;
    private SamplingJobStatus status = new(JobState.Created, 0, 0, 0, null);
    private SamplingJobResult? result;
    private double[] samples = [];
    private CancellationTokenSource? cancellation;

    /// <inheritdoc />
    public void Dispose() => cancellation?.Dispose();

    /// <inheritdoc />
    public async Task CreateAsync(SamplingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (status.State == JobState.Running)
        {
            throw new InvalidOperationException($"run '{this.GetPrimaryKeyString()}' is running; cancel it or use another id");
        }

        try
        {
            options = SamplingModel.Validate(spec);
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }

        this.spec = spec;
        var jobId = this.GetPrimaryKeyString();
        var empirical = spec.Target == "empirical";
        dataOffsets = empirical ? ShardLayout.Split(spec.DataCount, spec.DataShards) : [0];
        dataShards = Enumerable.Range(0, dataOffsets.Length - 1)
            .Select(k => GrainFactory.GetGrain<ISamplingDataShardGrain>(SamplingLayout.DataShardKey(jobId, k))).ToArray();
        particleOffsets = ShardLayout.Split(spec.Count, spec.ParticleShards);
        particleShards = Enumerable.Range(0, particleOffsets.Length - 1)
            .Select(k => GrainFactory.GetGrain<ISamplingParticleShardGrain>(SamplingLayout.ParticleShardKey(jobId, k))).ToArray();
        var setup = new SamplingParticleShardSetup { JobId = jobId, Job = spec, Offsets = particleOffsets, DataShards = dataShards.Length };
        await Task.WhenAll(
            particleShards.Select((s, k) => s.InitializeAsync(setup, k)).Concat(
            dataShards.Select((s, k) => s.InitializeAsync(new SamplingDataShardSetup(SamplingDataKind.Empirical, dataOffsets[k + 1] - dataOffsets[k], spec.Dimension)))));
        dataRows = 0;
        noiseRows = 0;
        totalWeight = 0;
        result = null;
        samples = [];
        status = new SamplingJobStatus(JobState.Created, 0, 0, 0, null);
    }

    /// <inheritdoc />
    public async Task UploadDataAsync(int offset, FloatBlock points, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(weights);
        var job = Uploadable();
        if (job.Target != "empirical")
        {
            throw new JobInputException("data", $"data: a {job.Target} target takes no data points");
        }

        var rows = points.Rows;
        CheckChunk("data", job, points, offset, dataRows, job.DataCount);
        if (weights.Rows != rows || weights.Columns != 1)
        {
            throw new JobInputException("data-weights", $"data-weights: expected {rows} x 1 weights for the chunk, got {weights.Rows} x {weights.Columns}");
        }

        UploadChecks.CheckCoordinates("data", points.Values, job.Dimension, offset);

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
        dataRows += rows;
    }

    /// <inheritdoc />
    public async Task UploadNoiseAsync(int offset, FloatBlock noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var job = Uploadable();
        if (!job.UploadedNoise)
        {
            throw new JobInputException("noise", "noise: the spec says each shard draws its own source noise; set UploadedNoise to upload it");
        }

        CheckChunk("noise", job, noise, offset, noiseRows, job.Count);
        UploadChecks.CheckCoordinates("noise", noise.Values, job.Dimension, offset);
        await UploadChecks.RouteRowsAsync(particleOffsets, offset, noise, (k, row, rows) => particleShards[k].LoadNoiseAsync(row, rows));
        noiseRows += noise.Rows;
    }

    /// <inheritdoc />
    public async Task StartAsync()
    {
        var job = spec ?? throw new InvalidOperationException("call CreateAsync first");
        if (status.State != JobState.Created)
        {
            throw new InvalidOperationException($"the run is {status.State}; create it again to rerun");
        }

        if (job.Target == "empirical" && dataRows != job.DataCount)
        {
            throw new JobInputException("data", $"data: {dataRows} of {job.DataCount} points were uploaded");
        }

        if (job.UploadedNoise && noiseRows != job.Count)
        {
            throw new JobInputException("noise", $"noise: {noiseRows} of {job.Count} source rows were uploaded");
        }

        if (job.Target == "empirical" && !(totalWeight > 0.0 && double.IsFinite(totalWeight)))
        {
            throw new JobInputException("data-weights", $"data-weights: the weights sum to {totalWeight.ToString("R", CultureInfo.InvariantCulture)}, not a positive finite number");
        }

        // Data shards first: particle shards may query them as soon as the run starts.
        await Task.WhenAll(dataShards.Select(s => s.PrepareAsync(totalWeight)));
        await Task.WhenAll(particleShards.Select(s => s.PrepareAsync()));
        if (status.State != JobState.Created)
        {
            // Cancelled while the shards were preparing: do not start.
            return;
        }

        cancellation?.Dispose();
        cancellation = new CancellationTokenSource();
        status = new SamplingJobStatus(JobState.Running, 0, job.Start, 0, null);
        DelayDeactivation(TimeSpan.FromHours(24));
        _ = RunAsync(job, options!, cancellation.Token);
    }

    /// <inheritdoc />
    public Task<SamplingJobStatus> GetStatusAsync() => Task.FromResult(status);

    /// <inheritdoc />
    public Task CancelAsync()
    {
        if (status.State == JobState.Created)
        {
            status = status with { State = JobState.Cancelled };
        }

        cancellation?.Cancel();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SamplingJobResult> GetResultAsync() =>
        Task.FromResult(result ?? throw new InvalidOperationException($"no result: the run is {status.State}"));

    /// <inheritdoc />
    public Task<FloatBlock> GetSamplesAsync(int offset, int count)
    {
        var done = result ?? throw new InvalidOperationException($"no result: the run is {status.State}");
        var d = done.Dimension;
        if (offset < 0 || count < 0 || offset + count > done.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {offset + count}) are outside [0, {done.Count})");
        }

        if ((long)count * d * sizeof(double) > FloatBlock.MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"at most {FloatBlock.RowsPerChunk(d)} rows per request");
        }

        return Task.FromResult(FloatBlock.From(samples.AsSpan(offset * d, count * d), count, d));
    }

    private async Task RunAsync(SamplingJobSpec job, SamplingOptions runOptions, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        using var activity = TransportTelemetry.ActivitySource.StartActivity("sampling.run");
        activity?.SetTag("transport.shards", particleShards.Length);
        activity?.SetTag("transport.data_shards", dataShards.Length);
        activity?.SetTag("transport.sampler", job.Sampler);
        try
        {
            var backend = new DistributedSamplingBackend(particleShards);
            var progress = new StatusProgress(p => status = status with { Steps = p.Step, Time = p.Time, Evaluations = p.Evaluations });
            var report = await SamplingDriver.RunAsync(backend, runOptions, SamplingModel.Schedule(job), progress, token);
            samples = await BlockTransfer.GatherAsync(particleOffsets, job.Dimension, (k, start, rows) => particleShards[k].GetPositionsAsync(start, rows));
            result = new SamplingJobResult
            {
                Count = job.Count,
                Dimension = job.Dimension,
                Evaluations = report.Evaluations,
                Steps = report.Steps,
                RejectedSteps = report.RejectedSteps,
                KineticEnergy = report.KineticEnergy,
                ParticleShards = particleShards.Length,
                DataShards = dataShards.Length,
                Seconds = clock.Elapsed.TotalSeconds,
            };
            status = new SamplingJobStatus(JobState.Completed, report.Steps, report.Times[^1], report.Evaluations, null);
            activity?.SetTag("transport.evaluations", report.Evaluations);
            activity?.SetStatus(ActivityStatusCode.Ok);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            status = status with { State = JobState.Cancelled, Error = "cancelled" };
        }
        catch (Exception ex)
        {
            status = status with { State = JobState.Failed, Error = ex.Message };
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
    }

    private SamplingJobSpec Uploadable()
    {
        var job = spec ?? throw new InvalidOperationException("call CreateAsync first");
        return status.State == JobState.Created ? job : throw new InvalidOperationException("uploads are accepted only before the run starts");
    }

    private static void CheckChunk(string field, SamplingJobSpec job, FloatBlock rows, int offset, long expected, int total)
    {
        if (rows.Columns != job.Dimension)
        {
            throw new JobInputException(field, $"{field}: rows have {rows.Columns} coordinates, expected dimension {job.Dimension}");
        }

        if (offset < 0 || (long)offset + rows.Rows > total)
        {
            throw new JobInputException(field, $"{field}: rows [{offset}, {(long)offset + rows.Rows}) are outside [0, {total})");
        }

        // Chunks arrive in order, so a repeated or missing chunk cannot pass for a complete upload.
        if (offset != expected)
        {
            throw new JobInputException(field, $"{field}: chunk starts at row {offset}, expected row {expected} (chunks are uploaded in order)");
        }
    }

    /// <summary>Reports progress synchronously on the driver's own flow (no synchronisation context hop).</summary>
    private sealed class StatusProgress(Action<SamplingProgress> report) : IProgress<SamplingProgress>
    {
        public void Report(SamplingProgress value) => report(value);
    }
}
