using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// A block of one cloud of a Sinkhorn problem, held in memory with its potentials. The numerical work
/// is <see cref="SinkhornBlock"/> (the same code the single-process solver runs); this grain only
/// moves data: it pulls the opposite cloud once, the potentials it needs before each update, and runs
/// the kernels off the grain scheduler.
/// </summary>
public sealed class SinkhornShardGrain : Grain, ISinkhornShardGrain
{
    private SinkhornShardSetup? setup;
    private CloudSide side;
    private int index;
    private int offset;
    private int count;
    private double[] positions = [];
    private double[] weights = [];
    private SinkhornBlock? block;
    private double[]? map;

    private SinkhornShardSetup Setup => setup ?? throw new InvalidOperationException("shard not initialised");

    private SinkhornBlock Block => block ?? throw new InvalidOperationException("shard not prepared");

    private int[] OwnOffsets => side == CloudSide.Source ? Setup.SourceOffsets : Setup.TargetOffsets;

    private int[] OppositeOffsets => side == CloudSide.Source ? Setup.TargetOffsets : Setup.SourceOffsets;

    private CloudSide OppositeSide => side == CloudSide.Source ? CloudSide.Target : CloudSide.Source;

    /// <inheritdoc />
    public Task InitializeAsync(SinkhornShardSetup setup, CloudSide side, int index)
    {
        ArgumentNullException.ThrowIfNull(setup);
        this.setup = setup;
        this.side = side;
        this.index = index;
        var offsets = OwnOffsets;
        offset = offsets[index];
        count = offsets[index + 1] - offset;
        positions = new double[count * setup.Dimension];
        weights = new double[count];
        block = null;
        map = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LoadAsync(int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        var d = Setup.Dimension;
        if (offset < 0 || offset + positions.Rows > count || positions.Columns != d || weights.Rows != positions.Rows)
        {
            throw new ArgumentException($"rows [{offset}, {offset + positions.Rows}) do not fit block of {count} x {d}");
        }

        positions.Values.CopyTo(this.positions.AsSpan(offset * d));
        weights.Values.CopyTo(this.weights.AsSpan(offset));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task PrepareAsync()
    {
        // Results live here: stay active as long as the coordinator keeps the job.
        DelayDeactivation(TimeSpan.FromHours(24));
        var d = Setup.Dimension;
        var opposite = await GatherCloudAsync(OppositeSide, OppositeOffsets);
        PointCloud? own = null;
        if (Setup.WithSelfProblems)
        {
            own = await GatherCloudAsync(side, OwnOffsets);
        }

        var cost = CostFunctions.Parse(Setup.Cost);
        var precision = Precisions.Parse(Setup.Precision);
        var ownBlock = PointCloud.FromBlock(positions, weights, d);
        block = await Task.Run(() => new SinkhornBlock(ownBlock, offset, opposite, own, cost, precision));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetBoundingBoxAsync()
    {
        var box = BoundingBox.Of(PointCloud.FromBlock(positions, weights, Setup.Dimension));
        var values = new double[2 * Setup.Dimension];
        box.Min.CopyTo(values, 0);
        box.Max.CopyTo(values, Setup.Dimension);
        return Task.FromResult(FloatBlock.From(values, 2, Setup.Dimension));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetPositionsAsync(int offset, int count)
    {
        var d = Setup.Dimension;
        return Task.FromResult(FloatBlock.From(positions.AsSpan(offset * d, count * d), count, d));
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetWeightsAsync(int offset, int count) => Task.FromResult(FloatBlock.FromVector(weights.AsSpan(offset, count)));

    /// <inheritdoc />
    public Task<FloatBlock> GetPotentialAsync(int offset, int count) =>
        Task.FromResult(FloatBlock.FromVector(Block.Potential.Slice(offset, count)));

    /// <inheritdoc />
    public Task<FloatBlock> GetSelfPotentialAsync(CloudSide role, int offset, int count) =>
        Task.FromResult(FloatBlock.FromVector(SelfPotential(role).Slice(offset, count)));

    /// <inheritdoc />
    public async Task<ScalarPartial> UpdateAsync(SinkhornTerm term, double epsilon, double weight, bool symmetric)
    {
        var update = new SinkhornUpdate(weight, symmetric);
        var target = Block;
        if (term == SinkhornTerm.Cross)
        {
            RequireSide(term, CloudSide.Source);
            var opposite = await GatherPotentialAsync(OppositeSide, OppositeOffsets, selfRole: null);
            var (weighted, evaluations) = await MeasureAsync("update", () => target.UpdateCross(opposite, epsilon, update));
            return new ScalarPartial(weighted, evaluations);
        }

        RequireSide(term, SelfSide(term));
        var selfTarget = await GatherPotentialAsync(side, OwnOffsets, selfRole: CloudSide.Target);
        var (selfWeighted, selfEvaluations) = await MeasureAsync("self-update", () => target.UpdateSelf(selfTarget, epsilon, update));
        return new ScalarPartial(selfWeighted, selfEvaluations);
    }

    /// <inheritdoc />
    public async Task<MarginalPartial> CheckAsync(SinkhornTerm term, double epsilon)
    {
        var target = Block;
        if (term == SinkhornTerm.Cross)
        {
            RequireSide(term, CloudSide.Target);
            var opposite = await GatherPotentialAsync(OppositeSide, OppositeOffsets, selfRole: null);
            var (report, evaluations) = await MeasureAsync("check", () => target.CheckCross(opposite, epsilon));
            return MarginalPartial.From(report, evaluations);
        }

        RequireSide(term, SelfSide(term));
        var selfSource = await GatherPotentialAsync(side, OwnOffsets, selfRole: CloudSide.Source);
        var (selfReport, selfEvaluations) = await MeasureAsync("self-check", () => target.CheckSelf(selfSource, epsilon));
        return MarginalPartial.From(selfReport, selfEvaluations);
    }

    /// <inheritdoc />
    public Task CommitAsync(SinkhornTerm term, double weight, bool symmetric)
    {
        var update = new SinkhornUpdate(weight, symmetric);
        if (term == SinkhornTerm.Cross)
        {
            RequireSide(term, CloudSide.Target);
            Block.CommitCross(update);
        }
        else
        {
            RequireSide(term, SelfSide(term));
            Block.CommitSelf(update);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<ScalarPartial> EvaluateAsync(double epsilon)
    {
        var opposite = await GatherPotentialAsync(OppositeSide, OppositeOffsets, selfRole: null);
        var target = Block;
        var result = new double[count * Setup.Dimension];
        var (cost, evaluations) = await MeasureAsync("evaluate", () => target.EvaluateCross(opposite, epsilon, result));
        map = result;
        return new ScalarPartial(cost, evaluations);
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetMapAsync(int offset, int count)
    {
        var values = map ?? throw new InvalidOperationException("the map has not been evaluated");
        var d = Setup.Dimension;
        return Task.FromResult(FloatBlock.From(values.AsSpan(offset * d, count * d), count, d));
    }

    /// <summary>
    /// Runs kernel work off the grain scheduler, records its size and duration, and returns its value with the
    /// point-pair cost evaluations it made. The count is the block's own counter (the code the single-process
    /// solver counts with), read around the work: kernel calls on this grain never interleave.
    /// </summary>
    private async Task<(T Value, long Evaluations)> MeasureAsync<T>(string operation, Func<T> work)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var before = Block.KernelEvaluations;
        var value = await Task.Run(work);
        var evaluations = Block.KernelEvaluations - before;
        var precision = new KeyValuePair<string, object?>("precision", Setup.Precision);
        TransportTelemetry.KernelEvaluations.Add(evaluations, precision);
        TransportTelemetry.StepDuration.Record(
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation));
        return (value, evaluations);
    }

    private ISinkhornShardGrain Peer(CloudSide peerSide, int peerIndex) =>
        GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(Setup.ProblemId, peerSide, peerIndex));

    private async Task<PointCloud> GatherCloudAsync(CloudSide cloudSide, int[] offsets)
    {
        var d = Setup.Dimension;
        var allPositions = await BlockTransfer.GatherAsync(offsets, d, (k, start, rows) =>
            cloudSide == side && k == index
                ? Task.FromResult(FloatBlock.From(positions.AsSpan(start * d, rows * d), rows, d))
                : Peer(cloudSide, k).GetPositionsAsync(start, rows));
        var allWeights = await BlockTransfer.GatherAsync(offsets, 1, (k, start, rows) =>
            cloudSide == side && k == index
                ? Task.FromResult(FloatBlock.FromVector(weights.AsSpan(start, rows)))
                : Peer(cloudSide, k).GetWeightsAsync(start, rows));
        return PointCloud.FromBlock(allPositions, allWeights, d);
    }

    /// <summary>
    /// The whole potential of one cloud, block by block from the shards holding it: the cross potential
    /// (<paramref name="selfRole"/> null) or one of the potentials of that cloud's self problem.
    /// </summary>
    private Task<double[]> GatherPotentialAsync(CloudSide cloudSide, int[] offsets, CloudSide? selfRole) =>
        BlockTransfer.GatherAsync(offsets, 1, (k, start, rows) =>
        {
            if (cloudSide == side && k == index)
            {
                var local = selfRole is { } role ? SelfPotential(role) : Block.Potential;
                return Task.FromResult(FloatBlock.FromVector(local.Slice(start, rows)));
            }

            var peer = Peer(cloudSide, k);
            TransportTelemetry.BytesExchanged.Add((long)rows * sizeof(double));
            return selfRole is { } peerRole ? peer.GetSelfPotentialAsync(peerRole, start, rows) : peer.GetPotentialAsync(start, rows);
        });

    private ReadOnlySpan<double> SelfPotential(CloudSide role) =>
        role == CloudSide.Source ? Block.SelfSourcePotential : Block.SelfTargetPotential;

    /// <summary>The cloud whose self problem <paramref name="term"/> is.</summary>
    private static CloudSide SelfSide(SinkhornTerm term) => term == SinkhornTerm.SelfSource ? CloudSide.Source : CloudSide.Target;

    private void RequireSide(SinkhornTerm term, CloudSide required)
    {
        if (side != required)
        {
            throw new InvalidOperationException($"the {term.Name()} half-step runs on {(required == CloudSide.Source ? "source" : "target")} shards; this shard holds the {(side == CloudSide.Source ? "source" : "target")}");
        }
    }
}
