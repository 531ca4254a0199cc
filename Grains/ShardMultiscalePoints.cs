using Orleans.Serialization;
using Transport.Grains.Interfaces;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// The points of one multiscale solve kept on the job's shards (issue 13, <see cref="IMultiscalePoints"/>): after the
/// Morton sort (<see cref="DistributedMortonSort"/>) shard k of a side holds a run of whole leaf clusters. The coordinator
/// sends each shard the cluster levels above its leaves once (it measures their radii), the leaf potentials of the
/// clusters its rows keep at the jump to the points, the slopes of its clusters shared with neighbours when the bounds
/// are measured, and its rows of each pattern (it pulls the keys from its partners); the bounds and radii come back per
/// cluster, the iterations run as on any explicit share. Every message larger than the chunk goes in chunks: requests
/// staged, replies read back. What this object holds is O(clusters + shards).
/// </summary>
internal sealed class ShardMultiscalePoints : IMultiscalePoints
{
    private readonly SinkhornTerm term;
    private readonly MortonSortedHierarchies sorted;
    private readonly Serializer serializer;
    private readonly int chunkBytes;
    private readonly SinkhornOptions options;
    private readonly ISinkhornShardGrain[] fShards;
    private readonly ISinkhornShardGrain[] gShards;
    private readonly MultiscalePartLevel?[][] fLevels;
    private readonly MultiscalePartLevel?[][] gLevels;
    private readonly DistributedSinkhornBackend rounds;
    private PointLevels<double[]>? radii;

    /// <summary>The points of <paramref name="term"/> as <paramref name="sorted"/> left them on the job's shards.</summary>
    public ShardMultiscalePoints(IGrainFactory grains, string problemId, int[] sourceOffsets, int[] targetOffsets, SinkhornTerm term, MortonSortedHierarchies sorted, Serializer serializer, int chunkBytes, SinkhornOptions options)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(sourceOffsets);
        ArgumentNullException.ThrowIfNull(targetOffsets);
        this.term = term;
        this.sorted = sorted;
        this.serializer = serializer;
        this.chunkBytes = chunkBytes;
        this.options = options;
        ISinkhornShardGrain Shard(CloudSide side, int k) => grains.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(problemId, side, k));
        var source = Enumerable.Range(0, sourceOffsets.Length - 1).Select(k => Shard(CloudSide.Source, k)).ToArray();
        var target = Enumerable.Range(0, targetOffsets.Length - 1).Select(k => Shard(CloudSide.Target, k)).ToArray();
        fShards = term == SinkhornTerm.SelfTarget ? target : source;
        gShards = term == SinkhornTerm.SelfSource ? source : target;
        fLevels = PartLevels(sorted.Source);
        gLevels = SelfProblem ? fLevels : PartLevels(sorted.Target);

        // The iteration rounds are those of any explicit share: update on the f shards, check on the g shards.
        rounds = new DistributedSinkhornBackend(grains, problemId, sourceOffsets, targetOffsets, term);
    }

    private bool SelfProblem => term != SinkhornTerm.Cross;

    private ClusterHierarchy FHierarchy => sorted.Source.Hierarchy;

    private ClusterHierarchy GHierarchy => sorted.Target.Hierarchy;

    /// <inheritdoc />
    public async ValueTask<PointLevels<double[]>> RadiiAsync(CancellationToken cancellationToken)
    {
        if (radii is null)
        {
            var fRadii = await Task.WhenAll(fShards.Select((shard, k) => PrepareAsync(shard, fLevels[k])));
            var sourceRadii = MultiscaleBoundsAssembly.CombineRadii(FHierarchy, fLevels, fRadii);
            var targetRadii = sourceRadii;
            if (!SelfProblem)
            {
                var gRadii = await Task.WhenAll(gShards.Select((shard, k) => PrepareAsync(shard, gLevels[k])));
                targetRadii = MultiscaleBoundsAssembly.CombineRadii(GHierarchy, gLevels, gRadii);
            }

            radii = new PointLevels<double[]>(sourceRadii, targetRadii);
        }

        return radii;
    }

    /// <inheritdoc />
    public async ValueTask<long> ExtrapolateAsync(BlockPattern? coarsePattern, double[] leafF, double[] leafG, double epsilon, CancellationToken cancellationToken)
    {
        var transposed = coarsePattern?.Transpose();
        var fCalls = fShards.Select((shard, k) =>
        {
            var plan = MultiscaleExtrapolationPlan.Create(GHierarchy, coarsePattern, coarsePattern is null ? null : fLevels[k][2], leafG);
            return CallAsync(shard, PointMessages.FromPlan(plan), m => shard.ExtrapolatePointsAsync(term, CloudSide.Source, m, epsilon));
        });
        var gCalls = gShards.Select((shard, k) =>
        {
            var plan = MultiscaleExtrapolationPlan.Create(FHierarchy, transposed, coarsePattern is null ? null : gLevels[k][2], leafF);
            return CallAsync(shard, PointMessages.FromPlan(plan), m => shard.ExtrapolatePointsAsync(term, CloudSide.Target, m, epsilon));
        });
        // A self problem's f and g are on the same shards: one request at a time each (a staged request is one per solve).
        if (SelfProblem)
        {
            return (await Task.WhenAll(fCalls)).Sum() + (await Task.WhenAll(gCalls)).Sum();
        }

        return (await Task.WhenAll(fCalls.Concat(gCalls))).Sum();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each sorted shard pulls the potentials of its points from the outputs of <see cref="WarmFrom"/> that the shards of
    /// their input rows hold (for a flow's self problem, the previous stage's): nothing passes through here.
    /// </remarks>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        var from = WarmFrom ?? throw new InvalidOperationException($"the {term.Name()} solve on the shards was not given outputs to start from");
        await Task.WhenAll(fShards.Select(s => s.StartPointsAsync(term, CloudSide.Source, from, WarmShift, chunkBytes)));
        await Task.WhenAll(gShards.Select(s => s.StartPointsAsync(term, CloudSide.Target, from, WarmShift, chunkBytes)));
    }

    /// <summary>The solve whose outputs (on the input rows' shards) a warm start begins from; null: none (cold).</summary>
    public SinkhornTerm? WarmFrom { get; init; }

    /// <summary>
    /// The balancing shift of those outputs (<see cref="PotentialNormalisation.Shift"/> of their duals): the warm start
    /// begins from f - shift and g + shift, the potentials an in-process solve returns.
    /// </summary>
    public double WarmShift { get; init; }

    /// <summary>
    /// Whether the finished potentials and map go to the shards of their input rows (the cross solve of a job, whose
    /// shards serve them; a flow's self solve, whose map drives the particles and whose potentials start the next stage).
    /// False: they stay with the sorted points and go with them.
    /// </summary>
    public bool ReturnsOutputs { get; init; }

    /// <inheritdoc />
    public async ValueTask<PointLevels<ClusterBounds>> BoundsAsync(CancellationToken cancellationToken)
    {
        var measured = await RadiiAsync(cancellationToken);
        var source = await BoundsAsync(fShards, fLevels, FHierarchy, CloudSide.Source, measured.Source);
        var target = await BoundsAsync(gShards, gLevels, GHierarchy, CloudSide.Target, measured.Target);
        return new PointLevels<ClusterBounds>(source, target);
    }

    /// <inheritdoc />
    /// <remarks>Each shard gets its rows of the pattern and pulls the keys from its partners; the potentials stay.</remarks>
    public async ValueTask<long> InstallAsync(SinkhornInstall install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        var pattern = install.Pattern ?? throw new ArgumentException("points kept on the shards take a leaf-pair pattern", nameof(install));
        var fLeaves = sorted.Source.LeafOffsets;
        var gLeaves = sorted.Target.LeafOffsets;
        var fPartners = fShards.Select((shard, k) =>
        {
            var layout = MultiscaleKeyLayout.Create(pattern, fLeaves[k], fLeaves[k + 1], GHierarchy.Boundaries(1, 0), gLeaves);
            return CallAsync(shard, PointMessages.FromLayout(layout), m => shard.InstallPointPatternAsync(term, m, chunkBytes));
        }).ToArray();
        var partners = await Task.WhenAll(fPartners);
        if (!SelfProblem)
        {
            // A self problem's pattern is symmetric and its shards hold both potentials: the f rows' install is the g rows'.
            var transposed = pattern.Transpose();
            await Task.WhenAll(gShards.Select((shard, k) =>
            {
                var layout = MultiscaleKeyLayout.Create(transposed, gLeaves[k], gLeaves[k + 1], FHierarchy.Boundaries(1, 0), fLeaves);
                return CallAsync(shard, PointMessages.FromLayout(layout), m => shard.InstallPointPatternAsync(term, m, chunkBytes));
            }));
        }

        // A source shard lists each target shard it keeps a block with once.
        return partners.Sum();
    }

    /// <inheritdoc />
    public ValueTask<SinkhornStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken) => rounds.IterateAsync(epsilon, update, cancellationToken);

    /// <inheritdoc />
    public ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken) => rounds.CommitAsync(update, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The map stays on the shards (<see cref="OutputsAsync"/> sends it to the input rows' shards).</remarks>
    public ValueTask<SinkhornFinish> FinishAsync(double epsilon, CancellationToken cancellationToken) => rounds.FinishAsync(epsilon, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Gathers O(points) here: for checks only, never on the solve's path.</remarks>
    public async ValueTask<SinkhornPotentials> GatherAsync(CancellationToken cancellationToken)
    {
        var f = await BlockTransfer.GatherAsync(sorted.Source.PointOffsets, 1, (k, start, rows) => fShards[k].GetPotentialRangesAsync(term, CloudSide.Source, [start], [rows]));
        var g = await BlockTransfer.GatherAsync(sorted.Target.PointOffsets, 1, (k, start, rows) => gShards[k].GetPotentialRangesAsync(term, CloudSide.Target, [start], [rows]));
        return new SinkhornPotentials(f, g);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The potentials (and map, when evaluated) go from the sorted shards to the shards of their input rows, which serve
    /// them (unbalanced: the caller shifts them by its duals), when <see cref="ReturnsOutputs"/>; else they stay.
    /// </remarks>
    public async ValueTask<MultiscalePointOutputs?> OutputsAsync(double[] sortedMap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sortedMap);
        if (ReturnsOutputs)
        {
            // FinishAsync kept the map on the shards (the returned one is empty): send it when the plan was evaluated.
            await Task.WhenAll(
                fShards.Select(s => s.ReturnOutputsAsync(term, CloudSide.Source, MapEvaluated, chunkBytes))
                    .Concat(gShards.Select(s => s.ReturnOutputsAsync(term, CloudSide.Target, false, chunkBytes))));
        }

        return null;
    }

    /// <summary>Whether the solve evaluated its plan (set by the caller before the finish).</summary>
    public bool MapEvaluated { get; init; } = true;

    /// <summary>Values this object holds (the part levels of every shard; the hierarchies are the sort's).</summary>
    public long RetainedValues =>
        fLevels.Concat(SelfProblem ? [] : gLevels).Sum(levels => levels.Skip(1).Sum(l => (long)l!.LeafBoundaries.Length + l.Centroids.Length));

    private async Task<ClusterBounds?[]> BoundsAsync(ISinkhornShardGrain[] shards, MultiscalePartLevel?[][] levels, ClusterHierarchy hierarchy, CloudSide role, double[]?[] measuredRadii)
    {
        var d = hierarchy[1].Dimension;
        var parts = await Task.WhenAll(shards.Select(async shard =>
        {
            var length = await shard.MeasurePointBoundsAsync(term, role);
            return PointMessages.ToBounds(await ReadReplyAsync<PointBoundsMessage>(shard, length), d);
        }));
        var assembly = new MultiscaleBoundsAssembly(hierarchy, levels, parts);
        var residuals = assembly.HasSharedClusters
            ? await Task.WhenAll(shards.Select(async (shard, k) =>
                PointMessages.ToLevels(await shard.MeasureSharedResidualsAsync(term, role, PointMessages.FromLevels(assembly.SharedSlopes(k))))))
            : [];
        return assembly.Complete(residuals, measuredRadii);
    }

    private async Task<double[]?[]> PrepareAsync(ISinkhornShardGrain shard, MultiscalePartLevel?[] levels)
    {
        var length = await CallAsync(shard, PointMessages.FromLevels(levels), m => shard.PreparePointsAsync(term, m));
        return PointMessages.ToLevels(await ReadReplyAsync<double[][]>(shard, length));
    }

    /// <summary>Calls <paramref name="call"/> with the message, or with null after staging its bytes in chunks when it is larger than one.</summary>
    private async Task<TResult> CallAsync<TMessage, TResult>(ISinkhornShardGrain shard, TMessage message, Func<TMessage?, Task<TResult>> call)
        where TMessage : class
    {
        // The payload estimate (within a few percent of the serializer's bytes) spares a small request a serialization.
        if (PayloadBytes.Of(message) < chunkBytes / 2)
        {
            return await call(message);
        }

        var bytes = serializer.SerializeToArray(message);
        if (bytes.Length <= chunkBytes)
        {
            return await call(message);
        }

        for (long offset = 0; offset < bytes.LongLength; offset += chunkBytes)
        {
            var chunk = bytes.AsSpan((int)offset, (int)Math.Min(chunkBytes, bytes.LongLength - offset)).ToArray();
            await shard.StageInstallAsync(term, bytes.LongLength, offset, chunk);
        }

        return await call(null);
    }

    /// <summary>Reads a reply of <paramref name="length"/> bytes in chunks and deserializes it.</summary>
    private async Task<T> ReadReplyAsync<T>(ISinkhornShardGrain shard, long length)
    {
        var bytes = new byte[length];
        for (long offset = 0; offset < length; offset += chunkBytes)
        {
            var count = (int)Math.Min(chunkBytes, length - offset);
            var chunk = await shard.ReadReplyAsync(term, offset, count);
            chunk.CopyTo(bytes, offset);
        }

        return serializer.Deserialize<T>(bytes) ?? throw new InvalidOperationException($"an empty reply of the {term.Name()} solve");
    }

    private static MultiscalePartLevel?[][] PartLevels(MortonSortedSide side) =>
        [.. Enumerable.Range(0, side.LeafOffsets.Length - 1).Select(k => MultiscalePartLevel.Of(side.Hierarchy, side.LeafOffsets[k], side.LeafOffsets[k + 1]))];
}
