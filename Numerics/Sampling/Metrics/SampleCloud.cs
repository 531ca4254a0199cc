using Transport.Numerics.Geometry;

namespace Transport.Numerics.Sampling.Metrics;

/// <summary>
/// A validated row-major cloud with normalised weights, the common input of the sample metrics. Zero weights are
/// allowed (the point is ignored); the weights must have a positive sum.
/// </summary>
internal sealed class SampleCloud
{
    private SampleCloud(double[] points, double[] weights, int count, int dimension)
    {
        Points = points;
        Weights = weights;
        Count = count;
        Dimension = dimension;
    }

    /// <summary>Row-major coordinates (not copied).</summary>
    public double[] Points { get; }

    /// <summary>Weights summing to one.</summary>
    public double[] Weights { get; }

    /// <summary>Number of points.</summary>
    public int Count { get; }

    /// <summary>Coordinates per point.</summary>
    public int Dimension { get; }

    /// <summary>The Kish effective sample size 1 / sum_i w_i^2 (n for uniform weights).</summary>
    public double EffectiveCount
    {
        get
        {
            var sum = 0.0;
            foreach (var w in Weights)
            {
                sum += w * w;
            }

            return 1.0 / sum;
        }
    }

    /// <summary>Validates <paramref name="points"/> (finite, a non-zero multiple of the dimension) and the weights.</summary>
    public static SampleCloud Create(string field, double[]? points, int dimension, double[]? weights, string weightsField)
    {
        if (dimension < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {dimension} must be at least 1");
        }

        if (points is null || points.Length == 0)
        {
            throw new InvalidInputException(field, "must hold at least one point");
        }

        if (points.Length % dimension != 0)
        {
            throw new InvalidInputException(field, $"length {points.Length} is not a multiple of the dimension {dimension}");
        }

        for (var i = 0; i < points.Length; i++)
        {
            if (!double.IsFinite(points[i]))
            {
                throw new InvalidInputException($"{field}[{i / dimension}]", $"coordinate {i % dimension} is {points[i]}, not a finite number");
            }
        }

        var count = points.Length / dimension;
        var normalised = PointCloud.NormaliseWeights(weights ?? [], count, weightsField);
        return new SampleCloud(points, normalised, count, dimension);
    }

    /// <summary>The squared Euclidean distance between point <paramref name="i"/> of this cloud and point <paramref name="j"/> of <paramref name="other"/>.</summary>
    public double SquaredDistance(int i, SampleCloud other, int j)
    {
        var d = Dimension;
        var x = Points.AsSpan(i * d, d);
        var y = other.Points.AsSpan(j * d, d);
        var sum = 0.0;
        for (var k = 0; k < d; k++)
        {
            var diff = x[k] - y[k];
            sum += diff * diff;
        }

        return sum;
    }
}
