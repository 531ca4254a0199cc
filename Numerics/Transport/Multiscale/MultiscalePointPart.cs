namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// One part of one side's points in a multiscale solve: a contiguous run of whole leaf clusters in Morton order (what
/// one shard holds; the whole side in process), with the cluster levels above its leaves
/// (<see cref="MultiscalePartLevel"/>). It measures what the solve needs from the points, cluster by cluster, as
/// partials that combine across parts (<see cref="MultiscaleBoundsAssembly"/>): radii and potential maxima (maxima
/// combine exactly), linear envelopes (a cluster whole in the part is fitted here, exactly as over the whole side; a
/// shared one sends its sums), and it extrapolates leaf potentials onto its points.
/// </summary>
public sealed class MultiscalePointPart
{
    private MultiscalePartLevel?[] levels = [];

    /// <summary>A part of <paramref name="weights"/>.Length points whose leaves are the point ranges of <paramref name="leafPoints"/>.</summary>
    /// <param name="positions">Row-major positions (Morton order).</param>
    /// <param name="weights">Weights.</param>
    /// <param name="dimension">Dimension.</param>
    /// <param name="leafPoints">Leaf l covers the points <c>[leafPoints[l], leafPoints[l + 1])</c>.</param>
    public MultiscalePointPart(double[] positions, double[] weights, int dimension, int[] leafPoints)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(leafPoints);
        if ((long)weights.Length * dimension != positions.Length || leafPoints.Length == 0 || leafPoints[^1] != weights.Length)
        {
            throw new ArgumentException($"{positions.Length} coordinates, {weights.Length} weights and leaves ending at {(leafPoints.Length == 0 ? 0 : leafPoints[^1])} do not describe one part of dimension {dimension}", nameof(leafPoints));
        }

        Positions = positions;
        Weights = weights;
        Dimension = dimension;
        LeafPoints = leafPoints;
    }

    /// <summary>Row-major positions.</summary>
    public double[] Positions { get; }

    /// <summary>Weights.</summary>
    public double[] Weights { get; }

    /// <summary>Dimension.</summary>
    public int Dimension { get; }

    /// <summary>Leaf l covers the points <c>[LeafPoints[l], LeafPoints[l + 1])</c>.</summary>
    public int[] LeafPoints { get; }

    /// <summary>Points of the part.</summary>
    public int PointCount => Weights.Length;

    /// <summary>The cluster levels above the part's leaves (index m: level m; 0 null): needed by every measure.</summary>
    public void UseLevels(MultiscalePartLevel?[] partLevels)
    {
        ArgumentNullException.ThrowIfNull(partLevels);
        levels = partLevels;
    }

    /// <summary>Per level, the largest distance of the part's members of each of its clusters to the cluster's centroid.</summary>
    public double[]?[] Radii()
    {
        var d = Dimension;
        var result = new double[]?[levels.Length];
        for (var m = 1; m < levels.Length; m++)
        {
            var level = Level(m);
            var radii = new double[level.Count];
            for (var t = 0; t < level.Count; t++)
            {
                var (start, end) = Members(level, t);
                var centre = level.Centroids.AsSpan(t * d, d);
                var largest = 0.0;
                for (var e = start; e < end; e++)
                {
                    var sum = 0.0;
                    for (var k = 0; k < d; k++)
                    {
                        var diff = Positions[(e * d) + k] - centre[k];
                        sum += diff * diff;
                    }

                    largest = Math.Max(largest, sum);
                }

                radii[t] = Math.Sqrt(largest);
            }

            result[m] = radii;
        }

        return result;
    }

    /// <summary>
    /// Per level, the bounds of <paramref name="potential"/> (one value per point of the part) on the part's clusters:
    /// maxima of all, envelopes of the whole ones, sums of the shared ones.
    /// </summary>
    public MultiscalePartBounds[] Bounds(ReadOnlySpan<double> potential)
    {
        if (potential.Length != PointCount)
        {
            throw new ArgumentException($"{potential.Length} potential values for {PointCount} points", nameof(potential));
        }

        var d = Dimension;
        var result = new MultiscalePartBounds[levels.Length];
        for (var m = 1; m < levels.Length; m++)
        {
            var level = Level(m);
            var maxima = new double[level.Count];
            var slopes = new double[level.Count * d];
            var residuals = new double[level.Count];
            var shared = new List<ClusterMoments>();
            for (var t = 0; t < level.Count; t++)
            {
                var (start, end) = Members(level, t);
                var largest = double.NegativeInfinity;
                for (var e = start; e < end; e++)
                {
                    largest = Math.Max(largest, potential[e]);
                }

                maxima[t] = largest;
                var centre = level.Centroids.AsSpan(t * d, d);
                if (level.IsShared(t))
                {
                    shared.Add(ClusterMoments.Of(Positions, potential, d, start, end, centre));
                    residuals[t] = double.NaN;
                }
                else
                {
                    residuals[t] = ClusterSlopes.FitCluster(Positions, potential, d, start, end, centre, slopes.AsSpan(t * d, d));
                }
            }

            result[m] = new MultiscalePartBounds(maxima, slopes, residuals, [.. shared]);
        }

        return result;
    }

    /// <summary>
    /// Per level, R = max (v - &lt;slope, x - centre&gt;) over the part's members of each shared cluster
    /// (<see cref="MultiscalePartLevel.SharedClusters"/>) with the slopes fitted from every part's sums.
    /// </summary>
    /// <param name="potential">One value per point of the part.</param>
    /// <param name="sharedSlopes">Per level, the slopes of the shared clusters (row-major, shared x d).</param>
    public double[]?[] SharedResiduals(ReadOnlySpan<double> potential, double[]?[] sharedSlopes)
    {
        ArgumentNullException.ThrowIfNull(sharedSlopes);
        var d = Dimension;
        var result = new double[]?[levels.Length];
        for (var m = 1; m < levels.Length; m++)
        {
            var level = Level(m);
            var shared = level.SharedClusters();
            var slopes = sharedSlopes[m] ?? [];
            if (slopes.Length != shared.Length * d)
            {
                throw new ArgumentException($"level {m}: {slopes.Length} slope values for {shared.Length} shared clusters", nameof(sharedSlopes));
            }

            var residuals = new double[shared.Length];
            for (var s = 0; s < shared.Length; s++)
            {
                var (start, end) = Members(level, shared[s]);
                residuals[s] = ClusterSlopes.MeasureResidual(Positions, potential, d, start, end, level.Centroids.AsSpan(shared[s] * d, d), slopes.AsSpan(s * d, d));
            }

            result[m] = residuals;
        }

        return result;
    }

    /// <summary>The potential on the part's points from the opposite leaf potential of <paramref name="plan"/> (one restricted soft c-transform).</summary>
    public double[] Extrapolate(MultiscaleExtrapolationPlan plan, double epsilon, SinkhornOptions options, out long evaluations)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var result = new double[PointCount];
        SinkhornShardPart transform;
        if (plan.RowLeafBoundaries is null)
        {
            transform = SinkhornShardPart.Dense(Positions, Weights, Dimension, plan.KeyPositions, plan.KeyWeights, options.Cost, options.Precision, options.MaxDegreeOfParallelism);
        }
        else
        {
            var rows = plan.RowLeafBoundaries.Select(l => LeafPoints[l]).ToArray();
            transform = new SinkhornShardPart(Positions, Weights, Dimension, rows, plan.Pattern, plan.KeyPositions, plan.KeyWeights, plan.KeyBoundaries, options.Cost, options.Precision, options.MaxDegreeOfParallelism);
        }

        transform.Apply(plan.KeyPotential, epsilon, result);
        evaluations = transform.EvaluationsPerCall;
        return result;
    }

    private MultiscalePartLevel Level(int m) =>
        (m < levels.Length ? levels[m] : null) ?? throw new InvalidOperationException($"the part has no level {m}: give it its levels first");

    private (int Start, int End) Members(MultiscalePartLevel level, int t) =>
        (LeafPoints[level.LeafBoundaries[t]], LeafPoints[level.LeafBoundaries[t + 1]]);
}

/// <summary>What one part measures of one potential on its clusters of one level.</summary>
/// <param name="Maxima">Largest member value, per cluster of the part.</param>
/// <param name="Slopes">Envelope slopes of the whole clusters (row-major; zero for shared ones).</param>
/// <param name="Residuals">Envelope residual maxima of the whole clusters (NaN for shared ones).</param>
/// <param name="SharedMoments">Sums of the shared clusters, in the order of <see cref="MultiscalePartLevel.SharedClusters"/>.</param>
public sealed record MultiscalePartBounds(double[] Maxima, double[] Slopes, double[] Residuals, ClusterMoments[] SharedMoments);
