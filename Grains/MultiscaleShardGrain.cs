using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// One shard of a distributed multiscale solve on the points (see <see cref="IMultiscaleShardGrain"/>). The
/// numerical work is <see cref="MultiscaleShardPart"/> (the block-sparse transform the single-process solver runs,
/// over the shard's rows and compact keys), run off the grain scheduler; this grain pulls the partner potentials
/// it needs and keeps its own.
/// </summary>
public sealed class MultiscaleShardGrain : Grain, IMultiscaleShardGrain
{
    private MultiscaleShardInstall? install;
    private MultiscaleShardPart? part;
    private double[] weights = [];
    private double[] potential = [];
    private double[] candidate = [];
    private double[]? map;
    private double costScale;

    private MultiscaleShardInstall Install => install ?? throw new InvalidOperationException("shard not installed");

    private MultiscaleShardPart Part => part ?? throw new InvalidOperationException("shard not installed");

    /// <inheritdoc />
    public async Task InstallAsync(MultiscaleShardInstall install)
    {
        ArgumentNullException.ThrowIfNull(install);

        // The coordinator releases the shard when the job ends; until then it holds live potentials.
        DelayDeactivation(TimeSpan.FromHours(24));
        var rows = install.RowBoundaries.Length - 1;
        var pairs = new List<(int Row, int Column)>();
        for (var r = 0; r < rows; r++)
        {
            for (var k = install.PatternRowStarts[r]; k < install.PatternRowStarts[r + 1]; k++)
            {
                pairs.Add((r, install.PatternColumns[k]));
            }
        }

        var pattern = BlockPattern.FromPairs(rows, install.KeyBoundaries.Length - 1, pairs);
        var cost = CostFunctions.Parse(install.Cost);
        var precision = Precisions.Parse(install.Precision);
        var dimension = install.Positions.Columns;
        weights = install.Weights.Values.ToArray();
        var positions = install.Positions.Values.ToArray();
        var keyPositions = install.KeyPositions.Values.ToArray();
        var keyWeights = install.KeyWeights.Values.ToArray();
        var built = await Task.Run(() => new MultiscaleShardPart(
            positions, weights, dimension, install.RowBoundaries, pattern, keyPositions, keyWeights, install.KeyBoundaries, cost, precision, -1));
        this.install = install;
        part = built;
        costScale = cost.Scale();
        potential = install.Potential.Values.ToArray();
        candidate = new double[potential.Length];
        map = null;
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetPotentialRangesAsync(int[] starts, int[] counts)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(counts);
        var values = new double[counts.Sum()];
        var at = 0;
        for (var r = 0; r < starts.Length; r++)
        {
            potential.AsSpan(starts[r], counts[r]).CopyTo(values.AsSpan(at));
            at += counts[r];
        }

        return Task.FromResult(FloatBlock.FromVector(values));
    }

    /// <inheritdoc />
    public async Task<MultiscaleShardPartial> UpdateAsync(double epsilon, double relaxation, bool symmetric)
    {
        RequireSide(CloudSide.Source);
        var (keys, bytes) = await PullAsync();
        var (basis, mirrorBytes) = symmetric ? await PullMirrorAsync() : (potential, 0L);
        var result = new double[potential.Length];
        var current = Part;
        await Task.Run(() => current.Apply(keys, epsilon, result));
        // Blend into the fresh array: a partner may be reading the committed f right now.
        new MultiscaleUpdate(relaxation).Blend(result.AsSpan(), basis, result);
        potential = result;
        bytes += mirrorBytes;

        var dual = MultiscalePartials.Weighted(potential, weights);
        return new MultiscaleShardPartial(dual, 0, 0, 0, 0, current.EvaluationsPerCall, bytes);
    }

    /// <inheritdoc />
    public async Task<MultiscaleShardPartial> CheckAsync(double epsilon)
    {
        RequireSide(CloudSide.Target);
        var (keys, bytes) = await PullAsync();
        var result = new double[potential.Length];
        var current = Part;
        await Task.Run(() => current.Apply(keys, epsilon, result));
        candidate = result;
        var report = MarginalReport.Measure(weights, potential, candidate, epsilon);
        return new MultiscaleShardPartial(0, report.L1, report.SumOfSquares, report.WeightedPotential, report.PotentialMass, current.EvaluationsPerCall, bytes);
    }

    /// <inheritdoc />
    public async Task<long> CommitAsync(double relaxation, bool symmetric)
    {
        RequireSide(CloudSide.Target);
        var (basis, bytes) = symmetric ? await PullMirrorAsync() : (potential, 0L);
        var next = new double[potential.Length];
        new MultiscaleUpdate(relaxation).Blend(next, basis, candidate);
        potential = next;
        return bytes;
    }

    /// <summary>
    /// The opposite potential of the shard's own rows, from the mirror shard (self problems: same points, same layout),
    /// with the bytes received. Peer to peer, like every potential exchange.
    /// </summary>
    private async Task<(double[] Values, long Bytes)> PullMirrorAsync()
    {
        var mirror = Install.MirrorShard ?? throw new InvalidOperationException("a symmetric step needs a mirror shard (self problems only)");
        var grain = GrainFactory.GetGrain<IMultiscaleShardGrain>($"{Install.PartnerKeyPrefix}/{mirror}");
        var values = new double[potential.Length];
        var limit = FloatBlock.RowsPerChunk(1);
        for (var start = 0; start < values.Length; start += limit)
        {
            var count = Math.Min(limit, values.Length - start);
            var block = await grain.GetPotentialRangesAsync([start], [count]);
            block.Values.CopyTo(values.AsSpan(start));
        }

        return (values, (long)values.Length * sizeof(double));
    }

    /// <inheritdoc />
    public async Task<MultiscaleShardPartial> FinishAsync(double epsilon)
    {
        RequireSide(CloudSide.Source);
        var (keys, bytes) = await PullAsync();
        var current = Part;
        var meanSquared = new double[potential.Length];
        var result = new double[potential.Length * current.Dimension];
        await Task.Run(() =>
        {
            current.MeanSquaredDistance(keys, epsilon, meanSquared);
            current.BarycentricMap(keys, epsilon, result);
        });
        map = result;
        var cost = MultiscalePartials.Cost(weights, meanSquared, costScale);
        return new MultiscaleShardPartial(cost, 0, 0, 0, 0, 2 * current.EvaluationsPerCall, bytes);
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetMapAsync(int offset, int count)
    {
        var values = map ?? throw new InvalidOperationException("the map has not been computed");
        var d = Part.Dimension;
        return Task.FromResult(FloatBlock.From(values.AsSpan(offset * d, count * d), count, d));
    }

    /// <inheritdoc />
    public Task ReleaseAsync()
    {
        install = null;
        part = null;
        weights = [];
        potential = [];
        candidate = [];
        map = null;
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void RequireSide(CloudSide side)
    {
        if (Install.Side != side)
        {
            throw new InvalidOperationException($"a {Install.Side} shard cannot run a {side} step");
        }
    }

    /// <summary>
    /// The compact keys' potentials: the partner ranges, pulled from all partners concurrently (in requests of at most
    /// <see cref="FloatBlock.MaxBytes"/>) and concatenated in partner order (= the global order of the keys). Returns
    /// them with the bytes received.
    /// </summary>
    private async Task<(double[] Keys, long Bytes)> PullAsync()
    {
        var limit = FloatBlock.RowsPerChunk(1);
        var requests = Install.Partners.SelectMany(p => new MultiscalePartnerRanges(p.Shard, p.Starts, p.Counts).Split(limit));
        var blocks = await Task.WhenAll(requests.Select(r =>
            GrainFactory.GetGrain<IMultiscaleShardGrain>($"{Install.PartnerKeyPrefix}/{r.Shard}").GetPotentialRangesAsync(r.Starts, r.Counts)));
        var keys = new double[Install.KeyWeights.Rows];
        var at = 0;
        foreach (var block in blocks)
        {
            block.Values.CopyTo(keys.AsSpan(at));
            at += block.Rows;
        }

        if (at != keys.Length)
        {
            throw new InvalidOperationException($"pulled {at} key potentials, expected {keys.Length}");
        }

        return (keys, (long)at * sizeof(double));
    }
}
