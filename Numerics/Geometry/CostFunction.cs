namespace Transport.Numerics.Geometry;

/// <summary>Ground cost between points. Both are multiples of the squared Euclidean distance.</summary>
public enum CostFunction
{
    /// <summary>c(x, y) = |x - y|^2 (POT's convention, the "P" convention of math.md C1).</summary>
    SquaredEuclidean,

    /// <summary>c(x, y) = |x - y|^2 / 2 (GeomLoss's convention, the "G" convention of math.md C1).</summary>
    HalfSquaredEuclidean,
}

/// <summary>Names and scale factors of <see cref="CostFunction"/>.</summary>
public static class CostFunctions
{
    /// <summary>The factor s in c(x, y) = s |x - y|^2.</summary>
    public static double Scale(this CostFunction cost) => cost switch
    {
        CostFunction.SquaredEuclidean => 1.0,
        CostFunction.HalfSquaredEuclidean => 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(cost), cost, "unknown cost function"),
    };

    /// <summary>The name used on the command line and in result files.</summary>
    public static string Name(this CostFunction cost) => cost switch
    {
        CostFunction.SquaredEuclidean => "sqeuclidean",
        CostFunction.HalfSquaredEuclidean => "half-sqeuclidean",
        _ => throw new ArgumentOutOfRangeException(nameof(cost), cost, "unknown cost function"),
    };

    /// <summary>Parses <c>sqeuclidean</c> or <c>half-sqeuclidean</c>; anything else is an <see cref="InvalidInputException"/> for <paramref name="field"/>.</summary>
    public static CostFunction Parse(string value, string field = "cost") => value switch
    {
        "sqeuclidean" => CostFunction.SquaredEuclidean,
        "half-sqeuclidean" => CostFunction.HalfSquaredEuclidean,
        _ => throw new InvalidInputException(field, $"unknown cost function '{value}' (expected sqeuclidean or half-sqeuclidean)"),
    };

    /// <summary>Evaluates the cost between two points given as spans of equal length.</summary>
    public static double Evaluate(this CostFunction cost, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            var diff = x[k] - y[k];
            sum += diff * diff;
        }

        return cost.Scale() * sum;
    }
}
