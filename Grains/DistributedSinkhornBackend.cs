using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// <see cref="ISinkhornBackend"/> over shard grains: each operation fans out to the shards of one side
/// with <see cref="Task.WhenAll(IEnumerable{Task})"/> and sums their scalar partials in shard order in
/// float64, so the result does not depend on which shard answers first.
/// </summary>
internal sealed class DistributedSinkhornBackend(IReadOnlyList<ISinkhornShardGrain> sources, IReadOnlyList<ISinkhornShardGrain> targets) : ISinkhornBackend
{
    /// <summary>&lt;f, a&gt; from the last source update.</summary>
    public double LastSourceWeighted { get; private set; }

    /// <summary>&lt;g, b&gt; of the state measured by the last target check.</summary>
    public double LastTargetWeighted { get; private set; }

    /// <summary>The sum of the evaluations every shard reported with its partials (the plan evaluation included).</summary>
    public long KernelEvaluations { get; private set; }

    public async ValueTask<BoundingBox> BoundingBoxAsync(CancellationToken cancellationToken)
    {
        var blocks = await Task.WhenAll(sources.Concat(targets).Select(s => s.GetBoundingBoxAsync()));
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

    public async ValueTask<double> UpdateSourceAsync(double epsilon, CancellationToken cancellationToken)
    {
        var partials = await Task.WhenAll(sources.Select(s => s.UpdateCrossAsync(epsilon)));
        var sum = SumValues(partials);
        LastSourceWeighted = sum;
        return sum;
    }

    public async ValueTask<MarginalReport> CheckTargetAsync(double epsilon, CancellationToken cancellationToken)
    {
        var partials = await Task.WhenAll(targets.Select(t => t.CheckCrossAsync(epsilon)));
        var report = Sum(partials);
        LastTargetWeighted = report.WeightedPotential;
        return report;
    }

    public async ValueTask CommitTargetAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(targets.Select(t => t.CommitCrossAsync()));

    public async ValueTask<MarginalReport> SelfStepAsync(CloudSide side, double epsilon, SelfUpdate mode, CancellationToken cancellationToken)
    {
        var shards = side == CloudSide.Source ? sources : targets;
        var partials = await Task.WhenAll(shards.Select(s => s.ComputeSelfCandidateAsync(epsilon)));
        var weightedParts = await Task.WhenAll(shards.Select(s => s.CommitSelfAsync(mode)));
        var weighted = 0.0;
        foreach (var part in weightedParts)
        {
            weighted += part;
        }

        return Sum(partials) with { WeightedPotential = weighted };
    }

    /// <summary>Evaluates the plan on every source shard (map kept there); returns &lt;P, C&gt;.</summary>
    public async Task<double> EvaluateAsync(double epsilon)
    {
        var partials = await Task.WhenAll(sources.Select(s => s.EvaluateAsync(epsilon)));
        return SumValues(partials);
    }

    private double SumValues(ScalarPartial[] partials)
    {
        var sum = 0.0;
        foreach (var partial in partials)
        {
            sum += partial.Value;
            KernelEvaluations += partial.KernelEvaluations;
        }

        return sum;
    }

    private MarginalReport Sum(MarginalPartial[] partials)
    {
        var report = MarginalReport.Zero;
        foreach (var partial in partials)
        {
            report = report.Add(partial.ToReport());
            KernelEvaluations += partial.KernelEvaluations;
        }

        return report;
    }
}
