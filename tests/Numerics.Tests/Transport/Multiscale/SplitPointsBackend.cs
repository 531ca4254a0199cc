using Transport.Numerics.Transport;
using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Tests.Transport.Multiscale;

/// <summary>
/// An in-process <see cref="ISinkhornBackend"/> that does what the cluster's shards do, without Orleans:
/// splits each side into shards by <see cref="MultiscaleShardLayout"/>, plans them, and runs each shard's part
/// against the potentials it would pull (only its partner ranges), summing partials in shard order.
/// </summary>
internal sealed class SplitPointsBackend(int shards) : ISinkhornBackend
{
    private Side source = null!;
    private Side target = null!;

    public long PulledValues { get; private set; }

    public ValueTask<long> InstallAsync(SinkhornInstall install, CancellationToken cancellationToken)
    {
        var pattern = install.Pattern ?? throw new NotSupportedException("dense");
        var (sourceHierarchy, targetHierarchy) = (install.Source!, install.Target!);
        var (f, g) = (install.F!, install.G!);
        var sourceClusters = MultiscaleShardLayout.SplitClusters(sourceHierarchy.Boundaries(1, 0), shards);
        var targetClusters = MultiscaleShardLayout.SplitClusters(targetHierarchy.Boundaries(1, 0), shards);
        var transposed = pattern.Transpose();
        source = new Side([.. Enumerable.Range(0, shards).Select(k => MultiscaleShardPlan.Create(sourceHierarchy, targetHierarchy, pattern, sourceClusters, targetClusters, k))], f, install.Options);
        target = new Side([.. Enumerable.Range(0, shards).Select(k => MultiscaleShardPlan.Create(targetHierarchy, sourceHierarchy, transposed, targetClusters, sourceClusters, k))], g, install.Options);
        return ValueTask.FromResult((long)source.Plans.Sum(p => p.Partners.Count));
    }

    public ValueTask<SinkhornStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        long evaluations = 0;
        var dual = 0.0;
        for (var k = 0; k < shards; k++)
        {
            // Every source part reads the target side only, so writing f shard by shard is safe here.
            var transformed = new double[source.Potential[k].Length];
            source.Parts[k].Apply(Pull(source.Plans[k], target.Potential), epsilon, transformed);
            // A symmetric step (self problem) blends from the target potential of the same rows (the layouts coincide).
            update.Blend(source.Potential[k], target.Potential[k], transformed);

            evaluations += source.Parts[k].EvaluationsPerCall;
            dual += MultiscalePartials.Weighted(source.Potential[k], source.Plans[k].Weights);
        }

        var report = MarginalReport.Zero;
        for (var k = 0; k < shards; k++)
        {
            target.Parts[k].Apply(Pull(target.Plans[k], source.Potential), epsilon, target.Candidate[k]);
            evaluations += target.Parts[k].EvaluationsPerCall;
            report = report.Add(MarginalReport.Measure(target.Plans[k].Weights, target.Potential[k], target.Candidate[k], epsilon));
        }

        return ValueTask.FromResult(new SinkhornStep(dual, report, evaluations, 0));
    }

    public ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken)
    {
        for (var k = 0; k < shards; k++)
        {
            update.Blend(target.Potential[k], source.Potential[k], target.Candidate[k]);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<SinkhornPotentials> GatherAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SinkhornPotentials([.. source.Potential.SelectMany(p => p)], [.. target.Potential.SelectMany(p => p)]));

    public ValueTask<SinkhornFinish> FinishAsync(double epsilon, CancellationToken cancellationToken)
    {
        var cost = 0.0;
        long evaluations = 0;
        var maps = new List<double>();
        for (var k = 0; k < shards; k++)
        {
            var part = source.Parts[k];
            var keys = Pull(source.Plans[k], target.Potential);
            var meanSquared = new double[part.RowCount];
            var map = new double[part.RowCount * part.Dimension];
            part.MapAndMeanSquaredDistance(keys, epsilon, map, meanSquared);
            cost += MultiscalePartials.Cost(source.Plans[k].Weights, meanSquared, source.Scale);
            maps.AddRange(map);
            evaluations += part.EvaluationsPerCall;
        }

        return ValueTask.FromResult(new SinkhornFinish(cost, [.. maps], evaluations, 0));
    }

    private double[] Pull(MultiscaleShardPlan plan, double[][] partnerPotentials)
    {
        var values = new List<double>();
        foreach (var partner in plan.Partners)
        {
            for (var r = 0; r < partner.Starts.Length; r++)
            {
                values.AddRange(partnerPotentials[partner.Shard].AsSpan(partner.Starts[r], partner.Counts[r]).ToArray());
            }
        }

        PulledValues += values.Count;
        return [.. values];
    }

    private sealed class Side
    {
        public Side(MultiscaleShardPlan[] plans, double[] potential, SinkhornOptions options)
        {
            Plans = plans;
            Scale = Geometry.CostFunctions.Scale(options.Cost);
            Parts = [.. plans.Select(p => new SinkhornShardPart(p.Positions, p.Weights, p.Dimension, p.RowBoundaries, p.Pattern, p.KeyPositions, p.KeyWeights, p.KeyBoundaries, options.Cost, options.Precision, options.MaxDegreeOfParallelism))];
            Potential = [.. plans.Select(p => potential.AsSpan(p.PointStart, p.PointCount).ToArray())];
            Candidate = [.. plans.Select(p => new double[p.PointCount])];
        }

        public MultiscaleShardPlan[] Plans { get; }

        public SinkhornShardPart[] Parts { get; }

        public double Scale { get; }

        public double[][] Potential { get; set; }

        public double[][] Candidate { get; set; }
    }
}
