using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// The cluster's <see cref="ISinkhornBackend"/>: one solve (<see cref="SinkhornTerm"/>) on the job's
/// <see cref="ISinkhornShardGrain"/>s, dense or multiscale. A dense install (no hierarchies: the shards hold the
/// uploaded points) has every shard build its block from its own rows against every point of the other cloud, pulled
/// from its peers; a multiscale install sends each shard its share of the Morton-sorted points with the keys of its
/// kept blocks (planned here, <see cref="MultiscaleShardPlan"/>). Either way each iteration is two rounds of one call
/// per shard (update on the shards holding f, check on those holding g), whose partials are summed here in shard order.
/// </summary>
internal sealed class DistributedSinkhornBackend : ISinkhornBackend
{
    private readonly ISinkhornShardGrain[] sourceShards;
    private readonly ISinkhornShardGrain[] targetShards;
    private readonly int[] sourceOffsets;
    private readonly int[] targetOffsets;
    private readonly SinkhornTerm term;
    private int[] fOffsets;
    private int[] gOffsets;
    private int dimension;
    private bool explicitShares;

    /// <summary>A backend for <paramref name="term"/> on the shards of job <paramref name="problemId"/>.</summary>
    /// <param name="grains">Grain factory.</param>
    /// <param name="problemId">The job id (shard keys: <see cref="ShardLayout.ShardKey"/>).</param>
    /// <param name="sourceOffsets">Uploaded source rows per source shard.</param>
    /// <param name="targetOffsets">Uploaded target rows per target shard.</param>
    /// <param name="term">The solve.</param>
    public DistributedSinkhornBackend(IGrainFactory grains, string problemId, int[] sourceOffsets, int[] targetOffsets, SinkhornTerm term)
    {
        ArgumentNullException.ThrowIfNull(grains);
        this.sourceOffsets = sourceOffsets;
        this.targetOffsets = targetOffsets;
        this.term = term;
        sourceShards = [.. Enumerable.Range(0, sourceOffsets.Length - 1).Select(k => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Source, k)))];
        targetShards = [.. Enumerable.Range(0, targetOffsets.Length - 1).Select(k => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, CloudSide.Target, k)))];
        fOffsets = term == SinkhornTerm.SelfTarget ? targetOffsets : sourceOffsets;
        gOffsets = term == SinkhornTerm.SelfSource ? sourceOffsets : targetOffsets;
    }

    /// <summary>The solve.</summary>
    public SinkhornTerm Term => term;

    /// <summary>
    /// Serializes multiscale installs to measure them and, above <see cref="InstallChunkBytes"/>, to send them in chunks
    /// (null: every install goes whole, as one message).
    /// </summary>
    public Orleans.Serialization.Serializer? InstallSerializer { get; init; }

    /// <summary>Largest install message (<see cref="JobLimits.InstallChunkBytes"/>).</summary>
    public int InstallChunkBytes { get; init; } = FloatBlock.MaxBytes;

    /// <summary>The shards holding f: the source shards, or the target's for the target's self problem.</summary>
    private ISinkhornShardGrain[] FShards => term == SinkhornTerm.SelfTarget ? targetShards : sourceShards;

    /// <summary>The shards holding g: the target shards, or the source's for the source's self problem.</summary>
    private ISinkhornShardGrain[] GShards => term == SinkhornTerm.SelfSource ? sourceShards : targetShards;

    /// <summary>Every shard taking part in the solve, once.</summary>
    private IEnumerable<ISinkhornShardGrain> AllShards => term == SinkhornTerm.Cross ? sourceShards.Concat(targetShards) : FShards;

    /// <inheritdoc />
    public async ValueTask<long> InstallAsync(SinkhornInstall install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        cancellationToken.ThrowIfCancellationRequested();
        if (install.Source is null || install.Target is null)
        {
            if (install.Pattern is not null || install.F is not null || install.G is not null)
            {
                throw new ArgumentException("a dense install on the shards uses the uploaded points and the shards' potentials", nameof(install));
            }

            explicitShares = false;
            fOffsets = term == SinkhornTerm.SelfTarget ? targetOffsets : sourceOffsets;
            gOffsets = term == SinkhornTerm.SelfSource ? sourceOffsets : targetOffsets;
            var partners = await Task.WhenAll(AllShards.Select(s => s.InstallDenseAsync(term)));
            if (ResumeSlot is { } slot)
            {
                // Resuming a checkpoint: every shard's potentials return to the committed slot.
                await LoadCheckpointAsync(slot);
            }

            // Each shard holding f lists each shard it pulls from once.
            return partners.Take(FShards.Length).Sum();
        }

        return await InstallSharesAsync(install);
    }

    private async Task<long> InstallSharesAsync(SinkhornInstall install)
    {
        var pattern = install.Pattern ?? throw new ArgumentException("explicit shares need a block pattern (a one-level solve stays in process)", nameof(install));
        var (source, target) = (install.Source!, install.Target!);
        var f = install.F ?? throw new ArgumentException("explicit shares need the potentials", nameof(install));
        var g = install.G ?? throw new ArgumentException("explicit shares need the potentials", nameof(install));
        var fCount = FShards.Length;
        var gCount = GShards.Length;
        var sourceClusterPoints = source.Boundaries(1, 0);
        var targetClusterPoints = target.Boundaries(1, 0);
        var sourceClusters = MultiscaleShardLayout.SplitClusters(sourceClusterPoints, fCount);
        var targetClusters = MultiscaleShardLayout.SplitClusters(targetClusterPoints, gCount);
        explicitShares = true;
        fOffsets = MultiscaleShardLayout.PointOffsets(sourceClusterPoints, sourceClusters);
        gOffsets = MultiscaleShardLayout.PointOffsets(targetClusterPoints, targetClusters);
        dimension = source[0].Dimension;
        var sourcePlans = Enumerable.Range(0, fCount)
            .Select(k => MultiscaleShardPlan.Create(source, target, pattern, sourceClusters, targetClusters, k)).ToArray();
        if (term != SinkhornTerm.Cross)
        {
            // A self solve: one hierarchy, a symmetric pattern, so the plan of the g rows is the plan of the f rows; every
            // shard holds both potentials of its rows.
            await Task.WhenAll(sourcePlans.Select((plan, k) => SendAsync(FShards[k], Message(plan, f) with
            {
                SelfTargetPotential = FloatBlock.FromVector(g.AsSpan(plan.PointStart, plan.PointCount)),
            })));
            return sourcePlans.Sum(plan => (long)plan.Partners.Count);
        }

        var transposed = pattern.Transpose();
        var targetPlans = Enumerable.Range(0, gCount)
            .Select(k => MultiscaleShardPlan.Create(target, source, transposed, targetClusters, sourceClusters, k)).ToArray();
        await Task.WhenAll(
            sourcePlans.Select((plan, k) => SendAsync(FShards[k], Message(plan, f)))
                .Concat(targetPlans.Select((plan, k) => SendAsync(GShards[k], Message(plan, g)))));

        // A source shard lists each target shard it keeps a block with once.
        return sourcePlans.Sum(plan => (long)plan.Partners.Count);
    }

    /// <inheritdoc />
    public async ValueTask<SinkhornStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var updates = await Task.WhenAll(FShards.Select(s => s.UpdateAsync(term, epsilon, update.Weight, update.Symmetric)));
        cancellationToken.ThrowIfCancellationRequested();
        var checks = await Task.WhenAll(GShards.Select(s => s.CheckAsync(term, epsilon)));
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

        return new SinkhornStep(dual, report, evaluations, bytes);
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken) =>
        await Task.WhenAll(GShards.Select(s => s.CommitAsync(term, update.Weight, update.Symmetric)));

    /// <inheritdoc />
    public async ValueTask<SinkhornPotentials> GatherAsync(CancellationToken cancellationToken)
    {
        var f = await BlockTransfer.GatherAsync(fOffsets, 1, (k, start, rows) => FShards[k].GetPotentialRangesAsync(term, CloudSide.Source, [start], [rows]));
        var g = await BlockTransfer.GatherAsync(gOffsets, 1, (k, start, rows) => GShards[k].GetPotentialRangesAsync(term, CloudSide.Target, [start], [rows]));
        return new SinkhornPotentials(f, g);
    }

    /// <inheritdoc />
    /// <remarks>The map of a dense install stays on the shards (the coordinator serves it from there): it comes back empty.</remarks>
    public async ValueTask<SinkhornFinish> FinishAsync(double epsilon, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var partials = await Task.WhenAll(FShards.Select(s => s.FinishAsync(term, epsilon)));
        var map = explicitShares
            ? await BlockTransfer.GatherAsync(fOffsets, dimension, (k, start, rows) => FShards[k].GetMapAsync(term, start, rows))
            : [];
        var total = 0.0;
        long evaluations = 0, bytes = 0;
        foreach (var partial in partials)
        {
            total += partial.Value;
            evaluations += partial.KernelEvaluations;
            bytes += partial.BytesReceived;
        }

        return new SinkhornFinish(total, map, evaluations, bytes);
    }

    /// <summary>
    /// The checkpoint slot a dense install restores the potentials from (null: the shards' own, zero on a fresh
    /// solve); see <see cref="CheckpointSlots"/>.
    /// </summary>
    public int? ResumeSlot { get; init; }

    /// <summary>
    /// Every shard of the solve writes its potentials (and map) to <paramref name="slot"/>; returns the count and mass each
    /// holds (source shards then target shards for the cross solve, the one cloud's shards for a self solve).
    /// </summary>
    public Task<ShardSeal[]> SaveCheckpointAsync(int slot) => Task.WhenAll(AllShards.Select(s => s.SaveCheckpointAsync(term, slot)));

    /// <summary>Every shard of the (installed) solve reads its potentials (and map) back from <paramref name="slot"/>.</summary>
    public Task LoadCheckpointAsync(int slot) => Task.WhenAll(AllShards.Select(s => s.LoadCheckpointAsync(term, slot)));

    /// <summary>Drops the solve's state on its shards.</summary>
    public Task ReleaseAsync() => Task.WhenAll(AllShards.Select(s => s.ReleaseAsync(term)));

    /// <summary>Installs a share on <paramref name="shard"/>: whole when it fits one message, else in chunks of its serialized bytes.</summary>
    private async Task SendAsync(ISinkhornShardGrain shard, SinkhornShardInstall install)
    {
        // The payload estimate (within a few percent of the serializer's bytes) spares a small install, the common case, a
        // serialization here on top of the one its call makes.
        if (InstallSerializer is null || PayloadBytes.Of(install) < InstallChunkBytes / 2)
        {
            await shard.InstallAsync(term, install);
            return;
        }

        var bytes = InstallSerializer.SerializeToArray(install);
        if (bytes.Length <= InstallChunkBytes)
        {
            await shard.InstallAsync(term, install);
            return;
        }

        for (long offset = 0; offset < bytes.LongLength; offset += InstallChunkBytes)
        {
            var chunk = bytes.AsSpan((int)offset, (int)Math.Min(InstallChunkBytes, bytes.LongLength - offset)).ToArray();
            await shard.StageInstallAsync(term, bytes.LongLength, offset, chunk);
        }

        await shard.InstallStagedAsync(term);
    }

    private static SinkhornShardInstall Message(MultiscaleShardPlan plan, double[] potential) => new()
    {
        Positions = FloatBlock.From(plan.Positions, plan.PointCount, plan.Dimension),
        Weights = FloatBlock.FromVector(plan.Weights),
        RowBoundaries = plan.RowBoundaries,
        PatternRowStarts = plan.Pattern.RowStarts,
        PatternColumns = plan.Pattern.Columns,
        KeyPositions = FloatBlock.From(plan.KeyPositions, plan.KeyWeights.Length, plan.Dimension),
        KeyWeights = FloatBlock.FromVector(plan.KeyWeights),
        KeyBoundaries = plan.KeyBoundaries,
        Partners = [.. plan.Partners.Select(p => new SinkhornPartnerRequest(p.Shard, p.Starts, p.Counts))],
        Potential = FloatBlock.FromVector(potential.AsSpan(plan.PointStart, plan.PointCount)),
    };
}
