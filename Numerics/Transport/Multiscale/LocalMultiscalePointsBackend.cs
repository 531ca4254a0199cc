using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The in-process <see cref="IMultiscalePointsBackend"/>: one <see cref="MultiscaleStage"/> over all the points,
/// with the arithmetic the single-process solver always had (every call completes synchronously).
/// </summary>
public sealed class LocalMultiscalePointsBackend : IMultiscalePointsBackend
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
    public ValueTask<long> InstallAsync(MultiscalePointsInstall install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        var created = MultiscaleStage.Create(install.Source, install.Target, 0, 0, install.Pattern, install.Options);
        Use(created, install.Source[0], install.Target[0].Weights, install.F, install.G, install.Options);
        return ValueTask.FromResult(0L);
    }

    /// <inheritdoc />
    public ValueTask<MultiscalePointsStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
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
        return ValueTask.FromResult(new MultiscalePointsStep(dual, report, evaluations, 0));
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken)
    {
        update.Blend(g, f, candidate);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<MultiscalePotentials> GatherAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new MultiscalePotentials((double[])f.Clone(), (double[])g.Clone()));

    /// <inheritdoc />
    public ValueTask<MultiscalePointsFinish> FinishAsync(double epsilon, CancellationToken cancellationToken)
    {
        var current = Stage;
        var solveOptions = options!;

        // Cost with row normalisation at the final g, exactly as the dense output evaluates it.
        var meanSquared = new double[f.Length];
        current.SourceUpdate.MeanSquaredDistance(g, epsilon, meanSquared);
        var cost = MultiscalePartials.Cost(sourceWeights, meanSquared, solveOptions.Cost.Scale());
        var map = new double[(long)f.Length * dimension];
        current.SourceUpdate.BarycentricMap(g, epsilon, map);
        return ValueTask.FromResult(new MultiscalePointsFinish(cost, map, 2 * current.SourceUpdate.EvaluationsPerCall, 0));
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
