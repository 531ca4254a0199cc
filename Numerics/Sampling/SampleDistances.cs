namespace Transport.Numerics.Sampling;

/// <summary>Distances between paired samples (row i of one array against row i of the other).</summary>
public static class SampleDistances
{
    /// <summary>sqrt(mean_i |x_i - y_i|^2) over the rows of two row-major n x d arrays (the flow-map error).</summary>
    public static double RmsDistance(double[] x, double[] y, int dimension) => Math.Sqrt(MeanSquaredDistance(x, y, dimension));

    /// <summary>mean_i |x_i - y_i|^2 over the rows of two row-major n x d arrays (a run's displacement E|x(1) - x(0)|^2).</summary>
    public static double MeanSquaredDistance(double[] x, double[] y, int dimension)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length || x.Length == 0 || dimension <= 0)
        {
            throw new ArgumentException($"lengths {x.Length} and {y.Length} differ or are zero (dimension {dimension})", nameof(y));
        }

        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var difference = x[i] - y[i];
            sum += difference * difference;
        }

        return sum / (x.Length / dimension);
    }
}
