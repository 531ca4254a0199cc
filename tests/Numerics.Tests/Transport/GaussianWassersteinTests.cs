using Transport.Numerics.Transport;

namespace Transport.Numerics.Tests.Transport;

public sealed class GaussianWassersteinTests
{
    // math.md OT-1 quotes 7 significant digits (6 for matrix entries), so 1e-6 is the tightest
    // tolerance the reference supports; the closed forms themselves are accurate to ~1e-15.
    private const double ReferenceTolerance = 1e-6;

    private static readonly double[] M0 = [0, 0];
    private static readonly double[] M1 = [1, -1];
    private static readonly double[,] Sigma0 = { { 2, 0 }, { 0, 0.5 } };
    private static readonly double[,] Sigma1 = { { 1, 0.6 }, { 0.6, 1 } };

    [Fact]
    public void Bures_matches_OT1_reference_values()
    {
        Assert.Equal(0.4503087, GaussianWasserstein.BuresSquared(Sigma0, Sigma1), ReferenceTolerance);
    }

    [Fact]
    public void W2_matches_OT1_reference_values()
    {
        Assert.Equal(2.4503087, GaussianWasserstein.W2Squared(M0, Sigma0, M1, Sigma1), ReferenceTolerance);
    }

    [Fact]
    public void Brenier_map_matches_OT1_and_pushes_sigma0_to_sigma1()
    {
        var m = GaussianWasserstein.BrenierMap(Sigma0, Sigma1);
        AssertMatrix(new[,] { { 0.691411, 0.296319 }, { 0.296319, 1.284048 } }, m, ReferenceTolerance);

        // M Σ0 M = Σ1 holds exactly in exact arithmetic; 1e-12 allows for rounding in the eigensolver.
        AssertMatrix(Sigma1, Multiply(Multiply(m, Sigma0), m), 1e-12);
    }

    [Fact]
    public void McCann_midpoint_matches_OT1_and_has_constant_speed()
    {
        var half = GaussianWasserstein.McCannCovariance(Sigma0, Sigma1, 0.5);
        AssertMatrix(new[,] { { 1.441411, 0.335199 }, { 0.335199, 0.696012 } }, half, ReferenceTolerance);

        var midMean = GaussianWasserstein.McCannMean(M0, M1, 0.5);
        Assert.Equal([0.5, -0.5], midMean);
        Assert.Equal(0.6125772, GaussianWasserstein.W2Squared(M0, Sigma0, midMean, half), ReferenceTolerance);

        // Constant speed along the geodesic: W2(α_0, α_t)² = t² W2(α_0, α_1)², to rounding.
        var total = GaussianWasserstein.W2Squared(M0, Sigma0, M1, Sigma1);
        foreach (var t in new[] { 0.0, 0.25, 0.75, 1.0 })
        {
            var w = GaussianWasserstein.W2Squared(M0, Sigma0, GaussianWasserstein.McCannMean(M0, M1, t), GaussianWasserstein.McCannCovariance(Sigma0, Sigma1, t));
            Assert.Equal(t * t * total, w, 1e-12);
        }

        AssertMatrix(Sigma1, GaussianWasserstein.McCannCovariance(Sigma0, Sigma1, 1), 1e-12);
    }

    [Fact]
    public void Bures_is_zero_for_equal_covariances_and_matches_the_1D_formula()
    {
        Assert.Equal(0, GaussianWasserstein.BuresSquared(Sigma1, Sigma1), 1e-14);

        // In 1-D, B² = (√a − √b)².
        Assert.Equal(Math.Pow(Math.Sqrt(2) - Math.Sqrt(0.5), 2), GaussianWasserstein.BuresSquared(new double[,] { { 2 } }, new double[,] { { 0.5 } }), 1e-15);

        // A singular (PSD) covariance is allowed for Bures: B²(0, Σ) = tr Σ.
        Assert.Equal(2, GaussianWasserstein.BuresSquared(new double[2, 2], Sigma1), 1e-14);
    }

    [Fact]
    public void Invalid_covariances_name_the_parameter_and_value()
    {
        var asymmetric = Assert.Throws<InvalidInputException>(() => GaussianWasserstein.BuresSquared(Sigma0, new double[,] { { 1, 0.5 }, { 0.4, 1 } }));
        Assert.Equal("sigma1", asymmetric.Field);
        Assert.Contains("not symmetric", asymmetric.Message, StringComparison.Ordinal);

        var indefinite = Assert.Throws<InvalidInputException>(() => GaussianWasserstein.BuresSquared(new double[,] { { 1, 2 }, { 2, 1 } }, Sigma1));
        Assert.Equal("sigma0", indefinite.Field);
        Assert.Matches("smallest eigenvalue is -(1|0\\.99999)", indefinite.Message);

        var mismatch = Assert.Throws<InvalidInputException>(() => GaussianWasserstein.BuresSquared(Sigma0, new double[,] { { 1 } }));
        Assert.Equal("sigma1", mismatch.Field);

        var nan = Assert.Throws<InvalidInputException>(() => GaussianWasserstein.W2Squared(M0, Sigma0, [double.NaN, 0], Sigma1));
        Assert.Equal("m1", nan.Field);
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);

        var singular = Assert.Throws<InvalidInputException>(() => GaussianWasserstein.BrenierMap(new double[,] { { 1, 0 }, { 0, 0 } }, Sigma1));
        Assert.Equal("sigma0", singular.Field);
        Assert.Contains("positive definite", singular.Message, StringComparison.Ordinal);

        var time = Assert.Throws<InvalidInputException>(() => GaussianWasserstein.McCannCovariance(Sigma0, Sigma1, 1.5));
        Assert.Equal("t", time.Field);
        Assert.Contains("1.5", time.Message, StringComparison.Ordinal);
    }

    internal static double[,] Multiply(double[,] a, double[,] b)
    {
        var n = a.GetLength(0);
        var k = a.GetLength(1);
        var m = b.GetLength(1);
        var c = new double[n, m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                for (var l = 0; l < k; l++)
                {
                    c[i, j] += a[i, l] * b[l, j];
                }
            }
        }

        return c;
    }

    internal static void AssertMatrix(double[,] expected, double[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (var i = 0; i < expected.GetLength(0); i++)
        {
            for (var j = 0; j < expected.GetLength(1); j++)
            {
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance, $"entry [{i}, {j}]: expected {expected[i, j]}, got {actual[i, j]}");
            }
        }
    }
}
