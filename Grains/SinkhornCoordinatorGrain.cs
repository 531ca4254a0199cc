using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// Drives one Sinkhorn problem across shard grains: lays out the blocks, routes uploads, runs the one Sinkhorn loop
/// (the same code as the single-process solver: dense, or multiscale with its coarse levels here) with its work on the
/// points on the job's <see cref="ISinkhornShardGrain"/>s (<see cref="DistributedSinkhornBackend"/>), and serves
/// progress and results. The lifecycle is <see cref="JobCoordinatorGrain{TSpec, TProgress, TResult}"/>'s.
/// </summary>
/// <param name="limits">The silo's admission limits and upload lease.</param>
public sealed partial class SinkhornCoordinatorGrain(IOptions<JobLimits> limits) : JobCoordinatorGrain<SinkhornJobSpec, SinkhornJobProgress, SinkhornJobResult>(limits), ISinkhornCoordinatorGrain
{
    private SinkhornOptions? options;
    private int[] sourceOffsets = [];
    private int[] targetOffsets = [];
    private ISinkhornShardGrain[] sourceShards = [];
    private ISinkhornShardGrain[] targetShards = [];
    private ChunkedUpload? sourceUpload;
    private ChunkedUpload? targetUpload;
    private double potentialShift;

    // Iterations of every solve of the last run (cross and self, every level): what its traffic is divided by.
    private long solvedIterations;

    // The problem and iteration of the last progress report (iteration counters for telemetry).
    private volatile SinkhornJobProgress lastProgress = SinkhornJobProgress.None;

    /// <inheritdoc />
    protected override string Kind => "sinkhorn";

    /// <inheritdoc />
    protected override SinkhornJobProgress InitialProgress(SinkhornJobSpec spec) => SinkhornJobProgress.None;

    /// <inheritdoc />
    protected override (string? Label, string Summary) Describe(SinkhornJobSpec spec) =>
        (spec.Label, string.Create(CultureInfo.InvariantCulture, $"n={spec.SourceCount} m={spec.TargetCount} d={spec.Dimension} eps={spec.Epsilon:G4} shards={spec.Shards}{(spec.Multiscale ? " multiscale" : string.Empty)}{(spec.Divergence ? " divergence" : string.Empty)}"));

    /// <inheritdoc />
    protected override async Task ReleaseShardsAsync()
    {
        await Task.WhenAll(sourceShards.Concat(targetShards).Select(s => s.ReleaseShardAsync()));
    }

    /// <inheritdoc />
    protected override SinkhornJobSpec ValidateJob(SinkhornJobSpec spec)
    {
        _ = SinkhornJobChecks.Validate(spec);
        return spec;
    }

    /// <inheritdoc />
    protected override JobDemand Demand(SinkhornJobSpec spec) => JobFootprints.Sinkhorn(spec);

    /// <inheritdoc />
    protected override async Task<SinkhornJobSpec> CreateJobAsync(SinkhornJobSpec spec)
    {
        Layout(spec);
        var problemId = this.GetPrimaryKeyString();
        var setup = new SinkhornShardSetup
        {
            ProblemId = problemId,
            SourceOffsets = sourceOffsets,
            TargetOffsets = targetOffsets,
            Dimension = spec.Dimension,
            Cost = spec.Cost,
            Precision = spec.Precision,
        };
        await Task.WhenAll(
            sourceShards.Select((s, k) => s.InitializeAsync(setup, CloudSide.Source, k))
                .Concat(targetShards.Select((s, k) => s.InitializeAsync(setup, CloudSide.Target, k))));
        sourceUpload = new ChunkedUpload("source", "source-weights", spec.SourceCount, spec.Dimension);
        targetUpload = new ChunkedUpload("target", "target-weights", spec.TargetCount, spec.Dimension);
        potentialShift = 0;
        return spec;
    }

    /// <summary>The solver options and the shard layout of <paramref name="spec"/> (also rebuilt by a resumed job's new activation).</summary>
    private void Layout(SinkhornJobSpec spec)
    {
        options = spec.ToOptions();
        sourceOffsets = ShardLayout.Split(spec.SourceCount, spec.Shards);
        targetOffsets = ShardLayout.Split(spec.TargetCount, spec.Shards);
        var problemId = this.GetPrimaryKeyString();
        sourceShards = [.. Enumerable.Range(0, sourceOffsets.Length - 1).Select(k => GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Source, k)))];
        targetShards = [.. Enumerable.Range(0, targetOffsets.Length - 1).Select(k => GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Target, k)))];
    }

    /// <inheritdoc />
    public async Task UploadAsync(CloudSide side, int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        CheckSide(side);
        RequireUploadable();
        var upload = (side == CloudSide.Source ? sourceUpload : targetUpload)!;
        var mass = upload.Check(offset, positions, weights);
        var offsets = side == CloudSide.Source ? sourceOffsets : targetOffsets;
        var shards = side == CloudSide.Source ? sourceShards : targetShards;
        await UploadChecks.RouteAsync(offsets, offset, positions, weights, (k, row, p, w) => shards[k].LoadAsync(row, p, w));
        upload.Accept(positions.Rows, mass);
    }

    /// <inheritdoc />
    protected override async Task PrepareRunAsync(SinkhornJobSpec spec)
    {
        sourceUpload!.RequireComplete();
        targetUpload!.RequireComplete();
        var sourceBox = await ShardBoundingBoxes.UnionAsync(sourceShards);
        var box = sourceBox.Union(await ShardBoundingBoxes.UnionAsync(targetShards));
        var maxCost = SinkhornProblem.MaxCost(box, options!.Cost);
        if (!double.IsFinite(maxCost))
        {
            var field = EpsilonRange.FarCloud(sourceBox, options.Cost);
            throw await FailAtStartAsync(new JobInputException(field, $"{field}: the clouds span a squared diameter of {box.Diameter * box.Diameter} (coordinates too far apart for float64 costs)"));
        }

        // Eps against the clouds' admissible range (EpsilonRange), before any shard computes; the self problems of the
        // divergence are measured against the same joint scale.
        try
        {
            EpsilonRange.For(options, box, Math.Max(spec.SourceCount, spec.TargetCount)).Check(options.Epsilon);
        }
        catch (InvalidInputException ex)
        {
            throw await FailAtStartAsync(new JobInputException(ex.Field, ex.Message));
        }

        options = options with { CostScale = maxCost };

        lastProgress = SinkhornJobProgress.None;

        // The blocks are sealed so that a shard lost with its silo can be rebuilt (a multiscale run gathers them again
        // when it restarts after a loss).
        await SealShardsAsync();
    }

    /// <inheritdoc />
    protected override async Task<SinkhornJobResult> RunJobAsync(SinkhornJobSpec spec, Activity? activity, CancellationToken cancellationToken)
    {
        activity?.SetTag("transport.shards", sourceShards.Length);
        activity?.SetTag("transport.precision", spec.Precision);
        activity?.SetTag("transport.multiscale", spec.Multiscale);
        var solved = spec.Multiscale
            ? await SolveMultiscaleRecoveringAsync(spec, options!, cancellationToken)
            : await SolveDenseAsync(spec, options!, cancellationToken);
        activity?.SetTag("transport.iterations", solved.Iterations);
        activity?.SetTag("transport.kernel_evaluations", solved.KernelEvaluations);
        var traffic = await JobTrafficReport.SumAsync([.. sourceShards, .. targetShards], solvedIterations);
        return solved with { Seconds = RunElapsed.TotalSeconds, Traffic = traffic };
    }

    /// <inheritdoc />
    public async Task<FloatBlock> GetPotentialAsync(CloudSide side, int offset, int count)
    {
        CheckSide(side);
        _ = CompletedResult;
        var offsets = side == CloudSide.Source ? sourceOffsets : targetOffsets;
        var shards = side == CloudSide.Source ? sourceShards : targetShards;

        // A multiscale run's outputs were sent to the shards of their input rows; a dense run's potentials never moved.
        var values = await WithShardRecoveryAsync(() => GatherRangeAsync(offsets, offset, count, 1, (k, start, rows) => Spec.Multiscale
            ? shards[k].GetOutputAsync(SinkhornTerm.Cross, side, start, rows)
            : shards[k].GetPotentialRangesAsync(SinkhornTerm.Cross, side, [start], [rows])));

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
        _ = CompletedResult;
        var d = Spec.Dimension;
        var values = await WithShardRecoveryAsync(() => GatherRangeAsync(sourceOffsets, offset, count, d, (k, start, rows) => Spec.Multiscale
            ? sourceShards[k].GetOutputMapAsync(SinkhornTerm.Cross, start, rows)
            : sourceShards[k].GetMapAsync(SinkhornTerm.Cross, start, rows)));
        return FloatBlock.From(values, count, d);
    }

    private void ReportProgress(SinkhornProgress progress)
    {
        var problem = new KeyValuePair<string, object?>("problem", progress.Problem);
        var last = lastProgress;
        if (progress.Iteration > last.Iteration || progress.Problem != last.Problem)
        {
            TransportTelemetry.Iterations.Add(progress.Problem == last.Problem ? progress.Iteration - last.Iteration : progress.Iteration, problem);
        }

        TransportTelemetry.MarginalError.Record(progress.MarginalError, problem);
        lastProgress = new SinkhornJobProgress(progress.Problem, progress.Iteration, progress.Epsilon, progress.MarginalError);
        Report(lastProgress);
    }

    /// <summary>Throws for a side that is neither cloud: every other call reads "not the source" as the target.</summary>
    private static void CheckSide(CloudSide side)
    {
        if (!Enum.IsDefined(side))
        {
            throw new JobInputException("side", $"side: {(int)side} is not a cloud (expected {CloudSide.Source} or {CloudSide.Target})");
        }
    }

    private static async Task<double[]> GatherRangeAsync(int[] offsets, int offset, int count, int columns, Func<int, int, int, Task<FloatBlock>> fetch)
    {
        // In long: offset + count near int.MaxValue would wrap negative and pass, gathering nothing into a block of zeros.
        if (offset < 0 || count < 0 || (long)offset + count > offsets[^1])
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"rows [{offset}, {(long)offset + count}) are outside [0, {offsets[^1]})");
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
