using Transport.Numerics.Sampling.Metrics;

namespace Transport.Numerics.Tests.Sampling.Metrics;

/// <summary>The energy distance V-statistic against a brute-force sum, its closed forms and its 1-D CDF identity.</summary>
public sealed class EnergyDistanceTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    public void Matches_a_brute_force_weighted_double_sum(int d, int seed)
    {
        // 300 x 270 points cross the 64-query chunks and 256-key tiles. Same float64 terms summed in another
        // order: the relative difference is a few ulps times log(n m), so 1e-12 is ample.
        var x = TestData.Points(300, d, seed);
        var y = TestData.Points(270, d, seed + 10, scale: 0.8, shift: 0.3);
        var wx = TestData.Weights(300, seed + 20);
        var wy = TestData.Weights(270, seed + 30);

        var value = EnergyDistance.Compute(x, y, d, wx, wy);

        var expected = (2 * BruteMean(x, y, d, wx, wy)) - BruteMean(x, x, d, wx, wx) - BruteMean(y, y, d, wy, wy);
        TestData.AssertRelative(expected, value, 1e-12, floor: 1e-3, what: "energy distance");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Is_non_negative_and_zero_for_identical_clouds(int seed)
    {
        // Theorem: -|x - y| is conditionally negative definite, so the V-statistic is >= 0 for any weights; the
        // computed value may dip below only by rounding (~1e-15 x the mean distance ~ 1), hence -1e-13. Identical
        // clouds: the three sums are the same deterministic computation, so the result is exactly 0 (allow 1e-15).
        var d = 1 + seed;
        var x = TestData.Points(40, d, seed);
        var y = TestData.Points(25, d, seed + 5, scale: 1.1, shift: 0.05);
        var wx = TestData.Weights(40, seed + 1);

        Assert.True(EnergyDistance.Compute(x, y, d, wx) >= -1e-13);
        Assert.True(EnergyDistance.Compute(y, x, d) >= -1e-13);
        Assert.True(Math.Abs(EnergyDistance.Compute(x, x, d, wx, wx)) <= 1e-15);
    }

    [Fact]
    public void Two_diracs_are_twice_the_distance_apart()
    {
        // Closed form: E|X - Y| = |h| and both self terms vanish, so E = 2 |h| (one square root: 1e-15 relative).
        double[] x = [0.3, -1.2, 2.0];
        double[] h = [1.5, 0.25, -2.0];
        var y = x.Select((v, k) => v + h[k]).ToArray();
        var norm = Math.Sqrt(h.Sum(v => v * v));

        TestData.AssertRelative(2 * norm, EnergyDistance.Compute(x, y, 3), 1e-15, what: "two Diracs");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void In_one_dimension_equals_twice_the_integrated_squared_cdf_difference(int seed)
    {
        // Theorem (Szekely): in 1-D, 2 E|X - Y| - E|X - X'| - E|Y - Y'| = 2 int (F - G)^2 dx. The integral of the two
        // step CDFs is computed exactly over the merged breakpoints; sums of ~10^4 terms, so 1e-12 relative.
        var x = TestData.Points(60, 1, seed);
        var y = TestData.Points(45, 1, seed + 1, scale: 0.6, shift: 0.4);
        var wx = TestData.Weights(60, seed + 2);
        var wy = TestData.Weights(45, seed + 3);

        var expected = 2 * IntegratedSquaredCdfDifference(x, Normalise(wx), y, Normalise(wy));

        TestData.AssertRelative(expected, EnergyDistance.Compute(x, y, 1, wx, wy), 1e-12, floor: 1e-3, what: "1-D energy distance");
    }

    [Fact]
    public void Rejects_mismatched_dimension()
    {
        var error = Assert.Throws<InvalidInputException>(() => EnergyDistance.Compute([1.0, 2.0, 3.0], [1.0, 2.0], 2));
        Assert.Equal("x", error.Field);
    }

    private static double BruteMean(double[] x, double[] y, int d, double[] wx, double[] wy)
    {
        var ax = Normalise(wx);
        var ay = Normalise(wy);
        var sum = 0.0;
        for (var i = 0; i < ax.Length; i++)
        {
            for (var j = 0; j < ay.Length; j++)
            {
                var squared = 0.0;
                for (var k = 0; k < d; k++)
                {
                    squared += (x[(i * d) + k] - y[(j * d) + k]) * (x[(i * d) + k] - y[(j * d) + k]);
                }

                sum += ax[i] * ay[j] * Math.Sqrt(squared);
            }
        }

        return sum;
    }

    private static double IntegratedSquaredCdfDifference(double[] x, double[] wx, double[] y, double[] wy)
    {
        var events = x.Select((v, i) => (Position: v, Jump: wx[i]))
            .Concat(y.Select((v, j) => (Position: v, Jump: -wy[j])))
            .OrderBy(e => e.Position)
            .ToArray();
        var difference = 0.0;
        var integral = 0.0;
        for (var e = 0; e < events.Length; e++)
        {
            if (e > 0)
            {
                integral += difference * difference * (events[e].Position - events[e - 1].Position);
            }

            difference += events[e].Jump;
        }

        return integral;
    }

    private static double[] Normalise(double[] w)
    {
        var total = w.Sum();
        return w.Select(v => v / total).ToArray();
    }
}
