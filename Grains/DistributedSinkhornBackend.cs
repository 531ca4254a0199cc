using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// The cluster's <see cref="ISinkhornBackend"/> for one solve (<see cref="SinkhornTerm"/>) on the job's
/// <see cref="ISinkhornShardGrain"/>s: the dense install (every shard builds its block from its own uploaded rows against
/// every point of the other cloud, pulled from its peers) and the iteration rounds of any installed share, dense or a
/// multiscale pattern (<see cref="ShardMultiscalePoints"/> installs those on the shards that sorted the points). Each
/// iteration is two rounds of one call per shard (update on the shards holding f, check on those holding g), whose
/// partials are summed here in shard order.
/// </summary>
internal sealed class DistributedSinkhornBackend : ISinkhornBackend
{
    private readonly ISinkhornShardGrain[] sourceShards;
    private readonly ISinkhornShardGrain[] targetShards;
    private readonly int[] sourceOffsets;
    private readonly int[] targetOffsets;
    private readonly SinkhornTerm term;
    private readonly int[] fOffsets;
    private readonly int[] gOffsets;

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

            var partners = await Task.WhenAll(AllShards.Select(s => s.InstallDenseAsync(term)));
            if (ResumeSlot is { } slot)
            {
                // Resuming a checkpoint: every shard's potentials return to the committed slot.
                await LoadCheckpointAsync(slot);
            }

            // Each shard holding f lists each shard it pulls from once.
            return partners.Take(FShards.Length).Sum();
        }

        throw new ArgumentException("a multiscale pattern is installed by the shards that hold the sorted points (ShardMultiscalePoints), not from hierarchies gathered here", nameof(install));
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
        var total = 0.0;
        long evaluations = 0, bytes = 0;
        foreach (var partial in partials)
        {
            total += partial.Value;
            evaluations += partial.KernelEvaluations;
            bytes += partial.BytesReceived;
        }

        return new SinkhornFinish(total, [], evaluations, bytes);
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
}
