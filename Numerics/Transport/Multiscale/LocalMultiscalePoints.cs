namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The points of a multiscale solve held in process: both full hierarchies (level 0 = the points, sorted) and the point
/// potentials. The iterations run on a backend made by a factory at the first install (in process, or the shards of a
/// cluster that receive their shares of these points); the potentials are read back from it only when the bounds or
/// the outputs need them.
/// </summary>
internal sealed class LocalMultiscalePoints(ClusterHierarchy source, ClusterHierarchy target, Func<ISinkhornBackend> backendFactory, SinkhornOptions options, bool selfProblem, MultiscaleWarmStart? warmStart) : IMultiscalePoints
{
    private ISinkhornBackend? backend;
    private double[] f = [];
    private double[] g = [];

    // The backend has iterated since f and g were last read from it.
    private bool backendAhead;
    private PointLevels<double[]>? radii;

    /// <summary>The point side of a solve holding both hierarchies in process (see the class remarks).</summary>
    public static IMultiscalePoints Create(ClusterHierarchy source, ClusterHierarchy target, Func<ISinkhornBackend> backendFactory, SinkhornOptions options, bool selfProblem, MultiscaleWarmStart? warmStart) =>
        new LocalMultiscalePoints(source, target, backendFactory, options, selfProblem, warmStart);

    /// <inheritdoc />
    public ValueTask<PointLevels<double[]>> RadiiAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Radii());

    /// <inheritdoc />
    public ValueTask<long> ExtrapolateAsync(BlockPattern? coarsePattern, double[] leafF, double[] leafG, double epsilon, CancellationToken cancellationToken)
    {
        var extrapolation = MultiscaleStage.Create(source, target, 1, 0, coarsePattern, options);
        f = new double[source[0].Count];
        g = new double[target[0].Count];
        extrapolation.SourceUpdate.Apply(leafG, epsilon, f);
        extrapolation.TargetUpdate.Apply(leafF, epsilon, g);
        backendAhead = false;
        return ValueTask.FromResult(extrapolation.SourceUpdate.EvaluationsPerCall + extrapolation.TargetUpdate.EvaluationsPerCall);
    }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (warmStart is null)
        {
            throw new InvalidOperationException("this point side was made without a warm start");
        }

        f = new double[source[0].Count];
        g = new double[target[0].Count];
        for (var s = 0; s < f.Length; s++)
        {
            f[s] = warmStart.F[source.Order[s]];
        }

        for (var s = 0; s < g.Length; s++)
        {
            g[s] = warmStart.G[target.Order[s]];
        }

        backendAhead = false;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<PointLevels<ClusterBounds>> BoundsAsync(CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken);
        var measured = Radii();
        return new PointLevels<ClusterBounds>(
            ClusterBounds.MeasureLevels(source, 0, f, measured.Source),
            ClusterBounds.MeasureLevels(target, 0, g, measured.Target));
    }

    /// <inheritdoc />
    /// <remarks>Installs <see cref="SinkhornInstall.Pattern"/> with the point potentials held here on the backend.</remarks>
    public async ValueTask<long> InstallAsync(SinkhornInstall install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        if (install.Source is not null || install.Target is not null || install.F is not null || install.G is not null)
        {
            throw new ArgumentException("the points and their potentials are already held here: install a pattern only", nameof(install));
        }

        await CatchUpAsync(cancellationToken);
        backend ??= backendFactory();
        return await backend.InstallAsync(install with { Source = source, Target = target, F = f, G = g }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<SinkhornStep> IterateAsync(double epsilon, SinkhornUpdate update, CancellationToken cancellationToken)
    {
        backendAhead = true;
        return Backend.IterateAsync(epsilon, update, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(SinkhornUpdate update, CancellationToken cancellationToken) => Backend.CommitAsync(update, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<SinkhornPotentials> GatherAsync(CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken);
        return new SinkhornPotentials((double[])f.Clone(), (double[])g.Clone());
    }

    /// <inheritdoc />
    public ValueTask<SinkhornFinish> FinishAsync(double epsilon, CancellationToken cancellationToken) => Backend.FinishAsync(epsilon, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<MultiscalePointOutputs?> OutputsAsync(double[] sortedMap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sortedMap);
        await CatchUpAsync(cancellationToken);
        var fInput = ToInputOrder(source, f, 1);
        var gInput = ToInputOrder(target, g, 1);
        var mapInput = sortedMap.Length == 0 ? [] : ToInputOrder(source, sortedMap, source[0].Dimension);
        PotentialNormalisation.Balance(fInput, ToInputOrder(source, source[0].Weights, 1), gInput, ToInputOrder(target, target[0].Weights, 1));
        return new MultiscalePointOutputs(fInput, gInput, mapInput);
    }

    private ISinkhornBackend Backend => backend ?? throw new InvalidOperationException("install a pattern first");

    /// <summary>Reads f and g back from the backend when it has iterated since.</summary>
    private async ValueTask CatchUpAsync(CancellationToken cancellationToken)
    {
        if (!backendAhead)
        {
            return;
        }

        var potentials = await Backend.GatherAsync(cancellationToken);
        f = potentials.F;
        g = potentials.G;
        backendAhead = false;
    }

    private PointLevels<double[]> Radii()
    {
        if (radii is null)
        {
            var sourceRadii = new double[]?[source.LevelCount];
            var targetRadii = new double[]?[target.LevelCount];
            for (var m = 1; m < source.LevelCount; m++)
            {
                sourceRadii[m] = source.Radii(m, 0);

                // A self problem has one hierarchy: measure it once.
                targetRadii[m] = selfProblem && ReferenceEquals(source, target) ? sourceRadii[m] : target.Radii(m, 0);
            }

            radii = new PointLevels<double[]>(sourceRadii, targetRadii);
        }

        return radii;
    }

    /// <summary>Rows of <paramref name="width"/> values from the hierarchy's sorted order back to input order.</summary>
    private static double[] ToInputOrder(ClusterHierarchy hierarchy, double[] sorted, int width)
    {
        var order = hierarchy.Order;
        var result = new double[sorted.Length];
        for (var s = 0; s < order.Length; s++)
        {
            sorted.AsSpan(s * width, width).CopyTo(result.AsSpan(order[s] * width));
        }

        return result;
    }
}
