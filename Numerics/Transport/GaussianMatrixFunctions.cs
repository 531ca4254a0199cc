using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Transport.Numerics.Transport;

/// <summary>
/// Input checks and spectral functions of symmetric positive semi-definite matrices shared by the
/// Gaussian closed forms. Matrix functions go through the symmetric eigendecomposition
/// S = Q diag(λ) Qᵀ, f(S) = Q diag(f(λ)) Qᵀ, on the symmetrised input ½(S + Sᵀ).
/// </summary>
internal static class GaussianMatrixFunctions
{
    /// <summary>Relative asymmetry tolerated in a covariance (covariances computed from data are symmetric only up to rounding).</summary>
    private const double SymmetryTolerance = 1e-9;

    /// <summary>
    /// Relative size of a negative eigenvalue tolerated (and clamped to zero) in a covariance: rounding
    /// makes a singular PSD matrix show eigenvalues of order -1e-16 times its norm.
    /// </summary>
    public const double EigenvalueTolerance = 1e-12;

    /// <summary>Checks that <paramref name="covariance"/> is a finite, symmetric, PSD d x d matrix and returns it symmetrised.</summary>
    public static Matrix<double> Covariance(double[,]? covariance, string field, int expectedDimension = -1)
    {
        if (covariance is null)
        {
            throw new InvalidInputException(field, "the covariance matrix is missing");
        }

        var rows = covariance.GetLength(0);
        var columns = covariance.GetLength(1);
        if (rows == 0 || rows != columns)
        {
            throw new InvalidInputException(field, $"a covariance must be a non-empty square matrix, got {rows} x {columns}");
        }

        if (expectedDimension >= 0 && rows != expectedDimension)
        {
            throw new InvalidInputException(field, $"dimension {rows} does not match the other Gaussian's dimension {expectedDimension}");
        }

        var scale = 0.0;
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < rows; j++)
            {
                var value = covariance[i, j];
                if (!double.IsFinite(value))
                {
                    throw new InvalidInputException(field, $"entry [{i}, {j}] is {value.ToString(CultureInfo.InvariantCulture)}; covariance entries must be finite");
                }

                scale = Math.Max(scale, Math.Abs(value));
            }
        }

        for (var i = 0; i < rows; i++)
        {
            for (var j = i + 1; j < rows; j++)
            {
                if (Math.Abs(covariance[i, j] - covariance[j, i]) > SymmetryTolerance * scale)
                {
                    throw new InvalidInputException(
                        field,
                        $"the covariance is not symmetric: entry [{i}, {j}] = {covariance[i, j].ToString("R", CultureInfo.InvariantCulture)} but [{j}, {i}] = {covariance[j, i].ToString("R", CultureInfo.InvariantCulture)}");
                }
            }
        }

        var matrix = Matrix<double>.Build.DenseOfArray(covariance);
        matrix = (matrix + matrix.Transpose()) * 0.5;
        var eigenvalues = Eigen(matrix).EigenValues;
        var smallest = double.PositiveInfinity;
        var largest = 0.0;
        foreach (var value in eigenvalues)
        {
            smallest = Math.Min(smallest, value.Real);
            largest = Math.Max(largest, value.Real);
        }

        if (smallest < -EigenvalueTolerance * Math.Max(largest, double.Epsilon))
        {
            throw new InvalidInputException(field, $"the covariance is not positive semi-definite: its smallest eigenvalue is {smallest.ToString("R", CultureInfo.InvariantCulture)}");
        }

        return matrix;
    }

    /// <summary>Checks that <paramref name="mean"/> is a finite vector of length <paramref name="dimension"/>.</summary>
    public static Vector<double> Mean(double[]? mean, string field, int dimension)
    {
        if (mean is null)
        {
            throw new InvalidInputException(field, "the mean vector is missing");
        }

        if (mean.Length != dimension)
        {
            throw new InvalidInputException(field, $"the mean has {mean.Length} entries but the covariance is {dimension} x {dimension}");
        }

        for (var i = 0; i < mean.Length; i++)
        {
            if (!double.IsFinite(mean[i]))
            {
                throw new InvalidInputException(field, $"entry [{i}] is {mean[i].ToString(CultureInfo.InvariantCulture)}; mean entries must be finite");
            }
        }

        return Vector<double>.Build.DenseOfArray(mean);
    }

    /// <summary>Checks that the regularisation strength is finite and positive.</summary>
    public static void Epsilon(double epsilon, string field = "epsilon")
    {
        if (!double.IsFinite(epsilon) || epsilon <= 0)
        {
            throw new InvalidInputException(field, $"epsilon is {epsilon.ToString("R", CultureInfo.InvariantCulture)}; it must be finite and positive");
        }
    }

    /// <summary>Eigenvalues of a symmetric matrix, ascending, with tiny negative rounding clamped to zero.</summary>
    public static double[] NonNegativeEigenvalues(Matrix<double> symmetric)
    {
        var values = Eigen(symmetric).EigenValues;
        var result = new double[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Math.Max(values[i].Real, 0.0);
        }

        return result;
    }

    /// <summary>Principal square root of a symmetric PSD matrix.</summary>
    public static Matrix<double> Sqrt(Matrix<double> symmetric) => Apply(symmetric, Math.Sqrt);

    /// <summary>Inverse principal square root of a symmetric positive-definite matrix; <paramref name="field"/> names it in the error raised when it is singular.</summary>
    public static Matrix<double> InverseSqrt(Matrix<double> symmetric, string field)
    {
        RequirePositiveDefinite(symmetric, field);
        return Apply(symmetric, v => 1.0 / Math.Sqrt(v));
    }

    /// <summary>Inverse of a symmetric positive-definite matrix via its eigendecomposition.</summary>
    public static Matrix<double> Inverse(Matrix<double> symmetric, string field)
    {
        RequirePositiveDefinite(symmetric, field);
        return Apply(symmetric, v => 1.0 / v);
    }

    /// <summary>f(S) = Q diag(f(max(λ, 0))) Qᵀ, symmetrised against rounding.</summary>
    public static Matrix<double> Apply(Matrix<double> symmetric, Func<double, double> function)
    {
        var evd = Eigen(symmetric);
        var q = evd.EigenVectors;
        var values = evd.EigenValues;
        var diagonal = Vector<double>.Build.Dense(values.Count, i => function(Math.Max(values[i].Real, 0.0)));
        var result = q * Matrix<double>.Build.DiagonalOfDiagonalVector(diagonal) * q.Transpose();
        return (result + result.Transpose()) * 0.5;
    }

    /// <summary>Symmetrises a matrix computed as a product that is symmetric in exact arithmetic.</summary>
    public static Matrix<double> Symmetrise(Matrix<double> matrix) => (matrix + matrix.Transpose()) * 0.5;

    private static void RequirePositiveDefinite(Matrix<double> symmetric, string field)
    {
        var values = NonNegativeEigenvalues(symmetric);
        var largest = values.Max();
        if (values.Min() <= EigenvalueTolerance * largest || largest == 0)
        {
            throw new InvalidInputException(field, $"the covariance must be positive definite (invertible); its smallest eigenvalue is {values.Min().ToString("R", CultureInfo.InvariantCulture)}");
        }
    }

    private static Evd<double> Eigen(Matrix<double> symmetric) => symmetric.Evd(Symmetricity.Symmetric);
}
