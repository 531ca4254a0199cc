using System.Diagnostics;
using System.Globalization;
using Transport.Grains.Interfaces;
using Transport.Numerics;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// Drives one Sinkhorn problem across shard grains: lays out the blocks, routes uploads, runs the one Sinkhorn loop
/// (the same code as the single-process solver: dense, or multiscale with its coarse levels here) with its work on the
/// points on the job's <see cref="ISinkhornShardGrain"/>s (<see cref="DistributedSinkhornBackend"/>), and serves
/// progress and results.
/// </summary>
public sealed class SinkhornCoordinatorGrain : Grain, ISinkhornCoordinatorGrain, IDisposable
{
    private const double MassTolerance = 1e-9;

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

        var validated = Validate(spec);
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

        CheckComplete("source", uploadedSourceRows, job.SourceCount, sourceMass);
        CheckComplete("target", uploadedTargetRows, job.TargetCount, targetMass);
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

    /// <summary>
    /// The multiscale branch: the coordinator gathers the clouds, builds the hierarchies and runs the coarse levels, the
    /// jump to the points and the safeguard; the iterations on the points run on the job's shards, each holding a range
    /// of Morton-sorted leaf clusters and exchanging potentials only with the shards holding its surviving partner
    /// clusters. The cross problem and, with the divergence, the two self problems are solves on the same shards.
    /// Potentials and map are kept here (<see cref="multiscaleArrays"/>). Input errors it throws
    /// (<see cref="JobInputException"/>, <see cref="InvalidInputException"/>) reach the client as bad input.
    /// </summary>
    private async Task<SinkhornJobResult> SolveMultiscaleAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        var source = await GatherCloudAsync(sourceOffsets, sourceShards, job.Dimension, "source");
        var target = await GatherCloudAsync(targetOffsets, targetShards, job.Dimension, "target");
        var options = new MultiscaleOptions { Levels = job.Levels == 0 ? null : job.Levels, Truncation = job.Truncation };
        var backends = new List<DistributedSinkhornBackend>();
        try
        {
            var cross = await SolveOnShardsAsync(SinkhornTerm.Cross, new SinkhornProblem(source, target));
            var solves = new List<MultiscaleOutput> { cross };
            double? divergence = null;
            if (job.Divergence)
            {
                var selfSource = await SolveOnShardsAsync(SinkhornTerm.SelfSource, new SinkhornProblem(source, source));
                var selfTarget = await SolveOnShardsAsync(SinkhornTerm.SelfTarget, new SinkhornProblem(target, target));
                divergence = DebiasedDivergence.Combine(cross.Dual, selfSource.Dual, selfTarget.Dual);
                solves.Add(selfSource);
                solves.Add(selfTarget);
            }

            multiscaleArrays = new MultiscaleArrays(cross.F, cross.G, cross.Map); // already balanced: <f, a> = <g, b>
            potentialShift = 0.0;
            return Result(job, cross, solves, divergence) with
            {
                MarginalError2 = cross.MarginalError,
                NeglectedMass = solves.Max(s => s.NeglectedMass),
                Levels = cross.LevelCount,
                BytesExchanged = solves.Sum(s => s.BytesExchanged),
                DenseReason = cross.DenseReason,
                History = [],
                LevelReports = [.. cross.Levels.Select(l => new SinkhornLevelReport(
                    l.Level, l.SourceClusters, l.TargetClusters, l.SurvivingBlockPairs, l.Iterations, l.KernelEvaluations, l.ShardPairs, l.BytesExchanged))],
            };
        }
        finally
        {
            // The results are on the coordinator now: the shards' state of these solves can go.
            await Task.WhenAll(backends.Select(b => b.ReleaseAsync()));
        }

        // Runs off the grain scheduler (the coarse levels and the pattern search are long CPU work) so that status
        // queries stay answered; the shards are called from there like from any other caller.
        Task<MultiscaleOutput> SolveOnShardsAsync(SinkhornTerm term, SinkhornProblem problem)
        {
            var backend = new DistributedSinkhornBackend(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, term);
            backends.Add(backend);
            return Task.Run(() => MultiscaleSinkhornSolver.SolveAsync(problem, solveOptions, options, () => backend, warmStart: null, ReportProgress, term.Name(), token), token);
        }
    }

    private static async Task<PointCloud> GatherCloudAsync(int[] offsets, ISinkhornShardGrain[] shards, int dimension, string field)
    {
        var positions = await BlockTransfer.GatherAsync(offsets, dimension, (k, start, rows) => shards[k].GetPositionsAsync(start, rows));
        var weights = await BlockTransfer.GatherAsync(offsets, 1, (k, start, rows) => shards[k].GetWeightsAsync(start, rows));
        return PointCloud.Create(positions, offsets[^1], dimension, weights, field);
    }

    /// <summary>
    /// The dense solve on the shards: the one Sinkhorn loop on one level with every block kept, its points never leaving
    /// the shards: the cross problem (with the plan's cost at the end), and the self problems when the divergence is
    /// asked for, each annealed from its own clouds' largest cost as in process. Every kernel call is counted by the
    /// shard that made it; potentials and map stay on the shards, which serve them.
    /// </summary>
    private async Task<SinkhornJobResult> SolveDenseAsync(SinkhornJobSpec job, SinkhornOptions solveOptions, CancellationToken token)
    {
        var sourceBox = await BoundingBoxAsync(sourceShards);
        var targetBox = await BoundingBoxAsync(targetShards);
        var cross = await SolveOnShardsAsync(SinkhornTerm.Cross, sourceBox.Union(targetBox), job.SourceCount, job.TargetCount, evaluatePlan: true);
        var solves = new List<MultiscaleOutput> { cross };
        double? divergence = null;
        if (job.Divergence)
        {
            var selfSource = await SolveOnShardsAsync(SinkhornTerm.SelfSource, sourceBox, job.SourceCount, job.SourceCount, evaluatePlan: false);
            var selfTarget = await SolveOnShardsAsync(SinkhornTerm.SelfTarget, targetBox, job.TargetCount, job.TargetCount, evaluatePlan: false);
            divergence = DebiasedDivergence.Combine(cross.Dual, selfSource.Dual, selfTarget.Dual);
            solves.Add(selfSource);
            solves.Add(selfTarget);
        }

        potentialShift = PotentialNormalisation.Shift(cross.SourceDual, cross.TargetDual);
        return Result(job, cross, solves, divergence) with
        {
            MarginalError2 = cross.MarginalError2,
            NeglectedMass = 0,
            Levels = 1,
            History = [.. solves.SelectMany(s => s.History).Select(h => new SinkhornHistoryPoint(h.Problem, h.Iteration, h.Epsilon, h.MarginalError, h.MarginalError2))],
        };

        Task<MultiscaleOutput> SolveOnShardsAsync(SinkhornTerm term, BoundingBox box, int sourceCount, int targetCount, bool evaluatePlan)
        {
            var backend = new DistributedSinkhornBackend(GrainFactory, this.GetPrimaryKeyString(), sourceOffsets, targetOffsets, term);
            return SinkhornSolver.SolveOnBackendAsync(backend, solveOptions, sourceCount, targetCount, box, term != SinkhornTerm.Cross, term.Name(), evaluatePlan, ReportProgress, token);
        }
    }

    /// <summary>The result fields every branch fills the same way from its solves (cross first).</summary>
    private SinkhornJobResult Result(SinkhornJobSpec job, MultiscaleOutput cross, List<MultiscaleOutput> solves, double? divergence) => new()
    {
        Iterations = cross.Iterations,
        Converged = solves.All(s => s.Converged),
        MarginalError = cross.MarginalError,
        MarginalError2 = cross.MarginalError2,
        Cost = cross.TransportCost,
        Objective = cross.Objective,
        Dual = cross.Dual,
        Divergence = divergence,
        Seconds = 0, // set by RunAsync, which times both branches
        History = [],
        Shards = job.Multiscale ? job.Shards : sourceShards.Length,
        KernelEvaluations = solves.Sum(s => s.KernelEvaluations),
        NeglectedMass = cross.NeglectedMass,
        Levels = cross.LevelCount,
    };

    private static async Task<BoundingBox> BoundingBoxAsync(ISinkhornShardGrain[] shards)
    {
        var blocks = await Task.WhenAll(shards.Select(s => s.GetBoundingBoxAsync()));
        BoundingBox? box = null;
        foreach (var block in blocks)
        {
            var d = block.Columns;
            var values = block.Values;
            var next = new BoundingBox(values[..d].ToArray(), values[d..].ToArray());
            box = box is null ? next : box.Union(next);
        }

        return box ?? throw new InvalidOperationException("no shards");
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

    private static SinkhornOptions Validate(SinkhornJobSpec spec)
    {
        try
        {
            if (spec.SourceCount <= 0)
            {
                throw new InvalidInputException("source", $"the cloud is empty (n = {spec.SourceCount})");
            }

            if (spec.TargetCount <= 0)
            {
                throw new InvalidInputException("target", $"the cloud is empty (m = {spec.TargetCount})");
            }

            if (spec.Dimension <= 0)
            {
                throw new InvalidInputException("dim", $"must be positive, got {spec.Dimension}");
            }

            UploadChecks.CheckShards(spec.Shards);
            CheckMultiscale(spec);
            UploadChecks.CheckSize("source", spec.SourceCount, spec.Dimension);
            UploadChecks.CheckSize("target", spec.TargetCount, spec.Dimension);

            var options = new SinkhornOptions
            {
                Epsilon = spec.Epsilon,
                Cost = CostFunctions.Parse(spec.Cost),
                Tolerance = spec.Tolerance,
                MaxIterations = spec.MaxIterations,
                Scaling = spec.Scaling,
                CheckEvery = spec.CheckEvery,
                Precision = Precisions.Parse(spec.Precision),
            };
            options.Validate();
            return options;
        }
        catch (InvalidInputException ex)
        {
            throw new JobInputException(ex.Field, ex.Message);
        }
    }

    /// <summary>The multiscale settings: in range, and only set on a multiscale job (as on the command line).</summary>
    private static void CheckMultiscale(SinkhornJobSpec spec)
    {
        if (spec.Levels < 0 || spec.Levels > SinkhornJobSpec.MaxLevels)
        {
            throw new InvalidInputException("levels", $"must be an integer in 1..{SinkhornJobSpec.MaxLevels} (or 0 for automatic), got {spec.Levels.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!double.IsFinite(spec.Truncation) || spec.Truncation <= 0)
        {
            throw new InvalidInputException("truncate", $"must be a finite number > 0, got {spec.Truncation.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (!spec.Multiscale && spec.Levels != 0)
        {
            throw new InvalidInputException("levels", $"applies only to a multiscale job (set multiscale), got {spec.Levels.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!spec.Multiscale && spec.Truncation != SinkhornJobSpec.DefaultTruncation)
        {
            throw new InvalidInputException("truncate", $"applies only to a multiscale job (set multiscale), got {spec.Truncation.ToString("R", CultureInfo.InvariantCulture)}");
        }
    }

    private static void CheckComplete(string field, long uploaded, int expected, double mass)
    {
        if (uploaded != expected)
        {
            throw new JobInputException(field, $"{field}: {uploaded} of {expected} rows were uploaded");
        }

        if (Math.Abs(mass - 1) > MassTolerance)
        {
            throw new JobInputException($"{field}-weights", $"{field}-weights: uploaded weights sum to {mass.ToString("R", CultureInfo.InvariantCulture)}; they must be normalised to 1");
        }
    }
}

/// <summary>The arrays of a multiscale run, kept on the coordinator that solved it (potentials balanced, map).</summary>
internal sealed record MultiscaleArrays(double[] F, double[] G, double[] Map);
