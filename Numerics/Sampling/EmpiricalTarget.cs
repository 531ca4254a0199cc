using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Kernels;

namespace Transport.Numerics.Sampling;

/// <summary>
/// An empirical data set sum_j w_j delta_{y_j} with the exact ("memorising") denoiser of math.md 2.3c,
/// D(t, x) = sum_j softmax_j(log w_j - |x - b y_j|^2 / (2 a^2)) y_j, computed with the shared
/// <see cref="SoftmaxReduction"/>: since |x - b y|^2 / (2 a^2) = (b^2 / (2 a^2)) |x / b - y|^2, the queries are
/// x / b, the keys are the data points (laid out once), the log-weights are log w_j, the scale is
/// b^2 / (2 a^2) and the values are the data points themselves. For b = 0 every logit is log w_j minus a
/// constant, so D is the weighted mean of the data.
/// </summary>
public sealed class EmpiricalTarget : IDenoisingTarget
{
    private readonly EmpiricalDataBlock _block;

    /// <summary>
    /// Creates the target from the row-major <paramref name="points"/> (field <c>points</c>, count x
    /// <paramref name="dimension"/>) and optional positive <paramref name="weights"/> (field <c>weights</c>, one per
    /// point, normalised to sum to one; uniform when omitted).
    /// </summary>
    public EmpiricalTarget(double[] points, int dimension, double[]? weights = null)
    {
        var logWeights = Validate(points, dimension, weights, out var count);
        Count = count;
        _block = Slice(points, logWeights, dimension, 0, count);
    }

    /// <summary>Creates the target from already validated points and log-weights.</summary>
    private EmpiricalTarget(double[] points, double[] logWeights, int dimension)
    {
        Count = logWeights.Length;
        _block = Slice(points, logWeights, dimension, 0, Count);
    }

    /// <inheritdoc />
    public int Dimension => _block.Dimension;

    /// <summary>The number of data points.</summary>
    public int Count { get; }

    /// <inheritdoc />
    public void Denoise(double a, double b, ReadOnlySpan<double> x, Span<double> denoised)
    {
        TargetValidation.Batch(Dimension, x, denoised);
        var partials = _block.Reduce(a, b, x);
        EmpiricalDataBlock.WeightedMean(partials, denoised);
    }

    /// <summary>
    /// The law of A x1: the points A y_j with the same weights. The points are read back from the block's value
    /// layout (an exact float64 copy), so the target keeps no second row-major copy of the data.
    /// </summary>
    public EmpiricalTarget MapLinear(Matrix<double> map)
    {
        var checkedMap = LinearMap.Checked(map, Dimension);
        var mapped = LinearMap.ApplyToRows(checkedMap, _block.Points());
        return new EmpiricalTarget(mapped, _block.LogWeights(), checkedMap.RowCount);
    }

    /// <inheritdoc />
    IDenoisingTarget IDenoisingTarget.MapLinear(Matrix<double> map) => MapLinear(map);

    /// <summary>
    /// Computes the same denoiser as <see cref="Denoise"/> the way data shards and a coordinator do: the data are
    /// split into <paramref name="blocks"/> contiguous blocks (global weights kept), each block is reduced
    /// separately into <see cref="SoftmaxPartials"/>, and the partials are combined in block order before D is
    /// formed as u / z.
    /// </summary>
    public static void DenoiseInBlocks(
        double[] points,
        int dimension,
        double[]? weights,
        int blocks,
        double a,
        double b,
        ReadOnlySpan<double> x,
        Span<double> denoised)
    {
        var logWeights = Validate(points, dimension, weights, out var count);
        if (blocks < 1 || blocks > count)
        {
            throw new InvalidInputException("blocks", $"block count {blocks} must lie in [1, {count}]");
        }

        TargetValidation.Batch(dimension, x, denoised);
        SoftmaxPartials? total = null;
        for (var s = 0; s < blocks; s++)
        {
            var first = (int)((long)count * s / blocks);
            var end = (int)((long)count * (s + 1) / blocks);
            var partials = Slice(points, logWeights, dimension, first, end - first).Reduce(a, b, x);
            if (total is null)
            {
                total = partials;
            }
            else
            {
                total.Combine(partials);
            }
        }

        EmpiricalDataBlock.WeightedMean(total!, denoised);
    }

    private static double[] Validate(double[]? points, int dimension, double[]? weights, out int count)
    {
        if (dimension < 1)
        {
            throw new InvalidInputException("dimension", $"dimension {dimension} must be at least 1");
        }

        if (points is null || points.Length == 0)
        {
            throw new InvalidInputException("points", "must hold at least one data point");
        }

        if (points.Length % dimension != 0)
        {
            throw new InvalidInputException("points", $"length {points.Length} is not a multiple of the dimension {dimension}");
        }

        count = points.Length / dimension;
        for (var i = 0; i < points.Length; i++)
        {
            if (!double.IsFinite(points[i]))
            {
                throw new InvalidInputException($"points[{i / dimension}]", $"coordinate {i % dimension} is {points[i]}, not a finite number");
            }
        }

        double[] normalised;
        if (weights is null)
        {
            normalised = new double[count];
            Array.Fill(normalised, 1.0 / count);
        }
        else
        {
            normalised = TargetValidation.Weights("weights", weights, count);
        }

        return Array.ConvertAll(normalised, Math.Log);
    }

    private static EmpiricalDataBlock Slice(double[] points, double[] logWeights, int dimension, int first, int count) =>
        new(points.AsSpan(first * dimension, count * dimension), logWeights.AsSpan(first, count), dimension);
}
