using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// Drives one Sinkhorn problem across shard grains: lays out the blocks, routes uploads, runs the one Sinkhorn loop
/// (the same code as the single-process solver: dense, or multiscale with its coarse levels here) with its work on the
/// points on the job's <see cref="ISinkhornShardGrain"/>s (<see cref="DistributedSinkhornBackend"/>), and serves
/// progress and results.
/// </summary>
public sealed partial class SinkhornCoordinatorGrain : Grain, ISinkhornCoordinatorGrain, IDisposable
{
    private SinkhornJobSpec? spec;
    private SinkhornOptions? options;
    private int[] sourceOffsets = [];
    private int[] targetOffsets = [];
    private ISinkhornShardGrain[] sourceShards = [];
    private ISinkhornShardGrain[] targetShards = [];
    private long uploadedSourceRows;
    private long uploadedTargetRows;
    private double sourceMass;
    private double targetMass;
    // Volatile: multiscale solves run off the grain scheduler (Task.Run) and report progress from there.
    private volatile SinkhornJobStatus status = new(JobState.Created, "none", 0, double.NaN, double.NaN, null);
    private SinkhornJobResult? result;
    private double potentialShift;
    private MultiscaleArrays? multiscaleArrays;
    private CancellationTokenSource? cancellation;

    /// <inheritdoc />
    public void Dispose() => cancellation?.Dispose();

    /// <inheritdoc />
    public async Task CreateAsync(SinkhornJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (status.State == JobState.Running)
        {
            throw new InvalidOperationException($"problem '{this.GetPrimaryKeyString()}' is running; cancel it or use another id");
        }

        var validated = SinkhornJobChecks.Validate(spec);
        this.spec = spec;
        options = validated;
        sourceOffsets = ShardLayout.Split(spec.SourceCount, spec.Shards);
        targetOffsets = ShardLayout.Split(spec.TargetCount, spec.Shards);
        var problemId = this.GetPrimaryKeyString();
        sourceShards = Enumerable.Range(0, sourceOffsets.Length - 1)
            .Select(k => GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Source, k))).ToArray();
        targetShards = Enumerable.Range(0, targetOffsets.Length - 1)
            .Select(k => GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Target, k))).ToArray();
        var setup = new SinkhornShardSetup
        {
            ProblemId = problemId,
            SourceOffsets = sourceOffsets,
            TargetOffsets = targetOffsets,
            Dimension = spec.Dimension,
            Cost = spec.Cost,
            Precision = spec.Precision,
            WithSelfProblems = spec.Divergence,
        };
        await Task.WhenAll(
            sourceShards.Select((s, k) => s.InitializeAsync(setup, CloudSide.Source, k))
                .Concat(targetShards.Select((s, k) => s.InitializeAsync(setup, CloudSide.Target, k))));
        uploadedSourceRows = 0;
        uploadedTargetRows = 0;
        sourceMass = 0;
        targetMass = 0;
        result = null;
        status = new SinkhornJobStatus(JobState.Created, "none", 0, double.NaN, double.NaN, null);
    }

    /// <inheritdoc />
    public async Task UploadAsync(CloudSide side, int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        var job = spec ?? throw new InvalidOperationException("call CreateAsync first");
        if (status.State != JobState.Created)
        {
            throw new InvalidOperationException("uploads are accepted only before the job starts");
        }

        var name = side == CloudSide.Source ? "source" : "target";
        var total = side == CloudSide.Source ? job.SourceCount : job.TargetCount;
        var rows = positions.Rows;
        if (positions.Columns != job.Dimension)
        {
            throw new JobInputException(name, $"{name}: rows have {positions.Columns} coordinates, expected dimension {job.Dimension}");
        }

        if (weights.Rows != rows || weights.Columns != 1)
        {
            throw new JobInputException($"{name}-weights", $"{name}-weights: expected {rows} x 1 weights for the chunk, got {weights.Rows} x {weights.Columns}");
        }

        if (offset < 0 || offset + rows > total)
        {
            throw new JobInputException(name, $"{name}: rows [{offset}, {offset + rows}) are outside [0, {total})");
        }

        // Chunks arrive in order, so a repeated or missing chunk cannot pass for a complete cloud.
        var expected = side == CloudSide.Source ? uploadedSourceRows : uploadedTargetRows;
        if (offset != expected)
        {
            throw new JobInputException(name, $"{name}: chunk starts at row {offset}, expected row {expected} (chunks are uploaded in order)");
        }

        UploadChecks.CheckCoordinates(name, positions.Values, job.Dimension, offset);
        var mass = UploadChecks.CheckWeights($"{name}-weights", weights.Values, offset);
        var offsets = side == CloudSide.Source ? sourceOffsets : targetOffsets;
        var shards = side == CloudSide.Source ? sourceShards : targetShards;
        await UploadChecks.RouteAsync(offsets, offset, positions, weights, (k, row, p, w) => shards[k].LoadAsync(row, p, w));
        if (side == CloudSide.Source)
        {
            uploadedSourceRows += rows;
            sourceMass += mass;
        }
        else
        {
            uploadedTargetRows += rows;
            targetMass += mass;
        }
    }

    /// <inheritdoc />
    public async Task StartAsync()
    {
        var job = spec ?? throw new InvalidOperationException("call CreateAsync first");
        if (status.State != JobState.Created)
        {
            throw new InvalidOperationException($"the job is {status.State}; create it again to rerun");
        }

        SinkhornJobChecks.CheckComplete("source", uploadedSourceRows, job.SourceCount, sourceMass);
        SinkhornJobChecks.CheckComplete("target", uploadedTargetRows, job.TargetCount, targetMass);
        var box = (await BoundingBoxAsync(sourceShards)).Union(await BoundingBoxAsync(targetShards));
        if (!double.IsFinite(SinkhornProblem.MaxCost(box, options!.Cost)))
        {
            throw new JobInputException("source", $"source: the clouds span a squared diameter of {box.Diameter * box.Diameter} (coordinates too far apart for float64 costs)");
        }

        if (status.State != JobState.Created)
        {
            // Cancelled while the shards were preparing: do not start.
            return;
        }

        cancellation?.Dispose();
        cancellation = new CancellationTokenSource();
        status = new SinkhornJobStatus(JobState.Running, "cross", 0, double.NaN, double.NaN, null);
        DelayDeactivation(TimeSpan.FromHours(24));
        _ = RunAsync(job, options!, cancellation.Token);
    }

    /// <inheritdoc />
    public Task<SinkhornJobStatus> GetStatusAsync() => Task.FromResult(status);

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
    public Task<SinkhornJobResult> GetResultAsync() =>
        Task.FromResult(result ?? throw new InvalidOperationException($"no result: the job is {status.State}"));

    /// <inheritdoc />
    public async Task<FloatBlock> GetPotentialAsync(CloudSide side, int offset, int count)
    {
        RequireResult();
        if (multiscaleArrays is { } arrays)
        {
            return FloatBlock.FromVector(Slice(side == CloudSide.Source ? arrays.F : arrays.G, offset, count, 1));
        }

        var offsets = side == CloudSide.Source ? sourceOffsets : targetOffsets;
        var shards = side == CloudSide.Source ? sourceShards : targetShards;
        var values = await GatherRangeAsync(offsets, offset, count, 1, (k, start, rows) => shards[k].GetPotentialRangesAsync(SinkhornTerm.Cross, side, [start], [rows]));

        // Output convention: <f, a> = <g, b> (see PotentialNormalisation).
        var shift = side == CloudSide.Source ? -potentialShift : potentialShift;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] += shift;
        }

        return FloatBlock.FromVector(values);
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetMapAsync(int offset, int count)
    {
        RequireResult();
        var d = spec!.Dimension;
        if (multiscaleArrays is { } arrays)
        {
            return FloatBlock.From(Slice(arrays.Map, offset, count, d), count, d);
        }

        var values = await GatherRangeAsync(sourceOffsets, offset, count, d, (k, start, rows) => sourceShards[k].GetMapAsync(SinkhornTerm.Cross, start, rows));
        return FloatBlock.From(values, count, d);
    }

    private async Task RunAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        using var activity = TransportTelemetry.ActivitySource.StartActivity("sinkhorn.solve");
        activity?.SetTag("transport.shards", sourceShards.Length);
        activity?.SetTag("transport.precision", job.Precision);
        activity?.SetTag("transport.multiscale", job.Multiscale);
        try
        {
            var solved = job.Multiscale
                ? await SolveMultiscaleAsync(job, solveOptions, token)
                : await SolveDenseAsync(job, solveOptions, token);
            result = solved with { Seconds = clock.Elapsed.TotalSeconds };
            status = status with { State = JobState.Completed };
            activity?.SetTag("transport.iterations", solved.Iterations);
            activity?.SetTag("transport.kernel_evaluations", solved.KernelEvaluations);
            activity?.SetStatus(ActivityStatusCode.Ok);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            status = status with { State = JobState.Cancelled, Error = "cancelled" };
        }
        catch (Exception ex) when (ex is JobInputException or InvalidInputException)
        {
            // Input the run itself found wanting: the client reports it as bad input (exit 2), naming the field.
            var field = ex is JobInputException input ? input.Field : ((InvalidInputException)ex).Field;
            status = status with { State = JobState.Failed, Error = ex.Message, ErrorField = field };
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
        catch (Exception ex)
        {
            status = status with { State = JobState.Failed, Error = ex.Message };
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
    }

    private void ReportProgress(SinkhornProgress progress)
    {
        var problem = new KeyValuePair<string, object?>("problem", progress.Problem);
        if (progress.Iteration > status.Iteration || progress.Problem != status.Problem)
        {
            TransportTelemetry.Iterations.Add(progress.Problem == status.Problem ? progress.Iteration - status.Iteration : progress.Iteration, problem);
        }

        TransportTelemetry.MarginalError.Record(progress.MarginalError, problem);
        status = new SinkhornJobStatus(JobState.Running, progress.Problem, progress.Iteration, progress.Epsilon, progress.MarginalError, null);
    }

    private void RequireResult()
    {
        if (result is null)
        {
            throw new InvalidOperationException($"no result: the job is {status.State}");
        }
    }

    private static double[] Slice(double[] values, int offset, int count, int columns)
    {
        if (offset < 0 || count < 0 || ((long)offset + count) * columns > values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {offset + count}) are outside [0, {values.Length / columns})");
        }

        return values.AsSpan(offset * columns, count * columns).ToArray();
    }

    private static async Task<double[]> GatherRangeAsync(int[] offsets, int offset, int count, int columns, Func<int, int, int, Task<FloatBlock>> fetch)
    {
        if (offset < 0 || count < 0 || offset + count > offsets[^1])
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {offset + count}) are outside [0, {offsets[^1]})");
        }

        if ((long)count * columns * sizeof(double) > FloatBlock.MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"at most {FloatBlock.RowsPerChunk(columns)} rows per request");
        }

        var values = new double[count * columns];
        var tasks = new List<Task>();
        var row = offset;
        while (row < offset + count)
        {
            var k = ShardLayout.BlockOf(offsets, row);
            var end = Math.Min(offsets[k + 1], offset + count);
            var destination = (row - offset) * columns;
            var start = row - offsets[k];
            var rows = end - row;
            tasks.Add(CopyAsync(k, start, rows, destination));
            row = end;
        }

        await Task.WhenAll(tasks);
        return values;

        async Task CopyAsync(int shard, int start, int rows, int destination)
        {
            var block = await fetch(shard, start, rows);
            block.Values.CopyTo(values.AsSpan(destination, rows * columns));
        }
    }

}

/// <summary>The arrays of a multiscale run, kept on the coordinator that solved it (potentials balanced, map).</summary>
internal sealed record MultiscaleArrays(double[] F, double[] G, double[] Map);
