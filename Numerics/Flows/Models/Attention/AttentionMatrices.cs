namespace Transport.Numerics.Flows.Models;

/// <summary>
/// The query, key and value matrices of an attention layer (math.md 6.1, 6.2): scores
/// &lt;Q x_i, K x_j&gt; and values V x_j. Q and K are r x d (row-major, r the score dimension, the same
/// for both); V is d x d. A matrix left out is the identity (then r = d). Immutable: the arrays are copied.
/// </summary>
public sealed class AttentionMatrices
{
    private readonly double[]? query;
    private readonly double[]? key;
    private readonly double[]? value;

    /// <summary>Creates the matrices for tokens of dimension <paramref name="dimension"/>.</summary>
    /// <param name="dimension">Token dimension d.</param>
    /// <param name="query">Q, r x d row-major, or null for the identity.</param>
    /// <param name="key">K, r x d row-major, or null for the identity.</param>
    /// <param name="value">V, d x d row-major, or null for the identity.</param>
    public AttentionMatrices(int dimension, double[]? query = null, double[]? key = null, double[]? value = null)
    {
        if (dimension <= 0)
        {
            throw new InvalidInputException("dim", $"token dimension must be positive, got {dimension}");
        }

        Dimension = dimension;
        var queryRows = Rows(query, dimension, "query");
        var keyRows = Rows(key, dimension, "key");
        if (queryRows != keyRows)
        {
            throw new InvalidInputException("key", $"Q has {queryRows} rows but K has {keyRows}: both must map to the same score dimension");
        }

        if (value is not null && value.Length != dimension * dimension)
        {
            throw new InvalidInputException("value", $"V must be {dimension} x {dimension} ({dimension * dimension} entries), got {value.Length}");
        }

        CheckFinite(query, "query");
        CheckFinite(key, "key");
        CheckFinite(value, "value");
        this.query = query is null ? null : (double[])query.Clone();
        this.key = key is null ? null : (double[])key.Clone();
        this.value = value is null ? null : (double[])value.Clone();
        ScoreDimension = queryRows;
    }

    /// <summary>The identity weights Q = K = V = I in dimension <paramref name="dimension"/>.</summary>
    public static AttentionMatrices Identity(int dimension) => new(dimension);

    /// <summary>Token dimension d.</summary>
    public int Dimension { get; }

    /// <summary>Score dimension r (rows of Q and K).</summary>
    public int ScoreDimension { get; }

    /// <summary>Whether Q = K = V = I.</summary>
    public bool IsIdentity => query is null && key is null && value is null;

    /// <summary>Whether V = I.</summary>
    public bool HasIdentityValue => value is null;

    /// <summary>
    /// Whether Q^T K is symmetric to a relative 1e-12 (the score matrix &lt;Q x_i, K x_j&gt; is then
    /// symmetric for every token set, as the Sinkformer's symmetric Sinkhorn needs).
    /// </summary>
    public bool HasSymmetricScores()
    {
        var d = Dimension;
        var product = new double[d * d];
        var unitI = new double[d];
        var unitJ = new double[d];
        var qi = new double[ScoreDimension];
        var kj = new double[ScoreDimension];
        for (var i = 0; i < d; i++)
        {
            Array.Clear(unitI);
            unitI[i] = 1;
            ApplyQuery(unitI, 1, qi);
            for (var j = 0; j < d; j++)
            {
                Array.Clear(unitJ);
                unitJ[j] = 1;
                ApplyKey(unitJ, 1, kj);
                var dot = 0.0;
                for (var k = 0; k < ScoreDimension; k++)
                {
                    dot += qi[k] * kj[k];
                }

                product[(i * d) + j] = dot;
            }
        }

        var largest = 0.0;
        var asymmetry = 0.0;
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                largest = Math.Max(largest, Math.Abs(product[(i * d) + j]));
                asymmetry = Math.Max(asymmetry, Math.Abs(product[(i * d) + j] - product[(j * d) + i]));
            }
        }

        return asymmetry <= 1e-12 * largest;
    }

    /// <summary>Writes Q x for <paramref name="count"/> row-major tokens (result: count x r).</summary>
    public void ApplyQuery(ReadOnlySpan<double> tokens, int count, Span<double> result) =>
        Apply(query, ScoreDimension, tokens, count, result);

    /// <summary>Writes K x for <paramref name="count"/> row-major tokens (result: count x r).</summary>
    public void ApplyKey(ReadOnlySpan<double> tokens, int count, Span<double> result) =>
        Apply(key, ScoreDimension, tokens, count, result);

    /// <summary>Writes V x for <paramref name="count"/> row-major tokens (result: count x d).</summary>
    public void ApplyValue(ReadOnlySpan<double> tokens, int count, Span<double> result) =>
        Apply(value, Dimension, tokens, count, result);

    private void Apply(double[]? matrix, int rows, ReadOnlySpan<double> tokens, int count, Span<double> result)
    {
        var d = Dimension;
        if (tokens.Length < count * d || result.Length < count * rows)
        {
            throw new ArgumentException($"expected {count} tokens of dimension {d} and room for {count} x {rows} results");
        }

        if (matrix is null)
        {
            tokens[..(count * d)].CopyTo(result);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var x = tokens.Slice(i * d, d);
            for (var r = 0; r < rows; r++)
            {
                var row = matrix.AsSpan(r * d, d);
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    sum += row[k] * x[k];
                }

                result[(i * rows) + r] = sum;
            }
        }
    }

    private static int Rows(double[]? matrix, int dimension, string field)
    {
        if (matrix is null)
        {
            return dimension;
        }

        if (matrix.Length == 0 || matrix.Length % dimension != 0)
        {
            throw new InvalidInputException(field, $"{matrix.Length} entries is not a whole number of rows of length {dimension}");
        }

        return matrix.Length / dimension;
    }

    private static void CheckFinite(double[]? matrix, string field)
    {
        if (matrix is null)
        {
            return;
        }

        foreach (var entry in matrix)
        {
            if (!double.IsFinite(entry))
            {
                throw new InvalidInputException(field, $"entries must be finite, got {entry}");
            }
        }
    }
}
