using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// The cluster's <see cref="IMultiscalePointsBackend"/>: splits each side's points into <c>shards</c> ranges of
/// whole leaf clusters (<see cref="MultiscaleShardLayout"/>), plans every shard (<see cref="MultiscaleShardPlan"/>)
/// and installs it on an <see cref="IMultiscaleShardGrain"/>; each half step the shards pull only their partners'
/// potential ranges from each other, and this class sums their partials in shard order (so only the summation
/// order differs from one process: about 1e-15 relative).
/// </summary>
internal sealed class DistributedMultiscalePointsBackend : IMultiscalePointsBackend
{
    private readonly IGrainFactory grains;
    private readonly string keyPrefix;
    private readonly int shards;
    private readonly string cost;
    private readonly string precision;
    private IMultiscaleShardGrain[] sourceShards = [];
    private IMultiscaleShardGrain[] targetShards = [];
    private int[] sourcePoints = [];
    private int[] targetPoints = [];
    private int dimension;
    private bool selfProblem;
    private long pendingCommitBytes;

    /// <summary>Creates the backend; nothing is sent before the first install.</summary>
    /// <param name="grains">Grain factory.</param>
    /// <param name="keyPrefix">"{problem}/{solve}": shard keys are "{keyPrefix}/{side}/{index}".</param>
    /// <param name="shards">Shards per side.</param>
    /// <param name="cost">Cost name.</param>
    /// <param name="precision">Precision name.</param>
    public DistributedMultiscalePointsBackend(IGrainFactory grains, string keyPrefix, int shards, string cost, string precision)
    {
        this.grains = grains;
        this.keyPrefix = keyPrefix;
        this.shards = shards;
        this.cost = cost;
        this.precision = precision;
    }

    /// <inheritdoc />
    public async ValueTask<long> InstallAsync(MultiscalePointsInstall install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        var pattern = install.Pattern ?? throw new ArgumentException("the shards need a block pattern (a one-level solve stays in process)", nameof(install));
        var sourceClusterPoints = install.Source.Boundaries(1, 0);
        var targetClusterPoints = install.Target.Boundaries(1, 0);
        var sourceClusters = MultiscaleShardLayout.SplitClusters(sourceClusterPoints, shards);
        var targetClusters = MultiscaleShardLayout.SplitClusters(targetClusterPoints, shards);
        sourcePoints = MultiscaleShardLayout.PointOffsets(sourceClusterPoints, sourceClusters);
        targetPoints = MultiscaleShardLayout.PointOffsets(targetClusterPoints, targetClusters);
        dimension = install.Source[0].Dimension;
        selfProblem = install.SelfProblem;
        sourceShards = [.. Enumerable.Range(0, shards).Select(k => Shard(CloudSide.Source, k))];
        targetShards = [.. Enumerable.Range(0, shards).Select(k => Shard(CloudSide.Target, k))];
        var transposed = pattern.Transpose();
        var sourcePlans = Enumerable.Range(0, shards)
            .Select(k => MultiscaleShardPlan.Create(install.Source, install.Target, pattern, sourceClusters, targetClusters, k)).ToArray();
        var targetPlans = Enumerable.Range(0, shards)
            .Select(k => MultiscaleShardPlan.Create(install.Target, install.Source, transposed, targetClusters, sourceClusters, k)).ToArray();
        cancellationToken.ThrowIfCancellationRequested();
        await Task.WhenAll(
            sourcePlans.Select((plan, k) => sourceShards[k].InstallAsync(Message(plan, CloudSide.Source, install.F) with { MirrorShard = selfProblem ? k : null }))
                .Concat(targetPlans.Select((plan, k) => targetShards[k].InstallAsync(Message(plan, CloudSide.Target, install.G) with { MirrorShard = selfProblem ? k : null }))));

        // A source shard lists each target shard it keeps a block with once.
        return sourcePlans.Sum(plan => (long)plan.Partners.Count);
    }

    /// <inheritdoc />
    public async ValueTask<MultiscalePointsStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var carried = pendingCommitBytes;
        pendingCommitBytes = 0;
        var updates = await Task.WhenAll(sourceShards.Select(s => s.UpdateAsync(epsilon, update.Weight, update.Symmetric)));
        cancellationToken.ThrowIfCancellationRequested();
        var checks = await Task.WhenAll(targetShards.Select(s => s.CheckAsync(epsilon)));
        var dual = 0.0;
        var report = MarginalReport.Zero;
        long evaluations = 0, bytes = 0;
        foreach (var partial in updates)
        {
            dual += partial.Value;
            evaluations += partial.KernelEvaluations;
            bytes += partial.BytesReceived;
        }

        foreach (var partial in checks)
        {
            report = report.Add(new MarginalReport(partial.L1, partial.SumOfSquares, partial.WeightedPotential, partial.PotentialMass));
            evaluations += partial.KernelEvaluations;
            bytes += partial.BytesReceived;
        }

        return new MultiscalePointsStep(dual, report, evaluations, bytes + carried);
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken)
    {
        // A symmetric commit pulls f of the same rows; its bytes are reported with the next step.
        var pulled = await Task.WhenAll(targetShards.Select(s => s.CommitAsync(update.Weight, update.Symmetric)));
        pendingCommitBytes = pulled.Sum();
    }

    /// <inheritdoc />
    public async ValueTask<MultiscalePotentials> GatherAsync(CancellationToken cancellationToken)
    {
        var f = await BlockTransfer.GatherAsync(sourcePoints, 1, (k, start, rows) => sourceShards[k].GetPotentialRangesAsync([start], [rows]));
        var g = await BlockTransfer.GatherAsync(targetPoints, 1, (k, start, rows) => targetShards[k].GetPotentialRangesAsync([start], [rows]));
        return new MultiscalePotentials(f, g);
    }

    /// <inheritdoc />
    public async ValueTask<MultiscalePointsFinish> FinishAsync(double epsilon, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var partials = await Task.WhenAll(sourceShards.Select(s => s.FinishAsync(epsilon)));
        var map = await BlockTransfer.GatherAsync(sourcePoints, dimension, (k, start, rows) => sourceShards[k].GetMapAsync(start, rows));
        var total = 0.0;
        long evaluations = 0, bytes = 0;
        foreach (var partial in partials)
        {
            total += partial.Value;
            evaluations += partial.KernelEvaluations;
            bytes += partial.BytesReceived;
        }

        return new MultiscalePointsFinish(total, map, evaluations, bytes);
    }

    /// <summary>Releases every shard this backend used (their results have been gathered).</summary>
    public Task ReleaseAsync() => Task.WhenAll(sourceShards.Concat(targetShards).Select(s => s.ReleaseAsync()));

    private IMultiscaleShardGrain Shard(CloudSide side, int index) => grains.GetGrain<IMultiscaleShardGrain>($"{SidePrefix(side)}/{index}");

    private string SidePrefix(CloudSide side) => $"{keyPrefix}/{(side == CloudSide.Source ? "source" : "target")}";

    private MultiscaleShardInstall Message(MultiscaleShardPlan plan, CloudSide side, double[] potential) => new()
    {
        Side = side,
        PartnerKeyPrefix = SidePrefix(side == CloudSide.Source ? CloudSide.Target : CloudSide.Source),
        Cost = cost,
        Precision = precision,
        Positions = FloatBlock.From(plan.Positions, plan.PointCount, dimension),
        Weights = FloatBlock.FromVector(plan.Weights),
        RowBoundaries = plan.RowBoundaries,
        PatternRowStarts = plan.Pattern.RowStarts,
        PatternColumns = plan.Pattern.Columns,
        KeyPositions = FloatBlock.From(plan.KeyPositions, plan.KeyWeights.Length, dimension),
        KeyWeights = FloatBlock.FromVector(plan.KeyWeights),
        KeyBoundaries = plan.KeyBoundaries,
        Partners = [.. plan.Partners.Select(p => new MultiscalePartnerRequest(p.Shard, p.Starts, p.Counts))],
        Potential = FloatBlock.FromVector(potential.AsSpan(plan.PointStart, plan.PointCount)),
    };
}
