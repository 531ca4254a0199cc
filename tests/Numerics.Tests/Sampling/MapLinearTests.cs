using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Sampling;

namespace Transport.Numerics.Tests.Sampling;

/// <summary>IDenoisingTarget.MapLinear: the law of A x1, checked by equivariance and against targets built by hand.</summary>
public sealed class MapLinearTests
{
    private const int Dimension = 3;

    /// <summary>(a, b) pairs: mid-path, near the data end, and pure noise (b = 0).</summary>
    private static readonly (double A, double B)[] Coefficients = [(0.8, 0.6), (0.3, 0.95), (1.0, 0.0)];

    public static TheoryData<string> Kinds => new() { "gaussian", "mixture", "empirical", "discrete", "point" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Rotated_target_denoiser_is_the_rotated_denoiser(string kind)
    {
        // Theorem: for orthogonal A, A x0 ~ N(0, I) again, so X_t = a x0 + b x1 maps to A X_t = a (A x0) + b (A x1) and
        // E[A x1 | A X_t = A x] = A E[x1 | X_t = x]. Tolerance 1e-11 (absolute, values of size ~3): rounding of the
        // mapped parameters and of the softmax/Cholesky arithmetic, a few hundred ulps at most.
        var target = Create(kind);
        var rotation = Rotation3();
        var rotated = target.MapLinear(rotation);
        Assert.Equal(Dimension, rotated.Dimension);
        var x = Particles(7, seed: 21);
        var rotatedX = Rows(rotation, x);
        foreach (var (a, b) in Coefficients)
        {
            var denoised = new double[x.Length];
            var rotatedDenoised = new double[x.Length];
            target.Denoise(a, b, x, denoised);
            rotated.Denoise(a, b, rotatedX, rotatedDenoised);
            var expected = Rows(rotation, denoised);
            for (var i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(rotatedDenoised[i] - expected[i]) < 1e-11, $"{kind} (a, b) = ({a}, {b}) entry {i}: {rotatedDenoised[i]:R} vs {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void Mapped_gaussian_is_the_gaussian_with_mapped_moments()
    {
        // A non-orthogonal, non-square (2 x 3) map: the law of A x1 is N(A m, A S A^T), built here by hand.
        var map = Matrix<double>.Build.DenseOfArray(new[,] { { 1.5, -0.4, 0.2 }, { 0.3, 0.9, -1.1 } });
        double[] mean = [0.5, -1.0, 2.0];
        var covariance = new[,] { { 2.0, 0.3, -0.2 }, { 0.3, 1.0, 0.4 }, { -0.2, 0.4, 1.5 } };
        var mapped = new GaussianTarget(mean, covariance).MapLinear(map);
        var m = map * Vector<double>.Build.DenseOfArray(mean);
        var s = map * Matrix<double>.Build.DenseOfArray(covariance) * map.Transpose();
        var sSymmetric = new[,] { { s[0, 0], 0.5 * (s[0, 1] + s[1, 0]) }, { 0.5 * (s[0, 1] + s[1, 0]), s[1, 1] } };
        var byHand = new GaussianTarget(m.ToArray(), sSymmetric);
        AssertSameDenoiser(byHand, mapped, 2, 1e-12);
    }

    [Fact]
    public void Mapped_empirical_and_discrete_targets_are_the_mapped_points_with_the_same_weights()
    {
        // Reference: the points mapped in plain loops here, with the original weights. Tolerance 1e-12: only the
        // order of the floating-point sums in A y differs.
        var map = Matrix<double>.Build.DenseOfArray(new[,] { { 1.5, -0.4, 0.2 }, { 0.3, 0.9, -1.1 } });
        var (points, weights) = Data(23, seed: 5);
        var mappedPoints = new double[23 * 2];
        for (var j = 0; j < 23; j++)
        {
            for (var i = 0; i < 2; i++)
            {
                for (var k = 0; k < Dimension; k++)
                {
                    mappedPoints[(j * 2) + i] += map[i, k] * points[(j * Dimension) + k];
                }
            }
        }

        var empirical = new EmpiricalTarget(points, Dimension, weights).MapLinear(map);
        Assert.Equal(23, empirical.Count);
        AssertSameDenoiser(new EmpiricalTarget(mappedPoints, 2, weights), empirical, 2, 1e-12);
        var atoms = Enumerable.Range(0, 23).Select(j => (IReadOnlyList<double>)points.AsSpan(j * Dimension, Dimension).ToArray()).ToArray();
        var mappedAtoms = Enumerable.Range(0, 23).Select(j => (IReadOnlyList<double>)mappedPoints.AsSpan(j * 2, 2).ToArray()).ToArray();
        AssertSameDenoiser(new DiscreteTarget(mappedAtoms, weights), new DiscreteTarget(atoms, weights).MapLinear(map), 2, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Bad_maps_are_rejected_naming_the_map(string kind)
    {
        var target = Create(kind);
        Field(() => target.MapLinear(null!));
        Field(() => target.MapLinear(Matrix<double>.Build.DenseIdentity(2)));
        var nan = Matrix<double>.Build.DenseIdentity(Dimension);
        nan[1, 2] = double.NaN;
        Field(() => target.MapLinear(nan));
        var huge = Matrix<double>.Build.DenseIdentity(Dimension) * 1e308;
        huge[0, 1] = 1e308;
        if (kind is "gaussian" or "mixture")
        {
            // Rank 2 of 3: the mapped covariance is singular.
            var singular = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.0, 0.0 }, { 0.0, 1.0, 0.0 }, { 1.0, 1.0, 0.0 } });
            Field(() => target.MapLinear(singular));
        }
        else
        {
            // Mapping overflows: the data carry coordinates of size ~1, the map entries 1e308.
            Field(() => target.MapLinear(huge * 10.0));
        }
    }

    private static IDenoisingTarget Create(string kind)
    {
        var covariance = new[,] { { 2.0, 0.3, -0.2 }, { 0.3, 1.0, 0.4 }, { -0.2, 0.4, 1.5 } };
        var (points, weights) = Data(29, seed: 9);
        return kind switch
        {
            "gaussian" => new GaussianTarget([0.5, -1.0, 2.0], covariance),
            "mixture" => new GaussianMixtureTarget(
                [0.2, 0.5, 0.3],
                [[0.5, -1.0, 2.0], [-1.0, 0.0, 0.5], [1.5, 1.5, -1.5]],
                [covariance, new[,] { { 0.3, 0.0, 0.0 }, { 0.0, 0.5, 0.1 }, { 0.0, 0.1, 0.2 } }, new[,] { { 1.0, 0.0, 0.0 }, { 0.0, 1.0, 0.0 }, { 0.0, 0.0, 1.0 } }]),
            "empirical" => new EmpiricalTarget(points, Dimension, weights),
            "discrete" => new DiscreteTarget(
                Enumerable.Range(0, 29).Select(j => (IReadOnlyList<double>)points.AsSpan(j * Dimension, Dimension).ToArray()).ToArray(), weights),
            "point" => new PointMassTarget([0.7, -0.2, 1.3]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown target kind"),
        };
    }

    /// <summary>A generic 3-D rotation: a rotation by 0.7 in the (x, y) plane after one by -1.1 in the (y, z) plane.</summary>
    private static Matrix<double> Rotation3()
    {
        var xy = Matrix<double>.Build.DenseOfArray(new[,] { { Math.Cos(0.7), -Math.Sin(0.7), 0.0 }, { Math.Sin(0.7), Math.Cos(0.7), 0.0 }, { 0.0, 0.0, 1.0 } });
        var yz = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.0, 0.0 }, { 0.0, Math.Cos(-1.1), -Math.Sin(-1.1) }, { 0.0, Math.Sin(-1.1), Math.Cos(-1.1) } });
        return xy * yz;
    }

    private static double[] Rows(Matrix<double> map, double[] rows)
    {
        var result = new double[rows.Length];
        for (var j = 0; j < rows.Length / Dimension; j++)
        {
            for (var i = 0; i < Dimension; i++)
            {
                for (var k = 0; k < Dimension; k++)
                {
                    result[(j * Dimension) + i] += map[i, k] * rows[(j * Dimension) + k];
                }
            }
        }

        return result;
    }

    private static void AssertSameDenoiser(IDenoisingTarget expected, IDenoisingTarget actual, int dimension, double tolerance)
    {
        Assert.Equal(expected.Dimension, actual.Dimension);
        var random = new Random(31);
        var x = Enumerable.Range(0, 6 * dimension).Select(_ => (4.0 * random.NextDouble()) - 2.0).ToArray();
        foreach (var (a, b) in Coefficients)
        {
            var want = new double[x.Length];
            var got = new double[x.Length];
            expected.Denoise(a, b, x, want);
            actual.Denoise(a, b, x, got);
            for (var i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(want[i] - got[i]) <= tolerance * Math.Max(1.0, Math.Abs(want[i])), $"(a, b) = ({a}, {b}) entry {i}: {got[i]:R} vs {want[i]:R}");
            }
        }
    }

    private static (double[] Points, double[] Weights) Data(int count, int seed)
    {
        var random = new Random(seed);
        var points = Enumerable.Range(0, count * Dimension).Select(_ => (4.0 * random.NextDouble()) - 2.0).ToArray();
        var weights = Enumerable.Range(0, count).Select(_ => 0.1 + random.NextDouble()).ToArray();
        return (points, weights);
    }

    private static double[] Particles(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * Dimension).Select(_ => (5.0 * random.NextDouble()) - 2.5).ToArray();
    }

    private static void Field(Func<IDenoisingTarget> create)
    {
        var error = Assert.Throws<InvalidInputException>(create);
        Assert.Equal("map", error.Field);
        Assert.StartsWith("map:", error.Message, StringComparison.Ordinal);
    }
}
