using System.Diagnostics;
using Microsoft.Extensions.Options;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Sampling.Study;

namespace Transport.Grains;

/// <summary>
/// Runs a whole <c>transport sample</c> study in the cluster (<see cref="SampleStudy"/>, the loop an in-process study
/// runs too): the reference, the optional coupling, one sampling job per step count (<see cref="GrainSampleRunner"/>)
/// and the metrics. It keeps the uploads it was given (the data set and custom noise, which a client rebuilding the
/// outputs needs), the per-run metrics and the last run's samples; its child jobs hold the shards and are released
/// as soon as their samples are downloaded.
/// </summary>
/// <param name="limits">The silo's admission limits (the study's child jobs are admitted on their own too).</param>
public sealed partial class SampleStudyCoordinatorGrain(IOptions<JobLimits> limits) : JobCoordinatorGrain<SampleStudySpec, SampleStudyProgress, SampleStudyResult>(limits), ISampleStudyCoordinatorGrain
{
    private ChunkedUpload? dataUpload;
    private ChunkedUpload? noiseUpload;
    private double[] dataPoints = [];
    private double[] dataWeights = [];
    private double[] noise = [];
    private double[] samples = [];
    private double weightSum;

    /// <inheritdoc />
    protected override string Kind => "sample";

    /// <inheritdoc />
    protected override SampleStudyProgress InitialProgress(SampleStudySpec spec) => new("created", [], 0, spec.Steps.Length);

    /// <inheritdoc />
    protected override (string? Label, string Summary) Describe(SampleStudySpec spec) =>
        (spec.Label, string.Create(CultureInfo.InvariantCulture, $"target={spec.Target} sampler={spec.Sampler} n={spec.Count} d={spec.Dimension} steps={string.Join(",", spec.Steps)}"));

    /// <inheritdoc />
    protected override Task ReleaseShardsAsync()
    {
        // The children were released after each run; what is left is this grain's own arrays (and what it stored).
        (dataPoints, dataWeights, noise, samples) = ([], [], [], []);
        return ClearStoredAsync();
    }

    /// <inheritdoc />
    protected override SampleStudySpec ValidateJob(SampleStudySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Dimension > Limits.MaxDimension)
        {
            // A data target is checked before its upload with one stand-in point of d zeros: an absurd d is refused
            // (the silo's dimension limit, checked first by the demand) before that point is allocated.
            Demand(spec).CheckAgainst(Limits);
        }

        try
        {
            spec.CheckBeforeUploads();
            if (spec.Target == Numerics.Sampling.SampleTarget.Data && spec.DataCount is < 1 or > SampleRequestChecks.MaxDataPoints)
            {
                throw new InvalidInputException("data", $"a data set target needs 1 to {SampleRequestChecks.MaxDataPoints} points, got {spec.DataCount}");
            }

            return spec;
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
    }

    /// <inheritdoc />
    /// <remarks>What this grain holds: the data set with its weights, the uploaded noise and the last run's samples.</remarks>
    protected override JobDemand Demand(SampleStudySpec spec)
    {
        long count = spec.Count, d = Math.Max(spec.Dimension, 1), data = spec.Target == Numerics.Sampling.SampleTarget.Data ? spec.DataCount : 0;
        var bytes = (((spec.UploadedNoise ? 2 : 1) * count * d) + (data * (d + 1))) * sizeof(double);
        return new JobDemand(count + data, string.Create(CultureInfo.InvariantCulture, $"{count} samples + {data} data points"), count + data, spec.Dimension, bytes, "the data set, the noise and the last run's samples on the study coordinator");
    }

    /// <inheritdoc />
    protected override Task<SampleStudySpec> CreateJobAsync(SampleStudySpec spec)
    {

        var data = spec.Target == Numerics.Sampling.SampleTarget.Data ? spec.DataCount : 0;
        dataUpload = new ChunkedUpload("data", null, data, spec.Dimension, Numerics.Sampling.SampleTarget.MaxCoordinate);
        noiseUpload = new ChunkedUpload("noise", null, spec.UploadedNoise ? spec.Count : 0, spec.Dimension, Numerics.Sampling.SampleTarget.MaxCoordinate);
        dataPoints = new double[(long)data * spec.Dimension];
        dataWeights = new double[data];
        noise = spec.UploadedNoise ? new double[(long)spec.Count * spec.Dimension] : [];
        samples = [];
        weightSum = 0.0;
        return Task.FromResult(spec);
    }

    /// <inheritdoc />
    public Task UploadDataAsync(int offset, FloatBlock points, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(weights);
        var job = RequireUploadable();
        if (job.Target != Numerics.Sampling.SampleTarget.Data)
        {
            throw new JobInputException("data", $"data: a {job.Target} target takes no data points");
        }

        dataUpload!.Check(offset, points, null);
        UploadChecks.CheckBlock("data-weights", weights);
        if (weights.Rows != points.Rows || weights.Columns != 1)
        {
            throw new JobInputException("data-weights", $"data-weights: expected {points.Rows} x 1 weights for the chunk, got {weights.Rows} x {weights.Columns}");
        }

        var mass = UploadChecks.CheckWeights("data-weights", weights.Values, offset);
        points.Values.CopyTo(dataPoints.AsSpan(offset * job.Dimension));
        weights.Values.CopyTo(dataWeights.AsSpan(offset));
        weightSum += mass;
        dataUpload.Accept(points.Rows, 0);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UploadNoiseAsync(int offset, FloatBlock noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var job = RequireUploadable();
        if (!job.UploadedNoise)
        {
            throw new JobInputException("noise", "noise: the spec says the source noise is drawn; set UploadedNoise to upload it");
        }

        noiseUpload!.Check(offset, noise, null);
        noise.Values.CopyTo(this.noise.AsSpan(offset * job.Dimension));
        noiseUpload.Accept(noise.Rows, 0);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task PrepareRunAsync(SampleStudySpec spec)
    {
        dataUpload!.RequireComplete("points");
        noiseUpload!.RequireComplete("source rows");
        if (spec.Target == Numerics.Sampling.SampleTarget.Data)
        {
            if (!(weightSum > 0.0 && double.IsFinite(weightSum)))
            {
                throw new JobInputException("data-weights", $"data-weights: the weights sum to {weightSum.ToString("R", CultureInfo.InvariantCulture)}, not a positive finite number");
            }

            // The target's weights sum to one, as the console's data set loader stores them.
            for (var i = 0; i < dataWeights.Length; i++)
            {
                dataWeights[i] /= weightSum;
            }
        }

        return SealInputsAsync();
    }

    /// <inheritdoc />
    protected override async Task<SampleStudyResult> RunJobAsync(SampleStudySpec spec, Activity? activity, CancellationToken cancellationToken)
    {
        await ReloadInputsAsync();
        SampleRequest request;
        try
        {
            var data = spec.Target == Numerics.Sampling.SampleTarget.Data;
            request = spec.ToRequest(data ? dataPoints : null, data ? dataWeights : null, spec.UploadedNoise ? noise : null);
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }

        activity?.SetTag("transport.runs", spec.Steps.Length);
        var lines = new List<string>();
        var done = 0;
        void Line(string line)
        {
            lines.Add(line);
            done += line.StartsWith("sample ", StringComparison.Ordinal) ? 1 : 0;
            Report(new SampleStudyProgress(line, [.. lines], done, spec.Steps.Length));
        }

        // A study resumed after its coordinator's loss runs again from its first run (its runs are deterministic); the
        // children the lost activation left under the same ids are released first.
        var runner = new GrainSampleRunner(GrainFactory, this.GetPrimaryKeyString()) { ReplaceExisting = Resumed };
        var outcome = await SampleStudy.RunAsync(request, spec.Steps, runner, Line, cancellationToken);
        samples = outcome.Runs[^1].Result.Samples;
        await SaveSamplesAsync();
        return new SampleStudyResult
        {
            ReferenceMethod = outcome.ReferenceMethod,
            Runs = [.. outcome.Runs.Select(r => new SampleStudyRun
            {
                Steps = r.Steps,
                Evaluations = r.Result.Evaluations,
                Seconds = r.Result.Seconds,
                KineticEnergy = r.Result.KineticEnergy,
                Displacement = r.Result.Displacement,
                AcceptedSteps = r.Result.Steps,
                MetricNames = [.. r.Metrics.Keys],
                MetricValues = [.. r.Metrics.Values],
                Traffic = new JobTraffic(r.Result.Messages, r.Result.PayloadBytes, r.Result.TrafficShards, r.Result.TrafficIterations),
            })],
            Seconds = RunElapsed.TotalSeconds,
            Count = spec.Count,
            Dimension = spec.Dimension,
        };
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetSamplesAsync(int offset, int count)
    {
        var done = CompletedResult;
        await ReloadSamplesAsync();
        return Rows(samples, done.Count, done.Dimension, offset, count);
    }

    /// <inheritdoc />
    public async Task<SampleStudyDataChunk> GetDataAsync(int offset, int count)
    {
        var job = Spec;
        await ReloadInputsAsync();
        var total = dataWeights.Length;
        return new SampleStudyDataChunk(Rows(dataPoints, total, job.Dimension, offset, count), Rows(dataWeights, total, 1, offset, count));
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetNoiseAsync(int offset, int count)
    {
        var job = Spec;
        await ReloadInputsAsync();
        return Rows(noise, noise.Length / job.Dimension, job.Dimension, offset, count);
    }

    private static FloatBlock Rows(double[] values, int total, int columns, int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > total)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {(long)offset + count}) are outside [0, {total})");
        }

        if ((long)count * columns * sizeof(double) > FloatBlock.MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"at most {FloatBlock.RowsPerChunk(columns)} rows per request");
        }

        return FloatBlock.From(values.AsSpan(offset * columns, count * columns), count, columns);
    }
}
