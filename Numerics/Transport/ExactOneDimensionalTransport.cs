using System.Globalization;
using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>One entry of a transport plan: <see cref="Mass"/> moved from source point <see cref="Source"/> to target point <see cref="Target"/>.</summary>
/// <param name="Source">Index of the source point in the caller's (unsorted) order.</param>
/// <param name="Target">Index of the target point in the caller's (unsorted) order.</param>
/// <param name="Mass">Positive mass moved (weights are normalised to total mass one).</param>
public readonly record struct TransportPlanEntry(int Source, int Target, double Mass);

/// <summary>Result of <see cref="ExactOneDimensionalTransport.Solve"/>.</summary>
/// <param name="Cost">Optimal cost Σ π_ij |x_i − y_j|^p (not raised to 1/p).</param>
/// <param name="Plan">The monotone optimal plan (at most n + m − 1 entries of positive mass), or null when it was not requested.</param>
public sealed record OneDimensionalTransportResult(double Cost, IReadOnlyList<TransportPlanEntry>? Plan);

/// <summary>
/// Exact optimal transport between weighted point sets on the real line for the cost |x − y|^p,
/// p ≥ 1. For a convex cost the monotone (quantile) coupling is optimal: sort both supports and fill
/// the plan by the north-west-corner rule on the cumulative weights, i.e. match the quantile
/// functions, in O((n + m) log(n + m)). For uniform weights and n = m this is the sorted matching,
/// with cost mean_i |x_(i) − y_(i)|^p. For p = 1 the monotone plan is optimal though not always unique.
/// </summary>
public static class ExactOneDimensionalTransport
{
    /// <summary>
    /// Solves the problem and returns the optimal cost and, if <paramref name="computePlan"/>, the plan.
    /// Weights may be empty (uniform), otherwise they must be finite, non-negative and have a positive
    /// sum; they are normalised to total mass one (see <see cref="PointCloud.NormaliseWeights"/>).
    /// Points must be finite. Ties are broken by index, so the result is deterministic. Errors are
    /// <see cref="InvalidInputException"/>s naming <c>source</c>, <c>source-weights</c>, <c>target</c>,
    /// <c>target-weights</c> or <c>p</c>.
    /// </summary>
    /// <param name="source">Source points x_i.</param>
    /// <param name="sourceWeights">Source weights a_i, or empty for uniform.</param>
    /// <param name="target">Target points y_j.</param>
    /// <param name="targetWeights">Target weights b_j, or empty for uniform.</param>
    /// <param name="p">Exponent of the cost |x − y|^p, at least 1 (2 by default).</param>
    /// <param name="computePlan">Whether to return the plan entries.</param>
    public static OneDimensionalTransportResult Solve(
        ReadOnlySpan<double> source,
        ReadOnlySpan<double> sourceWeights,
        ReadOnlySpan<double> target,
        ReadOnlySpan<double> targetWeights,
        double p = 2,
        bool computePlan = false)
    {
        if (!double.IsFinite(p) || p < 1)
        {
            throw new InvalidInputException(nameof(p), $"exponent p = {p.ToString("R", CultureInfo.InvariantCulture)} must be finite and at least 1 (the sorted coupling is optimal only for convex costs)");
        }

        var x = CheckedPoints(source, "source");
        var y = CheckedPoints(target, "target");
        var a = PointCloud.NormaliseWeights(sourceWeights, x.Length, "source-weights");
        var b = PointCloud.NormaliseWeights(targetWeights, y.Length, "target-weights");
        var sx = SortedOrder(x);
        var sy = SortedOrder(y);

        // Walk the merged breakpoints of the two cumulative distribution functions. Using cumulative
        // sums (with the last one pinned to exactly 1) rather than subtracting remaining masses keeps
        // rounding from leaving a sliver of mass unmatched at the end.
        var plan = computePlan ? new List<TransportPlanEntry>(x.Length + y.Length - 1) : null;
        double cost = 0;
        double lower = 0;
        double upperA = a[sx[0]];
        double upperB = b[sy[0]];
        var i = 0;
        var j = 0;
        while (true)
        {
            if (i == x.Length - 1)
            {
                upperA = 1.0;
            }

            if (j == y.Length - 1)
            {
                upperB = 1.0;
            }

            var upper = Math.Min(upperA, upperB);
            var mass = upper - lower;
            if (mass > 0)
            {
                cost += mass * Cost(x[sx[i]] - y[sy[j]], p);
                plan?.Add(new TransportPlanEntry(sx[i], sy[j], mass));
                lower = upper;
            }

            var advanceI = upperA <= upperB && i < x.Length - 1;
            var advanceJ = upperB <= upperA && j < y.Length - 1;
            if (!advanceI && !advanceJ)
            {
                break;
            }

            if (advanceI)
            {
                i++;
                upperA += a[sx[i]];
            }

            if (advanceJ)
            {
                j++;
                upperB += b[sy[j]];
            }
        }

        return new OneDimensionalTransportResult(cost, plan);
    }

    /// <summary>
    /// The optimal cost Σ π_ij |x_i − y_j|^p only; see <see cref="Solve"/> for the contract.
    /// </summary>
    /// <param name="source">Source points x_i.</param>
    /// <param name="sourceWeights">Source weights a_i, or empty for uniform.</param>
    /// <param name="target">Target points y_j.</param>
    /// <param name="targetWeights">Target weights b_j, or empty for uniform.</param>
    /// <param name="p">Exponent of the cost |x − y|^p, at least 1 (2 by default).</param>
    public static double Cost(
        ReadOnlySpan<double> source,
        ReadOnlySpan<double> sourceWeights,
        ReadOnlySpan<double> target,
        ReadOnlySpan<double> targetWeights,
        double p = 2) =>
        Solve(source, sourceWeights, target, targetWeights, p, computePlan: false).Cost;

    private static double Cost(double difference, double p) => p switch
    {
        2 => difference * difference,
        1 => Math.Abs(difference),
        _ => Math.Pow(Math.Abs(difference), p),
    };

    private static double[] CheckedPoints(ReadOnlySpan<double> points, string field)
    {
        if (points.IsEmpty)
        {
            throw new InvalidInputException(field, "the point set is empty; at least one point is required");
        }

        for (var i = 0; i < points.Length; i++)
        {
            if (!double.IsFinite(points[i]))
            {
                throw new InvalidInputException(field, $"point [{i}] is {points[i].ToString(CultureInfo.InvariantCulture)}; points must be finite");
            }
        }

        return points.ToArray();
    }

    private static int[] SortedOrder(double[] values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (l, r) =>
        {
            var byValue = values[l].CompareTo(values[r]);
            return byValue != 0 ? byValue : l.CompareTo(r);
        });
        return order;
    }
}
