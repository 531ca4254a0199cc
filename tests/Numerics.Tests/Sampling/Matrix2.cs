namespace Transport.Numerics.Tests.Sampling;

/// <summary>
/// Closed-form 2 x 2 matrix algebra for the Gaussian-source tests, written independently of MathNet and of the
/// library's eigendecomposition-based matrix functions, so the closed-form maps do not share code with the code under test.
/// </summary>
internal static class Matrix2
{
    public static double[,] Multiply(double[,] p, double[,] q) => new[,]
    {
        { (p[0, 0] * q[0, 0]) + (p[0, 1] * q[1, 0]), (p[0, 0] * q[0, 1]) + (p[0, 1] * q[1, 1]) },
        { (p[1, 0] * q[0, 0]) + (p[1, 1] * q[1, 0]), (p[1, 0] * q[0, 1]) + (p[1, 1] * q[1, 1]) },
    };

    public static double[,] Multiply(params double[][,] factors) => factors.Aggregate(Multiply);

    public static double[,] Transpose(double[,] p) => new[,] { { p[0, 0], p[1, 0] }, { p[0, 1], p[1, 1] } };

    public static double[,] Inverse(double[,] p)
    {
        var det = (p[0, 0] * p[1, 1]) - (p[0, 1] * p[1, 0]);
        return new[,] { { p[1, 1] / det, -p[0, 1] / det }, { -p[1, 0] / det, p[0, 0] / det } };
    }

    /// <summary>
    /// The symmetric positive definite square root of an SPD 2 x 2 matrix M: by Cayley-Hamilton,
    /// sqrt(M) = (M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M)).
    /// </summary>
    public static double[,] Sqrt(double[,] m)
    {
        var s = Math.Sqrt((m[0, 0] * m[1, 1]) - (m[0, 1] * m[1, 0]));
        var norm = Math.Sqrt(m[0, 0] + m[1, 1] + (2.0 * s));
        return new[,] { { (m[0, 0] + s) / norm, m[0, 1] / norm }, { m[1, 0] / norm, (m[1, 1] + s) / norm } };
    }

    public static double[] Apply(double[,] p, double[] x) =>
        [(p[0, 0] * x[0]) + (p[0, 1] * x[1]), (p[1, 0] * x[0]) + (p[1, 1] * x[1])];

    public static double Trace(double[,] p) => p[0, 0] + p[1, 1];

    /// <summary>R(theta) diag(d1, d2) R(theta)^T: an SPD matrix with eigenvectors at angle theta.</summary>
    public static double[,] Rotated(double theta, double d1, double d2)
    {
        var rotation = Rotation(theta);
        return Multiply(rotation, new[,] { { d1, 0.0 }, { 0.0, d2 } }, Transpose(rotation));
    }

    public static double[,] Rotation(double theta) => new[,]
    {
        { Math.Cos(theta), -Math.Sin(theta) },
        { Math.Sin(theta), Math.Cos(theta) },
    };
}
