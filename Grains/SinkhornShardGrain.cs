using Orleans.Placement;
using System.Diagnostics;
using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Kernels;
using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Grains;

/// <summary>
/// The one Sinkhorn shard grain (see <see cref="ISinkhornShardGrain"/>): the uploaded block of one cloud, and per solve
/// a <see cref="ShardSolve"/> whose arithmetic is <see cref="SinkhornShardPart"/>, the block transform the
/// single-process solver runs. This grain only moves potentials between peers, counts work and traffic, and keeps the
/// CPU work off its scheduler (<see cref="Task.Run(Action)"/>) so that peers' interleaved reads stay answered.
/// </summary>
// Shards spread over the silos (fewest activations first) rather than gathering on their caller's silo: a job's
// shards are what lets it use the cluster, and a silo's loss then costs only its share of them.
[ActivationCountBasedPlacement]
public sealed partial class SinkhornShardGrain() : TrafficCountedGrain("sinkhorn-shard"), ISinkhornShardGrain
{
    private readonly Dictionary<SinkhornTerm, ShardSolve> solves = [];
    private SinkhornShardSetup? setup;
    private CloudSide side;
    private int index;
    private int count;
    private double[] positions = [];
    private double[] weights = [];

    private SinkhornShardSetup Setup => setup ?? throw new ShardStateLostException($"shard {this.GetPrimaryKeyString()} holds no block (a new activation: its silo was lost, or it was released)");

    /// <inheritdoc />
    public Task InitializeAsync(SinkhornShardSetup setup, CloudSide side, int index)
    {
        ArgumentNullException.ThrowIfNull(setup);
        this.setup = setup;
        this.side = side;
        this.index = index;
        var offsets = Offsets(side);
        count = offsets[index + 1] - offsets[index];
        positions = new double[count * setup.Dimension];
        weights = new double[count];
        solves.Clear();
        pointShares.Clear();
        replies.Clear();
        outputs.Clear();
        seeds.Clear();
        mortonSorts.Clear();

        // Results live here: stay active as long as the coordinator keeps the job.
        DelayDeactivation(TimeSpan.FromHours(24));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LoadAsync(int offset, FloatBlock positions, FloatBlock weights)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        var d = Setup.Dimension;
        if (offset < 0 || (long)offset + positions.Rows > count || positions.Columns != d || weights.Rows != positions.Rows)
        {
            throw new ArgumentException($"rows [{offset}, {(long)offset + positions.Rows}) do not fit block of {count} x {d}");
        }

        positions.Values.CopyTo(this.positions.AsSpan(offset * d));
        weights.Values.CopyTo(this.weights.AsSpan(offset));
        return Task.CompletedTask;
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
    public async Task<long> InstallDenseAsync(SinkhornTerm term)
    {
        var partnerSide = PartnerSide(term);
        var partnerOffsets = Offsets(partnerSide);
        var d = Setup.Dimension;
        var keyPositions = await BlockTransfer.GatherAsync(partnerOffsets, d, (k, start, rows) =>
            partnerSide == side && k == index ? GetPositionsAsync(start, rows) : Peer(partnerSide, k).GetPositionsAsync(start, rows));
        var keyWeights = await BlockTransfer.GatherAsync(partnerOffsets, 1, (k, start, rows) =>
            partnerSide == side && k == index ? GetWeightsAsync(start, rows) : Peer(partnerSide, k).GetWeightsAsync(start, rows));
        var cost = CostFunctions.Parse(Setup.Cost);
        var precision = Precisions.Parse(Setup.Precision);
        var (rows, rowWeights) = (positions, weights);
        var part = await Task.Run(() => SinkhornShardPart.Dense(rows, rowWeights, d, keyPositions, keyWeights, cost, precision, -1));
        var partners = Enumerable.Range(0, partnerOffsets.Length - 1)
            .Where(k => partnerOffsets[k + 1] > partnerOffsets[k])
            .Select(k => new SinkhornPartnerRequest(k, [0], [partnerOffsets[k + 1] - partnerOffsets[k]]))
            .ToArray();

        // A re-install (the same rows) keeps the potentials: a warm start; so does a seed from this shard's outputs.
        solves.TryGetValue(term, out var previous);
        var seed = TakeOutputSeed(term);
        var (f, g) = StartingPotentials(term, seed?.F ?? previous?.F, seed?.G ?? previous?.G);
        solves[term] = new ShardSolve(part, weights, partnerSide, partners, keyWeights.Length, f, g);
        return partners.Length;
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetPotentialRangesAsync(SinkhornTerm term, CloudSide role, int[] starts, int[] counts)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(counts);
        return Task.FromResult(FloatBlock.FromVector(Ranges(Solve(term).Potential(role), starts, counts)));
    }

    /// <inheritdoc />
    public async Task<SinkhornShardPartial> UpdateAsync(SinkhornTerm term, double epsilon, double weight, bool symmetric)
    {
        var solve = Solve(term);
        var f = solve.Potential(CloudSide.Source);
        var basis = symmetric ? solve.Potential(CloudSide.Target) : f;
        var (keys, bytes) = await PullAsync(term, solve, CloudSide.Target);
        var (next, evaluations) = await MeasureAsync(term, "update", solve, () =>
        {
            var transformed = new double[f.Length];
            solve.Part.Apply(keys, epsilon, transformed);

            // Into a fresh array: a partner may be reading the committed f right now.
            var blended = new double[f.Length];
            new MultiscaleUpdate(weight).Blend(blended, basis, transformed);
            return blended;
        });
        solve.F = next;
        return new SinkhornShardPartial(MultiscalePartials.Weighted(next, solve.Weights), 0, 0, 0, 0, evaluations, bytes);
    }

    /// <inheritdoc />
    public async Task<SinkhornShardPartial> CheckAsync(SinkhornTerm term, double epsilon)
    {
        var solve = Solve(term);
        var g = solve.Potential(CloudSide.Target);
        var (keys, bytes) = await PullAsync(term, solve, CloudSide.Source);
        var (report, evaluations) = await MeasureAsync(term, "check", solve, () =>
        {
            var candidate = new double[g.Length];
            solve.Part.Apply(keys, epsilon, candidate);
            solve.Candidate = candidate;
            return MarginalReport.Measure(solve.Weights, g, candidate, epsilon);
        });
        return new SinkhornShardPartial(0, report.L1, report.SumOfSquares, report.WeightedPotential, report.PotentialMass, evaluations, bytes);
    }

    /// <inheritdoc />
    public Task<long> CommitAsync(SinkhornTerm term, double weight, bool symmetric)
    {
        var solve = Solve(term);
        var g = solve.Potential(CloudSide.Target);
        var basis = symmetric ? solve.Potential(CloudSide.Source) : g;
        var next = new double[g.Length];
        new MultiscaleUpdate(weight).Blend(next, basis, solve.Candidate);
        solve.G = next;

        // A self solve holds both potentials of its rows: the symmetric blend pulls nothing.
        return Task.FromResult(0L);
    }

    /// <inheritdoc />
    public async Task<SinkhornShardPartial> FinishAsync(SinkhornTerm term, double epsilon)
    {
        var solve = Solve(term);
        var rows = solve.Potential(CloudSide.Source).Length;
        var (keys, bytes) = await PullAsync(term, solve, CloudSide.Target);
        var costScale = CostFunctions.Parse(Setup.Cost).Scale();
        var (cost, evaluations) = await MeasureAsync(term, "evaluate", solve, () =>
        {
            var meanSquared = new double[rows];
            var map = new double[rows * solve.Part.Dimension];
            solve.Part.MapAndMeanSquaredDistance(keys, epsilon, map, meanSquared);
            solve.Map = map;
            return MultiscalePartials.Cost(solve.Weights, meanSquared, costScale);
        });
        return new SinkhornShardPartial(cost, 0, 0, 0, 0, evaluations, bytes);
    }

    /// <inheritdoc />
    public async Task<SinkhornShardPartial> SymmetricMapAsync(SinkhornTerm term, double epsilon)
    {
        if (term == SinkhornTerm.Cross)
        {
            throw new ArgumentException("the symmetric map belongs to a self solve", nameof(term));
        }

        var solve = Solve(term);
        var rows = solve.Potential(CloudSide.Source).Length;
        var (keysF, bytesF) = await PullAsync(term, solve, CloudSide.Source);
        var (keysG, bytesG) = await PullAsync(term, solve, CloudSide.Target);
        var (_, evaluations) = await MeasureAsync(term, "map", solve, () =>
        {
            var symmetric = SinkhornDivergence.SymmetricSelfPotential(keysF, keysG);
            var map = new double[rows * solve.Part.Dimension];
            solve.Part.MapAndMeanSquaredDistance(symmetric, epsilon, map, new double[rows]);
            solve.Map = map;
            return 0;
        });
        return new SinkhornShardPartial(0, 0, 0, 0, 0, evaluations, bytesF + bytesG);
    }

    /// <inheritdoc />
    public Task<FloatBlock> GetMapAsync(SinkhornTerm term, int offset, int count)
    {
        var solve = Solve(term);
        var map = solve.Map ?? throw new InvalidOperationException($"the map of the {term.Name()} solve has not been computed");
        var d = solve.Part.Dimension;
        return Task.FromResult(FloatBlock.From(map.AsSpan(offset * d, count * d), count, d));
    }

    /// <inheritdoc />
    public Task ReleaseAsync(SinkhornTerm term)
    {
        solves.Remove(term);

        // The points of a multiscale solve kept here go too; its outputs stay (the coordinator serves them).
        pointShares.Remove(term);
        replies.Remove(term);
        return Task.CompletedTask;
    }

    private ShardSolve Solve(SinkhornTerm term) =>
        solves.TryGetValue(term, out var solve) ? solve : throw new ShardStateLostException($"the {term.Name()} solve is not installed on shard {this.GetPrimaryKeyString()}");

    private int[] Offsets(CloudSide cloud) => cloud == CloudSide.Source ? Setup.SourceOffsets : Setup.TargetOffsets;

    /// <summary>The side whose shards hold the keys of <paramref name="term"/> for this shard's rows.</summary>
    private CloudSide PartnerSide(SinkhornTerm term)
    {
        // A new activation (its silo was lost) knows no side yet: say so, not that it holds the wrong cloud.
        _ = Setup;
        if (term == SinkhornTerm.Cross)
        {
            return side == CloudSide.Source ? CloudSide.Target : CloudSide.Source;
        }

        var own = term == SinkhornTerm.SelfSource ? CloudSide.Source : CloudSide.Target;
        if (own != side)
        {
            throw new InvalidOperationException($"the {term.Name()} solve runs on {(own == CloudSide.Source ? "source" : "target")} shards; this shard holds the {(side == CloudSide.Source ? "source" : "target")}");
        }

        return side;
    }

    /// <summary>The potentials a (re-)installed dense solve starts from: the previous ones on the same rows, else zero.</summary>
    private (double[]? F, double[]? G) StartingPotentials(SinkhornTerm term, double[]? previousF, double[]? previousG)
    {
        double[] Keep(double[]? previous) => previous is { } values && values.Length == count ? values : new double[count];
        if (term != SinkhornTerm.Cross)
        {
            return (Keep(previousF), Keep(previousG));
        }

        return side == CloudSide.Source ? (Keep(previousF), null) : (null, Keep(previousG));
    }

    private ISinkhornShardGrain Peer(CloudSide peerSide, int peerIndex) =>
        GrainFactory.GetGrain<ISinkhornShardGrain>(ShardLayout.ShardKey(Setup.ProblemId, peerSide, peerIndex));

    /// <summary>The keys' potentials in <paramref name="role"/>, pulled range by range from the partner shards (this shard's own rows read locally).</summary>
    private async Task<(double[] Keys, long Bytes)> PullAsync(SinkhornTerm term, ShardSolve solve, CloudSide role)
    {
        var limit = solve.PullValues;
        var requests = solve.Partners.SelectMany(p => new MultiscalePartnerRanges(p.Shard, p.Starts, p.Counts).Split(limit)).ToArray();
        long bytes = 0;
        var blocks = await Task.WhenAll(requests.Select(r =>
        {
            if (solve.PartnerSide == side && r.Shard == index)
            {
                return Task.FromResult(FloatBlock.FromVector(Ranges(solve.Potential(role), r.Starts, r.Counts)));
            }

            bytes += (long)r.ValueCount * sizeof(double);
            return Peer(solve.PartnerSide, r.Shard).GetPotentialRangesAsync(term, role, r.Starts, r.Counts);
        }));
        var keys = new double[solve.KeyCount];
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

        TransportTelemetry.BytesExchanged.Add(bytes);
        return (keys, bytes);
    }

    private static double[] Ranges(double[] values, int[] starts, int[] counts)
    {
        var result = new double[counts.Sum()];
        var at = 0;
        for (var r = 0; r < starts.Length; r++)
        {
            values.AsSpan(starts[r], counts[r]).CopyTo(result.AsSpan(at));
            at += counts[r];
        }

        return result;
    }

    /// <summary>Runs the CPU work of a half-step off the grain scheduler and records its work and duration.</summary>
    private async Task<(T Value, long Evaluations)> MeasureAsync<T>(SinkhornTerm term, string operation, ShardSolve solve, Func<T> work)
    {
        var name = term == SinkhornTerm.Cross ? operation : $"self-{operation}";

        // A child span of the caller's (the coordinator's run, through activity propagation): one per shard step.
        using var activity = TransportTelemetry.ActivitySource.StartActivity($"sinkhorn.shard.{name}");
        activity?.SetTag("transport.job", Setup.ProblemId);
        activity?.SetTag("transport.shard", $"{(side == CloudSide.Source ? "source" : "target")}/{index}");
        var started = Stopwatch.GetTimestamp();
        var value = await Task.Run(work);
        var evaluations = solve.Part.EvaluationsPerCall;
        activity?.SetTag("transport.kernel_evaluations", evaluations);
        TransportTelemetry.KernelEvaluations.Add(evaluations, new KeyValuePair<string, object?>("precision", Setup.Precision));
        TransportTelemetry.StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("operation", name));
        return (value, evaluations);
    }

    /// <inheritdoc />
    public async Task ReleaseShardAsync()
    {
        // The activation goes, and with it every array it holds; so do its checkpoints.
        await ClearStoredAsync();
        DeactivateOnIdle();
    }
}
