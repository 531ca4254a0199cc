using System.Numerics;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Flows.Models;

/// <summary>
/// Dot-product attention scores on the shared squared-distance kernel (<see cref="SoftmaxReduction"/>):
/// beta &lt;q_i, k_j&gt; + h_j = [h_j + (beta/2)|k_j|^2] - (beta/2)|q_i - k_j|^2 + (beta/2)|q_i|^2, so the
/// kernel runs with scale beta/2 and per-key log-weights h_j + (beta/2)|k_j|^2, and the per-query constant
/// (beta/2)|q_i|^2 is added back to the maxima afterwards. No n x n array is formed.
/// </summary>
internal static class AttentionReduction
{
    /// <summary>
    /// Partials of the scores beta &lt;q_i, k_j&gt; + h_j over all keys. The returned maxima are the true
    /// ones, so <see cref="SoftmaxPartials.LogSumExp"/> is log sum_j exp(beta &lt;q_i, k_j&gt; + h_j) and
    /// Weighted[i] / Sum[i] is the softmax mean of the values. Keys with h_j = -inf do not contribute.
    /// </summary>
    /// <param name="queries">q_i, row-major, <paramref name="queryCount"/> x <paramref name="dimension"/>.</param>
    /// <param name="queryCount">Number of queries.</param>
    /// <param name="keys">k_j, row-major, <paramref name="keyCount"/> x <paramref name="dimension"/>.</param>
    /// <param name="keyCount">Number of keys.</param>
    /// <param name="dimension">Score dimension.</param>
    /// <param name="keyLogWeights">h_j (length <paramref name="keyCount"/>).</param>
    /// <param name="beta">Inverse temperature (>= 0).</param>
    /// <param name="values">Per-key values, row-major keyCount x valueDimension (empty when valueDimension is 0).</param>
    /// <param name="valueDimension">Length of each value vector (0: sums only).</param>
    /// <param name="precision">Kernel arithmetic.</param>
    /// <param name="maxDegreeOfParallelism">Threads for the kernel (-1: all).</param>
    public static SoftmaxPartials Reduce(
        ReadOnlySpan<double> queries,
        int queryCount,
        ReadOnlySpan<double> keys,
        int keyCount,
        int dimension,
        ReadOnlySpan<double> keyLogWeights,
        double beta,
        ReadOnlySpan<double> values,
        int valueDimension,
        Precision precision,
        int maxDegreeOfParallelism) =>
        precision == Precision.Single
            ? Reduce<float>(queries, queryCount, keys, keyCount, dimension, keyLogWeights, beta, values, valueDimension, maxDegreeOfParallelism)
            : Reduce<double>(queries, queryCount, keys, keyCount, dimension, keyLogWeights, beta, values, valueDimension, maxDegreeOfParallelism);

    private static SoftmaxPartials Reduce<T>(
        ReadOnlySpan<double> queries,
        int queryCount,
        ReadOnlySpan<double> keys,
        int keyCount,
        int dimension,
        ReadOnlySpan<double> keyLogWeights,
        double beta,
        ReadOnlySpan<double> values,
        int valueDimension,
        int maxDegreeOfParallelism)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IExponentialFunctions<T>
    {
        var partials = new SoftmaxPartials(queryCount, valueDimension);
        if (queryCount == 0 || keyCount == 0)
        {
            return partials;
        }

        var half = 0.5 * beta;
        var queryPoints = new QueryPoints<T>(queries[..(queryCount * dimension)], queryCount, dimension);
        var keyPoints = new KeyPoints<T>(keys[..(keyCount * dimension)], keyCount, dimension);
        var shifted = new double[keyCount];
        var shift = double.NegativeInfinity;
        for (var j = 0; j < keyCount; j++)
        {
            var h = keyLogWeights[j] + (half * SquaredNorm(keys.Slice(j * dimension, dimension)));
            shifted[j] = h;
            if (h > shift)
            {
                shift = h;
            }
        }

        if (!double.IsFinite(shift))
        {
            // Every key is excluded (or a log-weight is +inf, which callers never pass): nothing contributes.
            return partials;
        }

        // Shift by the largest log-weight before rounding to T, and add the shift back in float64.
        var logWeights = keyPoints.CreateLogWeightBuffer();
        for (var j = 0; j < keyCount; j++)
        {
            logWeights[j] = T.CreateTruncating(shifted[j] - shift);
        }

        var layout = valueDimension > 0 ? keyPoints.LayoutValues(values[..(keyCount * valueDimension)], valueDimension) : null;
        SoftmaxReduction.Reduce(queryPoints, keyPoints, logWeights, half, partials, layout, maxDegreeOfParallelism);
        for (var i = 0; i < queryCount; i++)
        {
            partials.Max[i] += shift + (half * SquaredNorm(queries.Slice(i * dimension, dimension)));
        }

        return partials;
    }

    /// <summary>
    /// Attention of a block's tokens over all tokens: partials of beta &lt;Q x_i, K x_j&gt; + h_j with the
    /// values V x_j when <paramref name="withValues"/> (the true maxima, as <see cref="Reduce"/>).
    /// </summary>
    public static SoftmaxPartials Attend(
        AttentionMatrices matrices,
        ReadOnlySpan<double> blockPositions,
        int blockCount,
        ReadOnlySpan<double> allPositions,
        int tokenCount,
        ReadOnlySpan<double> keyLogWeights,
        double beta,
        bool withValues,
        Precision precision,
        int maxDegreeOfParallelism)
    {
        var r = matrices.ScoreDimension;
        var d = matrices.Dimension;
        var queries = new double[blockCount * r];
        matrices.ApplyQuery(blockPositions, blockCount, queries);
        var keys = new double[tokenCount * r];
        matrices.ApplyKey(allPositions, tokenCount, keys);
        var values = Array.Empty<double>();
        if (withValues)
        {
            values = new double[tokenCount * d];
            matrices.ApplyValue(allPositions, tokenCount, values);
        }

        return Reduce(queries, blockCount, keys, tokenCount, r, keyLogWeights, beta, values, withValues ? d : 0, precision, maxDegreeOfParallelism);
    }

    /// <summary>
    /// The softmax-weighted values V x_j of all particles for every particle of the block, with scores
    /// beta &lt;Q x_i, K x_j&gt; + log a_j: the reduction shared by the attention models' velocities.
    /// Checks the block, the globals and the length of <paramref name="velocity"/> first.
    /// </summary>
    public static SoftmaxPartials AttendAll(
        string model,
        int dimension,
        AttentionMatrices matrices,
        double beta,
        Precision precision,
        int maxDegreeOfParallelism,
        ParticleBlock block,
        FlowGlobals globals,
        Span<double> velocity)
    {
        CheckBlock(block, dimension, model);
        var n = CheckAllPositions(globals, dimension, model);
        if (velocity.Length != block.Count * dimension)
        {
            throw new ArgumentException($"expected {block.Count * dimension} velocity entries, got {velocity.Length}", nameof(velocity));
        }

        return Attend(
            matrices,
            block.Positions,
            block.Count,
            globals.AllPositions.Span,
            n,
            LogWeights(globals.AllWeights.Span),
            beta,
            withValues: true,
            precision,
            maxDegreeOfParallelism);
    }

    /// <summary>1/2 sum_i a_i &lt;Q x_i, sum_j a_j K x_j&gt; over the block's tokens (the beta = 0 energies).</summary>
    public static double MeanScoreShare(AttentionMatrices matrices, ParticleBlock block, ReadOnlySpan<double> allPositions, ReadOnlySpan<double> allWeights)
    {
        var r = matrices.ScoreDimension;
        var n = allWeights.Length;
        var keys = new double[n * r];
        matrices.ApplyKey(allPositions, n, keys);
        var mean = new double[r];
        for (var j = 0; j < n; j++)
        {
            for (var k = 0; k < r; k++)
            {
                mean[k] += allWeights[j] * keys[(j * r) + k];
            }
        }

        var queries = new double[block.Count * r];
        matrices.ApplyQuery(block.Positions, block.Count, queries);
        var share = 0.0;
        for (var i = 0; i < block.Count; i++)
        {
            share += block.Weights[i] * Dot(queries.AsSpan(i * r, r), mean);
        }

        return 0.5 * share;
    }

    /// <summary>|x|^2.</summary>
    public static double SquaredNorm(ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        foreach (var value in x)
        {
            sum += value * value;
        }

        return sum;
    }

    /// <summary>&lt;x, y&gt;.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            sum += x[k] * y[k];
        }

        return sum;
    }

    /// <summary>Replaces v by its component tangent to the sphere through x: v - (&lt;x, v&gt; / |x|^2) x.</summary>
    public static void ProjectTangent(ReadOnlySpan<double> x, Span<double> v)
    {
        var norm = SquaredNorm(x);
        if (norm == 0)
        {
            return;
        }

        var coefficient = Dot(x, v) / norm;
        for (var k = 0; k < v.Length; k++)
        {
            v[k] -= coefficient * x[k];
        }
    }

    /// <summary>log a_j for every weight (minus infinity for zero weights).</summary>
    public static double[] LogWeights(ReadOnlySpan<double> weights)
    {
        var result = new double[weights.Length];
        for (var j = 0; j < weights.Length; j++)
        {
            result[j] = weights[j] > 0 ? Math.Log(weights[j]) : double.NegativeInfinity;
        }

        return result;
    }

    /// <summary>Checks that the globals carry every position and weight of a model that needs them.</summary>
    public static int CheckAllPositions(FlowGlobals globals, int dimension, string model)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var n = globals.AllWeights.Length;
        if (globals.AllPositions.Length != n * dimension)
        {
            throw new ArgumentException($"{model} needs every position: got {globals.AllPositions.Length} coordinates for {n} weights in dimension {dimension}", nameof(globals));
        }

        return n;
    }

    /// <summary>Checks a block against the model's dimension.</summary>
    public static void CheckBlock(ParticleBlock block, int dimension, string model)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Dimension != dimension)
        {
            throw new ArgumentException($"{model} has dimension {dimension}, the block {block.Dimension}", nameof(block));
        }
    }
}
