namespace Transport.Numerics.Tests;

/// <summary>Seeded random clouds for tests.</summary>
internal static class TestData
{
    public static double[] Points(int n, int dim, int seed, double scale = 1.0, double shift = 0.0)
    {
        var random = new Random(seed);
        var result = new double[n * dim];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = shift + (scale * ((2 * random.NextDouble()) - 1));
        }

        return result;
    }

    public static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = 0.2 + random.NextDouble();
        }

        return result;
    }

    /// <summary>|actual - expected| &lt;= tolerance * max(|expected|, floor).</summary>
    public static void AssertRelative(double expected, double actual, double tolerance, double floor = 1.0, string what = "value")
    {
        var scale = Math.Max(Math.Abs(expected), floor);
        Assert.True(
            Math.Abs(actual - expected) <= tolerance * scale,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / scale:E3}, tolerance {tolerance:E1})");
    }
}
