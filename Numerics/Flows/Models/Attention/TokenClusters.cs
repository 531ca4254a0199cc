using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Cluster diagnostics for tokens on the sphere (math.md 6.2, TR-3, TR-4): the number of clusters under
/// single linkage with an angular threshold (two tokens are linked when the angle between them is at most
/// the threshold; clusters are the connected components), and the minimum pairwise inner product.
/// Positions are row-major; tokens need not be exactly unit (angles use normalised directions).
/// </summary>
public static class TokenClusters
{
    /// <summary>
    /// Largest token count accepted by <see cref="CountSingleLinkage"/> in dimension &gt; 2 (its cost is
    /// O(n^2 d) time, O(n) memory; at this size about 2e8 inner products).
    /// </summary>
    public const int MaxSingleLinkageTokens = 20_000;

    /// <summary>
    /// Number of clusters under single linkage with angular threshold <paramref name="angle"/> (radians):
    /// in dimension 2 by sorting the angles and counting circular gaps larger than the threshold
    /// (O(n log n), TR-4's gap count), otherwise by <see cref="CountSingleLinkage"/>.
    /// </summary>
    public static int Count(ReadOnlySpan<double> positions, int dimension, double angle) =>
        dimension == 2 ? CountOnCircle(positions, angle) : CountSingleLinkage(positions, dimension, angle);

    /// <summary>
    /// Number of clusters of planar tokens: sorted polar angles, clusters separated by circular gaps
    /// strictly larger than <paramref name="gap"/> radians (single linkage on the circle), O(n log n).
    /// 0 for no tokens; 1 when no gap exceeds the threshold.
    /// </summary>
    public static int CountOnCircle(ReadOnlySpan<double> positions, double gap)
    {
        CheckThreshold(gap);
        if (positions.Length % 2 != 0)
        {
            throw new ArgumentException("planar tokens need an even number of coordinates", nameof(positions));
        }

        var n = positions.Length / 2;
        if (n == 0)
        {
            return 0;
        }

        var angles = new double[n];
        for (var i = 0; i < n; i++)
        {
            angles[i] = Math.Atan2(positions[(2 * i) + 1], positions[2 * i]);
        }

        Array.Sort(angles);
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var next = i + 1 < n ? angles[i + 1] : angles[0] + (2 * Math.PI);
            if (next - angles[i] > gap)
            {
                count++;
            }
        }

        return Math.Max(count, 1);
    }

    /// <summary>
    /// Number of single-linkage clusters with angular threshold <paramref name="angle"/> (radians) in any
    /// dimension, by union-find over all pairs: O(n^2 d) time, O(n) memory, at most
    /// <see cref="MaxSingleLinkageTokens"/> tokens.
    /// </summary>
    public static int CountSingleLinkage(ReadOnlySpan<double> positions, int dimension, double angle)
    {
        CheckThreshold(angle);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (positions.Length % dimension != 0)
        {
            throw new ArgumentException($"{positions.Length} coordinates is not a whole number of tokens of dimension {dimension}", nameof(positions));
        }

        var n = positions.Length / dimension;
        if (n > MaxSingleLinkageTokens)
        {
            throw new ArgumentException($"single-linkage clustering is O(n^2): at most {MaxSingleLinkageTokens} tokens, got {n}", nameof(positions));
        }

        var directions = new double[positions.Length];
        for (var i = 0; i < n; i++)
        {
            var x = positions.Slice(i * dimension, dimension);
            var norm = Math.Sqrt(AttentionReduction.SquaredNorm(x));
            for (var k = 0; k < dimension; k++)
            {
                directions[(i * dimension) + k] = norm > 0 ? x[k] / norm : 0.0;
            }
        }

        var cosine = Math.Cos(Math.Min(angle, Math.PI));
        var parent = new int[n];
        for (var i = 0; i < n; i++)
        {
            parent[i] = i;
        }

        var components = n;
        for (var i = 0; i < n; i++)
        {
            var xi = directions.AsSpan(i * dimension, dimension);
            for (var j = i + 1; j < n; j++)
            {
                var ri = Find(parent, i);
                var rj = Find(parent, j);
                if (ri == rj)
                {
                    continue;
                }

                if (AttentionReduction.Dot(xi, directions.AsSpan(j * dimension, dimension)) >= cosine)
                {
                    parent[Math.Max(ri, rj)] = Math.Min(ri, rj);
                    components--;
                }
            }
        }

        return components;
    }

    /// <summary>
    /// min over all pairs (i, j), i = j included, of &lt;x_i, x_j&gt; (for unit tokens and n &gt;= 2 the same as
    /// over i != j, since &lt;x_i, x_i&gt; = 1 is the largest value). Streams through the shared softmax
    /// reduction, whose exact running maximum of s_ij = |x_i - x_j|^2 / 2 - |x_j|^2 / 2 gives
    /// min_j &lt;x_i, x_j&gt; = |x_i|^2 / 2 - max_j s_ij: O(n^2 d) time, no n x n array, parallel.
    /// 1 for no tokens.
    /// </summary>
    public static double MinPairwiseInnerProduct(ReadOnlySpan<double> positions, int dimension, int maxDegreeOfParallelism = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (positions.Length % dimension != 0)
        {
            throw new ArgumentException($"{positions.Length} coordinates is not a whole number of tokens of dimension {dimension}", nameof(positions));
        }

        var n = positions.Length / dimension;
        if (n == 0)
        {
            return 1.0;
        }

        var queries = new QueryPoints<double>(positions, n, dimension);
        var keys = new KeyPoints<double>(positions, n, dimension);
        var logWeights = keys.CreateLogWeightBuffer();
        for (var j = 0; j < n; j++)
        {
            logWeights[j] = -0.5 * AttentionReduction.SquaredNorm(positions.Slice(j * dimension, dimension));
        }

        var partials = new SoftmaxPartials(n);
        SoftmaxReduction.Reduce(queries, keys, logWeights, -0.5, partials, null, maxDegreeOfParallelism);
        var min = double.PositiveInfinity;
        for (var i = 0; i < n; i++)
        {
            min = Math.Min(min, (0.5 * AttentionReduction.SquaredNorm(positions.Slice(i * dimension, dimension))) - partials.Max[i]);
        }

        return min;
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }

    private static void CheckThreshold(double angle)
    {
        if (!double.IsFinite(angle) || angle < 0)
        {
            throw new InvalidInputException("cluster-angle", $"angular threshold must be finite and >= 0, got {angle}");
        }
    }
}
