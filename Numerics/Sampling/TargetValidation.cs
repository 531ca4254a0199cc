using MathNet.Numerics.LinearAlgebra;

namespace Transport.Numerics.Sampling;

/// <summary>Input checks shared by the targets; each failure names the offending field.</summary>
internal static class TargetValidation
{
    public static double[] Vector(string field, IReadOnlyList<double>? values, int? dimension = null)
    {
        if (values is null || values.Count == 0)
        {
            throw new InvalidInputException(field, "must be a non-empty vector");
        }

        if (dimension is int d && values.Count != d)
        {
            throw new InvalidInputException(field, $"has length {values.Count}, expected {d}");
        }

        var copy = new double[values.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidInputException(field, $"entry {i} is {values[i]}, not a finite number");
            }

            if (Math.Abs(values[i]) > SampleTarget.MaxCoordinate)
            {
                throw new InvalidInputException(field, $"entry {i} is {values[i]}, beyond +-{SampleTarget.MaxCoordinate} (squared distances would overflow float64)");
            }

            copy[i] = values[i];
        }

        return copy;
    }

    public static Matrix<double> Covariance(string field, double[,]? covariance, int dimension)
    {
        if (covariance is null || covariance.GetLength(0) != dimension || covariance.GetLength(1) != dimension)
        {
            var shape = covariance is null ? "missing" : $"{covariance.GetLength(0)} x {covariance.GetLength(1)}";
            throw new InvalidInputException(field, $"is {shape}, expected {dimension} x {dimension}");
        }

        for (var i = 0; i < dimension; i++)
        {
            for (var j = 0; j < dimension; j++)
            {
                var value = covariance[i, j];
                if (!double.IsFinite(value))
                {
                    throw new InvalidInputException(field, $"entry [{i}, {j}] is {value}, not a finite number");
                }

                if (Math.Abs(value) > SampleTarget.MaxCoordinate * SampleTarget.MaxCoordinate)
                {
                    throw new InvalidInputException(field, $"entry [{i}, {j}] is {value}, beyond +-{SampleTarget.MaxCoordinate * SampleTarget.MaxCoordinate} (a spread past {SampleTarget.MaxCoordinate} would overflow squared distances)");
                }

                var scale = Math.Max(Math.Abs(value), Math.Abs(covariance[j, i]));
                if (Math.Abs(value - covariance[j, i]) > 1e-12 * Math.Max(1.0, scale))
                {
                    throw new InvalidInputException(field, $"is not symmetric at [{i}, {j}]");
                }
            }
        }

        var matrix = Matrix<double>.Build.DenseOfArray(covariance);
        try
        {
            _ = matrix.Cholesky();
        }
        catch (ArgumentException)
        {
            throw new InvalidInputException(field, "is not positive definite");
        }

        return matrix;
    }

    public static double[] Weights(string field, IReadOnlyList<double>? weights, int? count = null)
    {
        if (weights is null || weights.Count == 0)
        {
            throw new InvalidInputException(field, "must be a non-empty vector");
        }

        if (count is int k && weights.Count != k)
        {
            throw new InvalidInputException(field, $"has {weights.Count} entries, expected {k}");
        }

        var total = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            if (!(weights[i] > 0.0) || double.IsInfinity(weights[i]))
            {
                throw new InvalidInputException($"{field}[{i}]", $"weight {weights[i]} is not a positive finite number");
            }

            total += weights[i];
        }

        var normalised = new double[weights.Count];
        for (var i = 0; i < normalised.Length; i++)
        {
            normalised[i] = weights[i] / total;
        }

        return normalised;
    }

    /// <summary>Checks a non-empty, finite row-major point set of dimension <paramref name="d"/>; returns the point count.</summary>
    public static int Points(string field, double[]? points, int d)
    {
        if (points is null || points.Length == 0)
        {
            throw new InvalidInputException(field, "must hold at least one point");
        }

        if (points.Length % d != 0)
        {
            throw new InvalidInputException(field, $"length {points.Length} is not a multiple of the dimension {d}");
        }

        for (var i = 0; i < points.Length; i++)
        {
            if (!double.IsFinite(points[i]))
            {
                throw new InvalidInputException($"{field}[{i / d}]", $"coordinate {i % d} is {points[i]}, not a finite number");
            }
        }

        return points.Length / d;
    }

    public static void Batch(int dimension, ReadOnlySpan<double> x, Span<double> denoised)
    {
        if (x.Length % dimension != 0)
        {
            throw new InvalidInputException("particles", $"length {x.Length} is not a multiple of the dimension {dimension}");
        }

        if (denoised.Length != x.Length)
        {
            throw new InvalidInputException("denoised", $"length {denoised.Length} differs from the batch length {x.Length}");
        }
    }
}
