namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// A linear envelope of a potential on every cluster of a level: a slope p_I (least-squares fit of the
/// members' values against their offsets from the centroid, delta_i = x_i - c_I) and the residual
/// maximum R_I = max_i (v_i - &lt;p_I, delta_i&gt;), so that v_i &lt;= R_I + &lt;p_I, delta_i&gt; holds for every
/// member exactly (whatever the quality of the fit). The fit only sharpens the truncation bound; its
/// validity rests on R_I being a true maximum.
/// </summary>
public sealed class ClusterSlopes
{
    /// <summary>Dimensions above this skip the fit (slope 0): the d x d solves would cost more than they save.</summary>
    public const int MaxFittedDimension = 16;

    private ClusterSlopes(double[] slopes, double[] residualMax)
    {
        Slopes = slopes;
        ResidualMax = residualMax;
    }

    /// <summary>Slopes, row-major (clusters x d).</summary>
    public double[] Slopes { get; }

    /// <summary>R_I per cluster.</summary>
    public double[] ResidualMax { get; }

    /// <summary>Fits the envelope of <paramref name="values"/> (one per entity of <paramref name="into"/>) on the clusters of <paramref name="level"/>.</summary>
    public static ClusterSlopes Fit(ClusterHierarchy hierarchy, int level, int into, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        var clusters = hierarchy[level];
        var members = hierarchy[into];
        var d = clusters.Dimension;
        var boundaries = hierarchy.Boundaries(level, into);
        var slopes = new double[clusters.Count * d];
        var residual = new double[clusters.Count];
        for (var c = 0; c < clusters.Count; c++)
        {
            residual[c] = FitCluster(members.Positions, values, d, boundaries[c], boundaries[c + 1], clusters.Positions.AsSpan(c * d, d), slopes.AsSpan(c * d, d));
        }

        return new ClusterSlopes(slopes, residual);
    }

    /// <summary>An envelope from slopes and residual maxima computed elsewhere (e.g. combined from the holders of a cluster's members).</summary>
    internal static ClusterSlopes Of(double[] slopes, double[] residualMax) => new(slopes, residualMax);

    /// <summary>
    /// Fits the envelope of one cluster whose members are the rows <c>[start, end)</c> of <paramref name="positions"/>
    /// (row-major, dimension <paramref name="d"/>) with <paramref name="values"/>: writes the slope, returns R.
    /// </summary>
    internal static double FitCluster(ReadOnlySpan<double> positions, ReadOnlySpan<double> values, int d, int start, int end, ReadOnlySpan<double> centre, Span<double> slope)
    {
        if (d <= MaxFittedDimension && end - start > d)
        {
            FitSlope(positions, values, start, end, centre, slope);
        }

        return MeasureResidual(positions, values, d, start, end, centre, slope);
    }

    /// <summary>R = max over the members <c>[start, end)</c> of v - &lt;slope, x - centre&gt;.</summary>
    internal static double MeasureResidual(ReadOnlySpan<double> positions, ReadOnlySpan<double> values, int d, int start, int end, ReadOnlySpan<double> centre, ReadOnlySpan<double> slope)
    {
        var largest = double.NegativeInfinity;
        for (var e = start; e < end; e++)
        {
            var projected = 0.0;
            for (var k = 0; k < d; k++)
            {
                projected += slope[k] * (positions[(e * d) + k] - centre[k]);
            }

            largest = Math.Max(largest, values[e] - projected);
        }

        return largest;
    }

    /// <summary>
    /// The slope of a cluster from the sums of its members (see <see cref="ClusterMoments"/>), for a cluster whose members
    /// are spread over several holders; the same normal equations and ridge as a fit over the members.
    /// </summary>
    internal static void FitFromMoments(ClusterMoments moments, Span<double> slope)
    {
        var d = moments.Dimension;
        slope.Clear();
        if (d > MaxFittedDimension || moments.Count <= d)
        {
            return;
        }

        var matrix = (double[])moments.DeltaDelta.Clone();
        var rhs = new double[d];
        var mean = moments.Value / moments.Count;
        for (var k = 0; k < d; k++)
        {
            rhs[k] = moments.DeltaValue[k] - (mean * moments.Delta[k]);
        }

        Solve(matrix, rhs, d, slope);
    }

    private static void FitSlope(ReadOnlySpan<double> positions, ReadOnlySpan<double> values, int start, int end, ReadOnlySpan<double> centre, Span<double> slope)
    {
        var d = centre.Length;
        var matrix = new double[d * d];
        var rhs = new double[d];
        Span<double> delta = stackalloc double[d];
        var mean = 0.0;
        for (var e = start; e < end; e++)
        {
            mean += values[e];
        }

        mean /= end - start;
        for (var e = start; e < end; e++)
        {
            for (var k = 0; k < d; k++)
            {
                delta[k] = positions[(e * d) + k] - centre[k];
            }

            var centred = values[e] - mean;
            for (var k = 0; k < d; k++)
            {
                rhs[k] += delta[k] * centred;
                for (var l = 0; l < d; l++)
                {
                    matrix[(k * d) + l] += delta[k] * delta[l];
                }
            }
        }

        Solve(matrix, rhs, d, slope);
    }

    /// <summary>The ridge-regularised solve of the normal equations; leaves the slope zero when they are degenerate.</summary>
    private static void Solve(double[] matrix, double[] rhs, int d, Span<double> slope)
    {
        // Ridge keeps the solve finite for flat or repeated members; any slope keeps the bound valid.
        var trace = 0.0;
        for (var k = 0; k < d; k++)
        {
            trace += matrix[(k * d) + k];
        }

        if (!(trace > 0))
        {
            return;
        }

        for (var k = 0; k < d; k++)
        {
            matrix[(k * d) + k] += 1e-9 * trace;
        }

        if (!CholeskySolve(matrix, rhs, d))
        {
            return;
        }

        for (var k = 0; k < d; k++)
        {
            slope[k] = double.IsFinite(rhs[k]) ? rhs[k] : 0;
        }
    }

    /// <summary>Solves A x = b in place (x in <paramref name="rhs"/>) for symmetric positive definite A.</summary>
    private static bool CholeskySolve(double[] a, double[] rhs, int d)
    {
        for (var j = 0; j < d; j++)
        {
            var diagonal = a[(j * d) + j];
            for (var k = 0; k < j; k++)
            {
                diagonal -= a[(j * d) + k] * a[(j * d) + k];
            }

            if (!(diagonal > 0))
            {
                return false;
            }

            var root = Math.Sqrt(diagonal);
            a[(j * d) + j] = root;
            for (var i = j + 1; i < d; i++)
            {
                var sum = a[(i * d) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= a[(i * d) + k] * a[(j * d) + k];
                }

                a[(i * d) + j] = sum / root;
            }
        }

        for (var i = 0; i < d; i++)
        {
            var sum = rhs[i];
            for (var k = 0; k < i; k++)
            {
                sum -= a[(i * d) + k] * rhs[k];
            }

            rhs[i] = sum / a[(i * d) + i];
        }

        for (var i = d - 1; i >= 0; i--)
        {
            var sum = rhs[i];
            for (var k = i + 1; k < d; k++)
            {
                sum -= a[(k * d) + i] * rhs[k];
            }

            rhs[i] = sum / a[(i * d) + i];
        }

        return true;
    }
}
