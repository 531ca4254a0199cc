using Transport.Grains.Interfaces;
using Transport.Numerics.Geometry;
using Transport.Numerics.Transport;

namespace Transport.Grains;

/// <summary>
/// <see cref="ISinkhornBackend"/> over shard grains: each operation fans out to the shards of one side (for a self
/// problem, the shards of its cloud, which hold both its potentials)
/// with <see cref="Task.WhenAll(IEnumerable{Task})"/> and sums their scalar partials in shard order in
/// float64, so the result does not depend on which shard answers first.
/// </summary>
internal sealed class DistributedSinkhornBackend(IReadOnlyList<ISinkhornShardGrain> sources, IReadOnlyList<ISinkhornShardGrain> targets) : ISinkhornBackend
{
    /// <summary>&lt;f, a&gt; from the last source update of the cross problem.</summary>
    public double LastSourceWeighted { get; private set; }

    /// <summary>&lt;g, b&gt; of the state measured by the last target check of the cross problem.</summary>
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

    public async ValueTask<double> UpdateSourceAsync(SinkhornTerm term, double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        var partials = await Task.WhenAll(SourceShards(term).Select(s => s.UpdateAsync(term, epsilon, update.Weight, update.Symmetric)));
        var sum = SumValues(partials);
        if (term == SinkhornTerm.Cross)
        {
            LastSourceWeighted = sum;
        }

        return sum;
    }

    public async ValueTask<MarginalReport> CheckTargetAsync(SinkhornTerm term, double epsilon, CancellationToken cancellationToken)
    {
        var partials = await Task.WhenAll(TargetShards(term).Select(t => t.CheckAsync(term, epsilon)));
        var report = Sum(partials);
        if (term == SinkhornTerm.Cross)
        {
            LastTargetWeighted = report.WeightedPotential;
        }

        return report;
    }

    public async ValueTask CommitTargetAsync(SinkhornTerm term, SinkhornUpdate update, CancellationToken cancellationToken) =>
        await Task.WhenAll(TargetShards(term).Select(t => t.CommitAsync(term, update.Weight, update.Symmetric)));

    /// <summary>The shards holding the rows of the term's source potential: a self problem lives on its cloud's shards.</summary>
    private IReadOnlyList<ISinkhornShardGrain> SourceShards(SinkhornTerm term) => term == SinkhornTerm.SelfTarget ? targets : sources;

    /// <summary>The shards holding the rows of the term's target potential.</summary>
    private IReadOnlyList<ISinkhornShardGrain> TargetShards(SinkhornTerm term) => term == SinkhornTerm.SelfSource ? sources : targets;

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
