using Transport.Numerics.Geometry;

using Transport.Numerics.Transport.Multiscale;

namespace Transport.Numerics.Transport;

/// <summary>
/// The in-process <see cref="ISinkhornBackend"/>: one <see cref="MultiscaleStage"/> over all the points (every block
/// for a dense solve, the kept blocks for a multiscale one); every call completes synchronously. It is the reference
/// the shard grains of a cluster are compared with: they run the same block transforms on their rows.
/// </summary>
public sealed class LocalSinkhornBackend : ISinkhornBackend
{
    private MultiscaleStage? stage;
    private SinkhornOptions? options;
    private int dimension;
    private double[] sourceWeights = [];
    private double[] targetWeights = [];
    private double[] f = [];
    private double[] g = [];
    private double[] candidate = [];
    private double[] sourceCandidate = [];

    private MultiscaleStage Stage => stage ?? throw new InvalidOperationException("install a pattern first");

    /// <inheritdoc />
    public ValueTask<long> InstallAsync(SinkhornInstall install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        var source = install.Source ?? throw new ArgumentException("the in-process backend needs the points (the hierarchies)", nameof(install));
        var target = install.Target ?? throw new ArgumentException("the in-process backend needs the points (the hierarchies)", nameof(install));
        var created = MultiscaleStage.Create(source, target, 0, 0, install.Pattern, install.Options);
        var keepF = install.F ?? (f.Length == source[0].Count ? f : new double[source[0].Count]);
        var keepG = install.G ?? (g.Length == target[0].Count ? g : new double[target[0].Count]);
        Use(created, source[0], target[0].Weights, keepF, keepG, install.Options);
        return ValueTask.FromResult(0L);
    }

    /// <inheritdoc />
    public ValueTask<SinkhornStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        var current = Stage;
        // Blend with w = 1 copies T(g) exactly, so plain Sinkhorn keeps its arithmetic. A symmetric step (self
        // problem: row s of g is the point of row s of f) blends from g.
        current.SourceUpdate.Apply(g, epsilon, sourceCandidate);
        update.Blend(f, g, sourceCandidate);

        current.TargetUpdate.Apply(f, epsilon, candidate);
        var evaluations = current.SourceUpdate.EvaluationsPerCall + current.TargetUpdate.EvaluationsPerCall;
        var dual = MultiscalePartials.Weighted(f, sourceWeights);
        var report = MarginalReport.Measure(targetWeights, g, candidate, epsilon);
        return ValueTask.FromResult(new SinkhornStep(dual, report, evaluations, 0));
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken)
    {
        update.Blend(g, f, candidate);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<SinkhornPotentials> GatherAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SinkhornPotentials((double[])f.Clone(), (double[])g.Clone()));

    /// <inheritdoc />
    public ValueTask<SinkhornFinish> FinishAsync(double epsilon, CancellationToken cancellationToken)
    {
        var current = Stage;
        var solveOptions = options!;

        // Cost with row normalisation at the final g, exactly as the dense output evaluates it.
        var meanSquared = new double[f.Length];
        var map = new double[(long)f.Length * dimension];
        current.SourceUpdate.MapAndMeanSquaredDistance(g, epsilon, map, meanSquared);
        var cost = MultiscalePartials.Cost(sourceWeights, meanSquared, solveOptions.Cost.Scale());
        return ValueTask.FromResult(new SinkhornFinish(cost, map, current.SourceUpdate.EvaluationsPerCall, 0));
    }

    /// <summary>
    /// Works on an existing stage (also a coarse one: a solve that hits the iteration cap before reaching the points
    /// finishes there).
    /// </summary>
    internal void Use(MultiscaleStage current, ClusterLevel sourceLevel, double[] targetWeights, double[] f, double[] g, SinkhornOptions options)
    {
        stage = current;
        this.options = options;
        dimension = sourceLevel.Dimension;
        sourceWeights = sourceLevel.Weights;
        this.targetWeights = targetWeights;
        this.f = (double[])f.Clone();
        this.g = (double[])g.Clone();
        candidate = new double[g.Length];
        sourceCandidate = new double[f.Length];
    }
}
