namespace Transport.Numerics.Transport.Multiscale;

/// <summary>
/// The sums over some members of one cluster that fit the cluster's linear envelope (<see cref="ClusterSlopes"/>):
/// the count, the sum of the values v, and with delta = x - centre the sums of delta, delta delta^T and delta v. Sums
/// over disjoint member sets add, so the holders of a cluster split over several shards each send theirs.
/// </summary>
/// <param name="Dimension">Dimension d.</param>
/// <param name="Count">Members summed.</param>
/// <param name="Value">Sum of v.</param>
/// <param name="Delta">Sum of delta (d).</param>
/// <param name="DeltaDelta">Sum of delta delta^T (d x d, row-major).</param>
/// <param name="DeltaValue">Sum of delta v (d).</param>
public sealed record ClusterMoments(int Dimension, long Count, double Value, double[] Delta, double[] DeltaDelta, double[] DeltaValue)
{
    /// <summary>No member.</summary>
    public static ClusterMoments Zero(int dimension) =>
        new(dimension, 0, 0, new double[dimension], new double[dimension * dimension], new double[dimension]);

    /// <summary>The sums over the rows <c>[start, end)</c> of <paramref name="positions"/> with <paramref name="values"/>.</summary>
    public static ClusterMoments Of(ReadOnlySpan<double> positions, ReadOnlySpan<double> values, int dimension, int start, int end, ReadOnlySpan<double> centre)
    {
        var d = dimension;
        var sums = Zero(d);
        var value = 0.0;
        Span<double> delta = d <= 64 ? stackalloc double[d] : new double[d];
        for (var e = start; e < end; e++)
        {
            for (var k = 0; k < d; k++)
            {
                delta[k] = positions[(e * d) + k] - centre[k];
            }

            value += values[e];
            for (var k = 0; k < d; k++)
            {
                sums.Delta[k] += delta[k];
                sums.DeltaValue[k] += delta[k] * values[e];
                for (var l = 0; l < d; l++)
                {
                    sums.DeltaDelta[(k * d) + l] += delta[k] * delta[l];
                }
            }
        }

        return sums with { Count = end - start, Value = value };
    }

    /// <summary>The sums over both member sets.</summary>
    public ClusterMoments Add(ClusterMoments other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new ClusterMoments(
            Dimension,
            Count + other.Count,
            Value + other.Value,
            [.. Delta.Select((x, k) => x + other.Delta[k])],
            [.. DeltaDelta.Select((x, k) => x + other.DeltaDelta[k])],
            [.. DeltaValue.Select((x, k) => x + other.DeltaValue[k])]);
    }
}
